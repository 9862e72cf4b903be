/**
 * What the live stream shows: the events this process stores, and, when anyone here is watching, those that other
 * processes on the same database store, which the store's relay tells of. What this process stores is announced to
 * the others a tenth of a second at a time.
 */
import type { EventStore, IncomingEvent, StoredRelay } from "../store/event-store.js";
import { LiveEvents } from "./live-events.js";

/** How often the ids stored here are announced to the other processes. */
const ANNOUNCE_MS = 100;

export class LiveFeed {
  /** What this process's live stream subscribes to. */
  readonly events = new LiveEvents();
  /** Ids stored here and not yet announced. */
  private announcing: string[] = [];
  private relay: StoredRelay | null = null;
  private readonly announcer: NodeJS.Timeout;

  private constructor(private readonly store: EventStore) {
    this.announcer = setInterval(() => this.announce(), ANNOUNCE_MS);
    this.announcer.unref();
  }

  static async start(store: EventStore): Promise<LiveFeed> {
    const feed = new LiveFeed(store);
    feed.relay = await store.relayStored((ids) => feed.storedElsewhere(ids));
    return feed;
  }

  /** Events this process committed: shown here, and, on PostgreSQL, to the other processes on it. */
  committed(events: readonly IncomingEvent[]): void {
    this.events.publish(events);
    if (this.store.kind === "postgres") for (const event of events) this.announcing.push(event.id);
  }

  /** Spooled events that reached PostgreSQL: the other processes learn of them once it holds them. */
  drained(events: readonly IncomingEvent[]): void {
    for (const event of events) this.announcing.push(event.id);
  }

  /** Announces what is left to announce, then stops listening to the others. */
  async close(): Promise<void> {
    clearInterval(this.announcer);
    this.announce();
    await this.relay?.close();
  }

  private announce(): void {
    if (this.announcing.length === 0 || this.relay === null) return;
    this.relay.announce(this.announcing);
    this.announcing = [];
  }

  private storedElsewhere(ids: string[]): void {
    if (this.events.size === 0) return;
    // The events these ids name, as the log holds them.
    this.store.listEvents({ session: { partitionKey: null, ids } }, ids.length, null).then(
      (page) => this.events.publish(page.results),
      () => {},
    );
  }
}
