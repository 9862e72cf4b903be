/**
 * The store writer, on a thread of its own: it appends each batch to the log, keeps what goes to the quarantine, and
 * keeps the derived sessions current, deriving on a further thread (derive-worker.ts) and saving what that returns.
 * Commits (an fsync each, on SQLite a blocking one, and a wait while another program holds the database locked) then
 * never hold up the thread that answers HTTP, nor wait behind derivation.
 */
import { workerData } from "node:worker_threads";
import type { DatabaseConfig } from "../config.js";
import type { IncomingEvent, QuarantinedDelivery } from "../store/event-store.js";
import { openStore } from "../store/open-store.js";
import { DeriveThread } from "./derive-thread.js";
import { Projector, type MetadataOptions } from "./projector.js";
import { notify, serveRequests } from "./threads.js";

export interface WriterSettings {
  database: DatabaseConfig;
  metadata: MetadataOptions;
  /** How often the saved figures of ongoing sessions are brought up to now; 30 s unless given. */
  ongoingRefreshMs?: number;
}

export type WriterRequest =
  | { op: "append"; events: IncomingEvent[] }
  | { op: "quarantine"; deliveries: QuarantinedDelivery[] }
  | { op: "markDirty"; partitionKeys: string[] }
  | { op: "idle" }
  | { op: "close" };

/** What the writer tells unasked: a derivation that failed (the log keeps the truth; rebuild repairs it). */
export interface DeriveFailure {
  message: string;
  partitionKeys: readonly string[];
}

const settings = workerData as WriterSettings;
const store = await openStore(settings.database, { queryTimeoutMs: 5_000 });
const deriver = await DeriveThread.start(settings);
const projector = new Projector(store, settings.metadata, {
  derive: (partitionKeys, now) => deriver.derive(partitionKeys, now),
  onError: (error, partitionKeys) =>
    notify({ message: error instanceof Error ? error.message : String(error), partitionKeys } satisfies DeriveFailure),
});

/**
 * An ongoing session's figures run to now (SPEC §3). The session list and detail derive such sessions afresh when
 * read; the rooms, usage and people routes add up the saved rows, so those are derived again every half minute.
 */
const ONGOING_REFRESH_MS = 30_000;
const refresh = setInterval(() => projector.refreshOngoing(), settings.ongoingRefreshMs ?? ONGOING_REFRESH_MS);

serveRequests<WriterRequest>(async (request) => {
  switch (request.op) {
    case "append": {
      // Buffers arrive as plain Uint8Arrays once they have crossed threads.
      const events = request.events.map((e) => ({ ...e, body: Buffer.from(e.body.buffer, e.body.byteOffset, e.body.byteLength) }));
      const flags = await store.append(events);
      projector.markDirty(events.filter((_, i) => flags[i] === true).map((e) => e.partitionKey));
      return flags;
    }
    case "quarantine":
      return store.quarantine(
        request.deliveries.map((d) => ({ ...d, body: Buffer.from(d.body.buffer, d.body.byteOffset, d.body.byteLength) })),
      );
    case "markDirty":
      projector.markDirty(request.partitionKeys);
      return undefined;
    case "idle":
      return projector.idle();
    case "close":
      clearInterval(refresh);
      await projector.idle();
      await deriver.close();
      await store.close();
      return undefined;
  }
});
