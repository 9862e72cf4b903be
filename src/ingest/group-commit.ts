/**
 * Group commit: deliveries that arrive together are appended in one transaction, and each waits for that commit.
 *
 * While one batch commits, the next gathers; so under load batches grow and the cost of durability (one fsync per
 * commit) is shared, and when idle a lone delivery commits at once.
 */
import type { IncomingEvent } from "../store/event-store.js";
import type { EventLog } from "./spool.js";

export interface CommitOutcome {
  /** false when the id was already in the log. */
  stored: boolean;
}

export interface GroupCommitOptions {
  /** Most events in one transaction. */
  maxBatch?: number;
  /** Most deliveries waiting; beyond it new ones are refused at once so that Whereby retries later. */
  maxPending?: number;
  /** Called after each committed batch with the events that were new: for derivation and the live stream. */
  onCommitted?: (events: IncomingEvent[]) => void;
  /** Called with the time each commit took, in seconds, and its size. */
  onCommitTimed?: (seconds: number, size: number) => void;
}

interface Waiting {
  event: IncomingEvent;
  resolve: (outcome: CommitOutcome) => void;
  reject: (error: unknown) => void;
}

export class StoreBusyError extends Error {
  constructor() {
    super("too many deliveries are waiting for the store");
  }
}

export class GroupCommitter {
  private queue: Waiting[] = [];
  private running: Promise<void> | null = null;
  private readonly maxBatch: number;
  private readonly maxPending: number;

  constructor(
    private readonly log: EventLog,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxPending = options.maxPending ?? 20_000;
  }

  /** Resolves once the event is committed (or known), rejects when the store failed. */
  submit(event: IncomingEvent): Promise<CommitOutcome> {
    if (this.queue.length >= this.maxPending) return Promise.reject(new StoreBusyError());
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      // setImmediate lets every request already read in this turn of the event loop join the batch.
      this.running ??= new Promise((done) => setImmediate(done)).then(() => this.drain());
    });
  }

  /** Resolves when everything submitted so far is committed or failed. */
  async flushed(): Promise<void> {
    while (this.running) await this.running;
  }

  get pending(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        await this.commit(batch);
      }
    } finally {
      this.running = null;
    }
  }

  private async commit(batch: Waiting[]): Promise<void> {
    const started = process.hrtime.bigint();
    let flags: boolean[];
    try {
      flags = await this.log.append(batch.map((w) => w.event));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    this.options.onCommitTimed?.(Number(process.hrtime.bigint() - started) / 1e9, batch.length);
    batch.forEach((waiting, i) => waiting.resolve({ stored: flags[i] === true }));
    const fresh = batch.filter((_, i) => flags[i]).map((w) => w.event);
    try {
      if (fresh.length > 0) this.options.onCommitted?.(fresh);
    } catch {
      // What listens to commits (the live stream) must never stop the next batch from committing.
    }
  }
}
