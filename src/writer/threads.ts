/**
 * Calls to a thread of ours and their answers: each call carries an id, each answer settles that id's promise.
 * The writer thread (writer-worker.ts) and the deriving thread (derive-worker.ts) are both reached this way; what
 * they take and answer is typed in protocol.ts.
 */
import { parentPort, Worker } from "node:worker_threads";
import type { Answer, Calls, Notice, Request } from "./protocol.js";

/**
 * Each thread's young generation, at most. By default every V8 heap may grow its own to about 48 MB; measured on a
 * 1,000,000-event store, capping our two threads' at 16 MB took `meetmeter serve` from 286 to 308 MB of peak RSS under
 * reads to 268 to 278, and `meetmeter rebuild` from 274 to 302 MB to 279 to 285, at no cost in speed.
 */
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 16 };

/**
 * Starts the thread whose module sits beside `beside` (this one by default) as `<name>.ts` (from source) or
 * `<name>.js` (built).
 */
function spawn(name: string, workerData: unknown, beside: string): Worker {
  const source = beside.endsWith(".ts");
  const entry = new URL(`./${name}${source ? ".ts" : ".js"}`, beside);
  if (!source) return new Worker(entry, { workerData, resourceLimits: RESOURCE_LIMITS });
  // Run from source (tests, benchmarks), the thread registers tsx's TypeScript loader before it loads its entry.
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, resourceLimits: RESOURCE_LIMITS });
}

export class Thread<T extends Calls<T>, N = never> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private failure: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    name: string,
    onNotice: (notice: N) => void,
  ) {
    worker.on("message", (message: Answer | Notice<N>) => {
      if ("notice" in message) return onNotice(message.notice);
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
    worker.on("exit", (code) => fail(new Error(`the ${name} thread stopped (exit code ${code})`)));
  }

  /**
   * Starts the thread and waits until it says it is ready (or fails to start). Its module is `<name>` beside this
   * file, or beside the module `beside` names (its import.meta.url).
   */
  static async start<T extends Calls<T>, N = never>(
    name: string,
    workerData: unknown,
    onNotice: (notice: N) => void = () => {},
    beside: string = import.meta.url,
  ): Promise<Thread<T, N>> {
    const thread = new Thread<T, N>(spawn(name, workerData, beside), name, onNotice);
    await new Promise<unknown>((resolve, reject) => thread.pending.set(0, { resolve, reject }));
    return thread;
  }

  call<Op extends keyof T>(op: Op, ...args: Parameters<T[Op]>): Promise<ReturnType<T[Op]>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, op, args } satisfies Request<T, Op>);
    });
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Inside a thread: each call's handler, by name. */
export type Handlers<T extends Calls<T>> = {
  [Op in keyof T]: (...args: Parameters<T[Op]>) => Promise<ReturnType<T[Op]>>;
};

/** Inside a thread: answers each call with its handler, then tells the starter it is ready. */
export function serveCalls<T extends Calls<T>>(handlers: Handlers<T>): void {
  const port = parentPort!;
  port.on("message", ({ id, op, args }: Request<T>) => {
    handlers[op](...args).then(
      (result) => port.postMessage({ id, ok: true, result } satisfies Answer),
      (error: unknown) =>
        port.postMessage({ id, ok: false, message: error instanceof Error ? error.message : String(error) } satisfies Answer),
    );
  });
  port.postMessage({ id: 0, ok: true } satisfies Answer);
}

/** Inside a thread: tells the starter something it did not ask for. */
export function notify<N>(notice: N): void {
  parentPort!.postMessage({ id: -1, notice } satisfies Notice<N>);
}
