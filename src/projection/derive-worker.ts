/**
 * The deriving thread: reads the events of the partitions it is asked for on a connection of its own, derives their
 * sessions and answers with the rows to save. Started and reached through derive-thread.ts.
 */
import { workerData } from "node:worker_threads";
import { openStore } from "../store/open-store.js";
import { derivePartitionRows } from "./projector.js";
import { serveRequests } from "./threads.js";
import type { WriterSettings } from "./writer-worker.js";

export type DeriveRequest = { op: "derive"; partitionKeys: string[]; now: number } | { op: "close" };

const settings = workerData as WriterSettings;
const store = await openStore(settings.database, { queryTimeoutMs: 5_000 });

serveRequests<DeriveRequest>(async (request) => {
  if (request.op === "close") return store.close();
  return derivePartitionRows(store, request.partitionKeys, { ...settings.metadata, now: request.now });
});
