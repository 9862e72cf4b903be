/**
 * The deriving thread: reads the events of the partitions it is asked for on a connection of its own, derives their
 * sessions and answers with the rows to save. Started and reached through derive-thread.ts.
 */
import { workerData } from "node:worker_threads";
import { derivePartitionRows } from "../projection/projector.js";
import { openStore } from "../store/open-store.js";
import type { DeriveCalls, WriterSettings } from "./protocol.js";
import { serveCalls } from "./threads.js";

const settings = workerData as WriterSettings;
const store = await openStore(settings.databaseUrl, { queryTimeoutMs: 5_000 });

serveCalls<DeriveCalls>({
  derive: async (partitionKeys, now) => derivePartitionRows(store, partitionKeys, { ...settings.metadata, now }),
  close: async () => store.close(),
});
