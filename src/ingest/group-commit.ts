/**
 * Group commit: deliveries that arrive together are appended in one transaction, and each waits for that commit.
 *
 * While a batch commits, the next gathers; so under load batches grow and the cost of durability (one fsync per
 * commit) is shared, and when idle a lone delivery commits at once. Several batches may be committing at a time:
 * PostgreSQL commits them on connections of their own, and a single writer has the next one at hand when it is done.
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
  /** Most batches committing at once; 1 by default: each batch waits for the one before. */
  commitsInFlight?: number;
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
  private readonly inFlight = new Set<Promise<void>>();
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxPending: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly log: EventLog,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxPending = options.maxPending ?? 20_000;
    this.maxInFlight = options.commitsInFlight ?? 1;
  }

  /** Resolves once the event is committed (or known), rejects when the store failed. */
  submit(event: IncomingEvent): Promise<CommitOutcome> {
    if (this.queue.length >= this.maxPending) return Promise.reject(new StoreBusyError());
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      this.kick();
    });
  }

  /** Resolves when everything submitted so far is committed or failed. */
  async flushed(): Promise<void> {
    while (this.scheduled || this.inFlight.size > 0) {
      if (this.inFlight.size > 0) await Promise.all(this.inFlight);
      else await new Promise((done) => setImmediate(done));
    }
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Starts committing what waits, in the next turn of the event loop, if a batch may start. */
  private kick(): void {
    if (this.scheduled || this.inFlight.size >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    // setImmediate lets every request already read in this turn of the event loop join the batch.
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight.size < this.maxInFlight && this.queue.length > 0) {
        const commit: Promise<void> = this.commit(this.queue.splice(0, this.maxBatch)).finally(() => {
          this.inFlight.delete(commit);
          this.kick();
        });
        this.inFlight.add(commit);
      }
    });
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
