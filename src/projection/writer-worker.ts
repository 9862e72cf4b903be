/**
 * The store writer, on a thread of its own: it appends each batch to the log and keeps the derived sessions current.
 * Commits (an fsync each, on SQLite a blocking one) and derivation then never hold up the thread that answers HTTP.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { IncomingEvent } from "../store/event-store.js";
import { openStore } from "../store/open-store.js";
import { Projector, type MetadataOptions } from "./projector.js";

export interface WriterSettings {
  databaseUrl: string;
  metadata: MetadataOptions;
}

export type WriterRequest =
  | { id: number; op: "append"; events: IncomingEvent[] }
  | { id: number; op: "markDirty"; partitionKeys: string[] }
  | { id: number; op: "idle" }
  | { id: number; op: "close" };

export type WriterMessage =
  | { id: number; ok: true; result?: unknown }
  | { id: number; ok: false; message: string }
  | { id: -1; log: "error"; message: string; partitionKeys: readonly string[] };

const port = parentPort!;
const settings = workerData as WriterSettings;
const store = await openStore(settings.databaseUrl, { queryTimeoutMs: 5_000 });
const projector = new Projector(store, settings.metadata, (error, partitionKeys) =>
  port.postMessage({
    id: -1,
    log: "error",
    message: error instanceof Error ? error.message : String(error),
    partitionKeys,
  } satisfies WriterMessage),
);

async function handle(request: WriterRequest): Promise<unknown> {
  switch (request.op) {
    case "append": {
      // Buffers arrive as plain Uint8Arrays once they have crossed threads.
      const events = request.events.map((e) => ({ ...e, body: Buffer.from(e.body.buffer, e.body.byteOffset, e.body.byteLength) }));
      const flags = await store.append(events);
      projector.markDirty(events.filter((_, i) => flags[i]).map((e) => e.partitionKey));
      return flags;
    }
    case "markDirty":
      projector.markDirty(request.partitionKeys);
      return undefined;
    case "idle":
      return projector.idle();
    case "close":
      await projector.idle();
      await store.close();
      return undefined;
  }
}

port.on("message", (request: WriterRequest) => {
  handle(request).then(
    (result) => port.postMessage({ id: request.id, ok: true, result } satisfies WriterMessage),
    (error: unknown) =>
      port.postMessage({
        id: request.id,
        ok: false,
        message: error instanceof Error ? error.message : String(error),
      } satisfies WriterMessage),
  );
});
port.postMessage({ id: 0, ok: true } satisfies WriterMessage);
