/**
 * The deriving thread: reads the events of dirty partitions on a connection of its own and derives their sessions.
 * The writer thread saves what it returns, so commits never wait behind parsing and deriving.
 */
import { workerData } from "node:worker_threads";
import { openStore } from "../store/open-store.js";
import { derivePartitions } from "./projector.js";
import { serveRequests } from "./threads.js";
import type { WriterSettings } from "./writer-worker.js";

export type DeriveRequest = { op: "derive"; partitionKeys: string[]; now: number } | { op: "close" };

const settings = workerData as WriterSettings;
const store = await openStore(settings.databaseUrl, { queryTimeoutMs: 5_000 });

serveRequests<DeriveRequest>(async (request) => {
  if (request.op === "close") return store.close();
  return derivePartitions(store, request.partitionKeys, { ...settings.metadata, now: request.now });
});
