/**
 * The deriving thread: reads the events of the partitions it is asked for on a connection of its own, derives their
 * sessions and answers with the rows to save. Started and reached through derive-thread.ts.
 */
import { workerData } from "node:worker_threads";
import { PartitionStates } from "../projection/partition-states.js";
import { derivePartitionRows } from "../projection/projector.js";
import { openStore } from "../store/open-store.js";
import type { DeriveCalls, DeriveSettings } from "./protocol.js";
import { serveCalls } from "./threads.js";

const settings = workerData as DeriveSettings;
const store = await openStore(settings.database, { queryTimeoutMs: 5_000 });
const states = settings.keepStates ? new PartitionStates() : undefined;

serveCalls<DeriveCalls>({
  derive: async (partitionKeys, now) => derivePartitionRows(store, partitionKeys, { ...settings.metadata, now }, states),
  close: async () => store.close(),
});
