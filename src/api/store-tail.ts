/**
 * The end of the event log as this process's live stream follows it. It reads the store, not what this process
 * happened to commit: so it hands on, in the order of their places (`seq`), every event stored here, by another
 * process on the same PostgreSQL, or by the spool's drain, and each once. It reads when poked (after a commit here,
 * a drain, a notice from another process) and otherwise once a second, and only while someone watches.
 */
import type { EventReads, StoredEvent } from "../store/event-store.js";
import { SafeHorizon } from "./safe-horizon.js";

/** Events read at a time. */
export const TAIL_PAGE = 100;
/** How many of the newest places are looked at for empty ones when the tail starts. */
const LOOKBACK = 1000;

export interface StoreTailOptions {
  /** How long an empty place below stored events holds the tail back (see SafeHorizon); 0 where writes commit in order. */
  gapWaitMs: number;
  /** How often the tail reads when nothing pokes it. */
  pollMs: number;
  /** A monotonic clock in milliseconds. */
  now?: () => number;
}

export type TailListener = (events: readonly StoredEvent[]) => void;

export class StoreTail {
  private readonly listeners = new Set<TailListener>();
  private readonly watchers = new Set<object>();
  /** Where the tail has read to; null while nobody watches. */
  private horizon: SafeHorizon | null = null;
  private starting: Promise<SafeHorizon> | null = null;
  private reading: Promise<void> | null = null;
  /** A poke came since the read in progress began. */
  private again = false;
  private poll: NodeJS.Timeout | null = null;
  private gapTimer: NodeJS.Timeout | null = null;
  /** Counts the stops: a start begun before one is not taken up after it. */
  private generation = 0;
  private readonly now: () => number;

  constructor(
    private readonly store: Pick<EventReads, "scanEvents" | "newestSeqs">,
    private readonly options: StoreTailOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Hears each batch of events the tail reads, in order. Returns the function that stops hearing them. */
  onEvents(listener: TailListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Someone watches: the tail reads while anyone does. Returns the function that ends this watch. */
  watch(): () => void {
    const watcher = {};
    this.watchers.add(watcher);
    if (this.watchers.size === 1) {
      this.poll = setInterval(() => void this.poke(), this.options.pollMs);
      this.poll.unref();
    }
    return () => {
      if (this.watchers.delete(watcher) && this.watchers.size === 0) this.stop();
    };
  }

  /** Resolves once the tail knows where the log ends (its first read, as watching begins); rejects if the store fails. */
  async ready(): Promise<void> {
    if (this.watchers.size === 0) throw new Error("nobody watches the log's end");
    const starting = (this.starting ??= this.begin());
    try {
      await starting;
    } catch (error) {
      if (this.starting === starting) this.starting = null;
      throw error;
    }
  }

  /**
   * Every place up to here has been handed on (or is taken as never to be filled): a reader that starts below it
   * reads up to it from the store, and takes the rest from the tail.
   */
  get safeSeq(): number {
    return this.horizon?.value ?? 0;
  }

  /** The newest place read: where a subscriber that asks only for new events starts. */
  get newestSeq(): number {
    return this.horizon?.newest ?? 0;
  }

  /** Reads what is new, now. Resolves once a read that began after this call has ended (at once when nobody watches). */
  poke(): Promise<void> {
    if (this.horizon === null) return Promise.resolve();
    this.again = true;
    this.reading ??= this.readWhileAsked(this.horizon);
    return this.reading;
  }

  /** Stops reading for good. */
  close(): void {
    this.watchers.clear();
    this.stop();
  }

  private async begin(): Promise<SafeHorizon> {
    const generation = this.generation;
    const newest = await this.store.newestSeqs(LOOKBACK);
    if (generation !== this.generation) throw new Error("nobody watches the log's end");
    const horizon = SafeHorizon.start(newest, LOOKBACK, this.now(), this.options.gapWaitMs);
    this.horizon = horizon;
    // What was stored since the look, and what an empty place at the start holds back, goes out at the next read.
    void this.poke();
    return horizon;
  }

  private stop(): void {
    this.generation += 1;
    if (this.poll) clearInterval(this.poll);
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.poll = null;
    this.gapTimer = null;
    this.horizon = null;
    this.starting = null;
    this.again = false;
  }

  private async readWhileAsked(horizon: SafeHorizon): Promise<void> {
    try {
      while (this.again && this.horizon === horizon) {
        this.again = false;
        await this.readOnce(horizon);
      }
    } catch {
      // The store is out of reach: the next poke or poll reads again from the same place.
    } finally {
      this.reading = null;
    }
    // A poke for a tail started again while this one was still reading.
    if (this.again && this.horizon !== null && this.horizon !== horizon) void this.poke();
  }

  private async readOnce(horizon: SafeHorizon): Promise<void> {
    const rows = await this.store.scanEvents(horizon.value, TAIL_PAGE);
    if (this.horizon !== horizon) return;
    const passed = horizon.advance(
      rows.map((row) => row.seq),
      this.now(),
    );
    if (passed > 0) this.publish(rows.slice(0, passed));
    if (passed === TAIL_PAGE) this.again = true;
    else if (horizon.waitingUntil !== null) this.wakeAt(horizon.waitingUntil);
  }

  /** Reads again when an empty place will have waited long enough, so that what it holds back goes out then. */
  private wakeAt(at: number): void {
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = setTimeout(
      () => {
        this.gapTimer = null;
        void this.poke();
      },
      Math.max(0, at - this.now()) + 1,
    );
    this.gapTimer.unref();
  }

  private publish(events: readonly StoredEvent[]): void {
    for (const listener of this.listeners) {
      // One listener's failure must not reach the others, nor stop the tail.
      try {
        listener(events);
      } catch {
        // Nothing to do: the listener is the one to know.
      }
    }
  }
}
