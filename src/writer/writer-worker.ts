/**
 * The store writer, on a thread of its own: it appends each batch to the log, keeps what goes to the quarantine, and
 * keeps the derived sessions current, deriving on a further thread (derive-worker.ts) and saving what that returns.
 * Commits (an fsync each, on SQLite a blocking one, and a wait while another program holds the database locked) then
 * never hold up the thread that answers HTTP, nor wait behind derivation.
 */
import { workerData } from "node:worker_threads";
import { MeetingResults } from "../projection/meeting-results.js";
import { Projector } from "../projection/projector.js";
import { openStore } from "../store/open-store.js";
import { DeriveThread } from "./derive-thread.js";
import type { DeriveFailure, WriterCalls, WriterSettings } from "./protocol.js";
import { notify, serveCalls } from "./threads.js";

const settings = workerData as WriterSettings;
const store = await openStore(settings.database, { queryTimeoutMs: 5_000 });
const { database, metadata } = settings;
const deriver = await DeriveThread.start({ database, metadata, keepStates: true });
const projector = new Projector(store, settings.metadata, {
  derive: (partitionKeys, now) => deriver.derive(partitionKeys, now),
  meetings: new MeetingResults(store, settings.meetingRules),
  onError: (error, partitionKeys) =>
    notify<DeriveFailure>({ message: error instanceof Error ? error.message : String(error), partitionKeys }),
});

/**
 * An ongoing session's figures run to now (SPEC §3). The session list and detail derive such sessions afresh when
 * read; the rooms, usage and people routes add up the saved rows, so those are derived again every half minute.
 */
const ONGOING_REFRESH_MS = 30_000;
const refresh = setInterval(() => projector.refreshOngoing(), settings.ongoingRefreshMs ?? ONGOING_REFRESH_MS);

/** Buffers arrive as plain Uint8Arrays once they have crossed threads. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

serveCalls<WriterCalls>({
  async append(incoming) {
    const events = incoming.map((e) => ({ ...e, body: asBuffer(e.body) }));
    const flags = await store.append(events);
    projector.markDirty(events.filter((_, i) => flags[i] === true).map((e) => e.partitionKey));
    return flags;
  },
  quarantine: async (deliveries) => store.quarantine(deliveries.map((d) => ({ ...d, body: asBuffer(d.body) }))),
  markDirty: async (partitionKeys) => projector.markDirty(partitionKeys),
  idle: async () => projector.idle(),
  async close() {
    clearInterval(refresh);
    await projector.idle();
    await deriver.close();
    await store.close();
  },
});
