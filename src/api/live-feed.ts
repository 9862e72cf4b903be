/**
 * What keeps this process's live stream current: a tail that reads the event log, poked whenever events may have
 * been stored (a commit here, the spool's drain, another process's notice on PostgreSQL) and otherwise reading once a
 * second. What this process stores is announced to the others a tenth of a second at a time.
 */
import type { EventStore, StoredRelay } from "../store/event-store.js";
import { StoreTail } from "./store-tail.js";

/** How often this process tells the others that it stored events. */
const ANNOUNCE_MS = 100;
/** How often the tail reads when nothing pokes it: what another writer (an import, say) stored shows up by then. */
const POLL_MS = 1000;
/**
 * How long an empty place below stored events holds the stream back on PostgreSQL, whose transactions commit in any
 * order: far longer than a commit of this service takes, and short enough that an event behind a place left empty
 * for ever (a duplicate, a rolled back batch) is shown soon.
 */
export const GAP_WAIT_MS = 3000;

export class LiveFeed {
  /** What this process's live stream follows. */
  readonly tail: StoreTail;
  /** Events were stored here and not yet announced. */
  private unannounced = false;
  private relay: StoredRelay | null = null;
  private readonly announcer: NodeJS.Timeout;

  private constructor(private readonly store: EventStore) {
    // One process writes a SQLite file at a time, in the order of the places: nothing there commits late.
    const gapWaitMs = store.kind === "postgres" ? GAP_WAIT_MS : 0;
    this.tail = new StoreTail(store, { gapWaitMs, pollMs: POLL_MS });
    this.announcer = setInterval(() => this.announce(), ANNOUNCE_MS);
    this.announcer.unref();
  }

  static async start(store: EventStore): Promise<LiveFeed> {
    const feed = new LiveFeed(store);
    feed.relay = await store.relayStored(() => void feed.tail.poke());
    return feed;
  }

  /** This process committed events: the tail reads them, and, on PostgreSQL, the other processes learn of them. */
  committed(): void {
    void this.tail.poke();
    if (this.store.kind === "postgres") this.unannounced = true;
  }

  /** Spooled events reached PostgreSQL: read here, and announced to the other processes. */
  drained(): void {
    void this.tail.poke();
    this.unannounced = true;
  }

  /** Announces what is left to announce, then stops listening to the others and reading the log. */
  async close(): Promise<void> {
    clearInterval(this.announcer);
    this.announce();
    this.tail.close();
    await this.relay?.close();
  }

  private announce(): void {
    if (!this.unannounced || this.relay === null) return;
    this.relay.announce();
    this.unannounced = false;
  }
}
