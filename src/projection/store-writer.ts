/**
 * The HTTP thread's handle on the writer thread (writer-worker.ts): append batches, wait for derivation to catch up.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { IncomingEvent } from "../store/event-store.js";
import type { WriterMessage, WriterRequest, WriterSettings } from "./writer-worker.js";

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type Request = WriterRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

export class StoreWriter {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    onError: (message: string, partitionKeys: readonly string[]) => void,
  ) {
    worker.on("message", (message: WriterMessage) => {
      if ("log" in message) return onError(message.message, message.partitionKeys);
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (message.ok) waiting.resolve(message.result);
      else waiting.reject(new Error(message.message));
    });
    const fail = (error: Error) => {
      this.failure = error;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the store writer stopped (exit code ${code})`)));
  }

  /** Starts the writer thread on the store of `databaseUrl`, already migrated, and waits until it is ready. */
  static async start(
    settings: WriterSettings,
    onError: (message: string, partitionKeys: readonly string[]) => void = () => {},
  ): Promise<StoreWriter> {
    const source = import.meta.url.endsWith(".ts");
    const entry = new URL(source ? "./writer-worker.ts" : "./writer-worker.js", import.meta.url);
    let worker: Worker;
    if (source) {
      // Run from source (tsx, tests), the thread registers the TypeScript loader before it loads its entry.
      const tsxPackage = createRequire(import.meta.url).resolve("tsx/package.json");
      const tsx = pathToFileURL(join(dirname(tsxPackage), "dist/esm/api/index.mjs")).href;
      const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
      worker = new Worker(bootstrap, { eval: true, workerData: settings });
    } else {
      worker = new Worker(entry, { workerData: settings });
    }
    const writer = new StoreWriter(worker, onError);
    await new Promise<void>((resolve, reject) => {
      writer.pending.set(0, { resolve: () => resolve(), reject });
    });
    return writer;
  }

  private call<T>(request: Request): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  /** Appends one batch in one transaction; resolves once it is committed, one flag per event (true: new). */
  append(events: readonly IncomingEvent[]): Promise<boolean[]> {
    return this.call({ op: "append", events: [...events] });
  }

  /** Derives these partitions again soon (after a spool drain, or a rebuild's leftovers). */
  async markDirty(partitionKeys: Iterable<string | null>): Promise<void> {
    const keys = [...partitionKeys].filter((k): k is string => k !== null);
    if (keys.length > 0) await this.call({ op: "markDirty", partitionKeys: keys });
  }

  /** Resolves once every event committed before this call is derived. */
  idle(): Promise<void> {
    return this.call({ op: "idle" });
  }

  async close(): Promise<void> {
    if (!this.failure) await this.call({ op: "close" }).catch(() => {});
    await this.worker.terminate();
  }
}
