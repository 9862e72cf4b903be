/**
 * Group commit: deliveries that arrive together are appended in one transaction, and each waits for that commit.
 *
 * While a batch commits, the next gathers; so under load batches grow and the cost of durability (one fsync per
 * commit) is shared, and when idle a lone delivery commits at once. Several batches may be committing at a time:
 * PostgreSQL commits them on connections of their own, and a single writer has the next one at hand when it is done.
 */
import type { AppendOutcome, IncomingEvent } from "../store/event-store.js";
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
  /**
   * How long a delivery waits for its commit before it is given up on (StoreTimeoutError), in milliseconds;
   * {@link STORE_DEADLINE_MS} by default. The answer is then a 503, which Whereby retries.
   */
  deadlineMs?: number;
}

interface Waiting {
  event: IncomingEvent;
  since: number;
  resolve: (outcome: CommitOutcome) => void;
  reject: (error: unknown) => void;
}

/** The store can never keep this event as it is (see AppendOutcome); the rest of its batch was committed. */
export class EventRefusedError extends Error {
  constructor(readonly reason: string) {
    super(`the store cannot keep this event: ${reason}`);
  }
}

export class StoreBusyError extends Error {
  constructor() {
    super("too many deliveries are waiting for the store");
  }
}

/**
 * The commit did not come in time. The event may still be committed later, and Whereby's retry is then answered as
 * a duplicate; nothing is answered 200 that was not committed.
 */
export class StoreTimeoutError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`the store did not commit within ${deadlineMs} ms`);
  }
}

/** How often waiting deliveries are checked against the deadline. */
const DEADLINE_CHECK_MS = 250;

/** How long a delivery may wait for the store: its answer is then out before Whereby's own 5 s timeout. */
export const STORE_DEADLINE_MS = 4_000;

export class GroupCommitter {
  private queue: Waiting[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** The deliveries of the batches being committed, each batch in the order it was sent. */
  private readonly committing = new Set<Waiting[]>();
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxPending: number;
  private readonly maxInFlight: number;
  private readonly deadlineMs: number;
  private readonly deadlineCheck: NodeJS.Timeout;

  constructor(
    private readonly log: EventLog,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxPending = options.maxPending ?? 20_000;
    this.maxInFlight = options.commitsInFlight ?? 1;
    this.deadlineMs = options.deadlineMs ?? STORE_DEADLINE_MS;
    // One timer for all: a timer per delivery would cost the thread that answers them.
    this.deadlineCheck = setInterval(() => this.giveUpLate(), Math.min(DEADLINE_CHECK_MS, this.deadlineMs));
    this.deadlineCheck.unref();
  }

  /** Resolves once the event is committed (or known), rejects when the store failed. */
  submit(event: IncomingEvent): Promise<CommitOutcome> {
    if (this.queue.length >= this.maxPending) return Promise.reject(new StoreBusyError());
    return new Promise((resolve, reject) => {
      this.queue.push({ event, since: Date.now(), resolve, reject });
      this.kick();
    });
  }

  /** Stops checking deadlines; what waits is still committed. */
  close(): void {
    clearInterval(this.deadlineCheck);
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

  /**
   * Rejects every delivery waiting longer than the deadline. Those still queued are dropped from the queue; those whose
   * batch is being committed stay in it (a promise once rejected ignores its later resolution).
   */
  private giveUpLate(): void {
    const limit = Date.now() - this.deadlineMs;
    const late = (waiting: Waiting) => waiting.since <= limit;
    const error = new StoreTimeoutError(this.deadlineMs);
    for (const batch of this.committing) for (const waiting of batch) if (late(waiting)) waiting.reject(error);
    // The queue is in the order deliveries came: the late ones are its head.
    const onTime = this.queue.findIndex((waiting) => !late(waiting));
    for (const waiting of this.queue.splice(0, onTime === -1 ? this.queue.length : onTime)) waiting.reject(error);
  }

  private async commit(batch: Waiting[]): Promise<void> {
    const started = process.hrtime.bigint();
    let flags: AppendOutcome[];
    this.committing.add(batch);
    try {
      flags = await this.log.append(batch.map((w) => w.event));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    } finally {
      this.committing.delete(batch);
    }
    this.options.onCommitTimed?.(Number(process.hrtime.bigint() - started) / 1e9, batch.length);
    batch.forEach((waiting, i) => {
      const flag = flags[i];
      if (typeof flag === "object") waiting.reject(new EventRefusedError(flag.refused));
      else waiting.resolve({ stored: flag === true });
    });
    const fresh = batch.filter((_, i) => flags[i] === true).map((w) => w.event);
    try {
      if (fresh.length > 0) this.options.onCommitted?.(fresh);
    } catch {
      // What listens to commits (the live stream) must never stop the next batch from committing.
    }
  }
}
