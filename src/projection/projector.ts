/**
 * Keeps the derived sessions materialised: after events are committed, each partition they touched is derived
 * again from all of its events and saved. Reads wait for pending work, so they see every acknowledged event.
 */
import { deriveSessions, type DeriveOptions } from "../attendance/index.js";
import type { SessionDetail } from "../attendance/types.js";
import type { EventStore, StoredEvent } from "../store/event-store.js";
import { parseEvent, type WherebyEvent } from "../whereby/events.js";

export type MetadataOptions = Omit<DeriveOptions, "now">;

/** The stored bodies as events; a body that no longer parses (it did when stored) is left out. */
export function eventsFromLog(stored: readonly StoredEvent[]): WherebyEvent[] {
  const events: WherebyEvent[] = [];
  for (const row of stored) {
    try {
      const parsed = parseEvent(JSON.parse(row.body.toString("utf8")));
      if (parsed.ok) events.push(parsed.event);
    } catch {
      // Only parseable bodies are ever stored; nothing to derive from one that is not.
    }
  }
  return events;
}

export async function derivePartition(
  store: EventStore,
  partitionKey: string,
  options: DeriveOptions,
): Promise<SessionDetail[]> {
  return deriveSessions(eventsFromLog(await store.eventsOfPartition(partitionKey)), options);
}

export class Projector {
  private dirty = new Set<string>();
  private running: Promise<void> | null = null;
  /** Counts markDirty calls, and how many of them are saved: reads wait for their own moment, not for quiet. */
  private marked = 0;
  private saved = 0;
  private waiters: { until: number; resolve: () => void }[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly options: MetadataOptions,
    private readonly onError: (error: unknown, partitionKey: string) => void = () => {},
  ) {}

  markDirty(partitionKeys: Iterable<string | null>): void {
    for (const key of partitionKeys) if (key !== null) this.dirty.add(key);
    this.marked += 1;
    if (this.dirty.size > 0) this.running ??= this.run();
    else if (!this.running) this.settle(this.marked);
  }

  /** Resolves once every partition marked before this call is saved, even while new events keep coming. */
  idle(): Promise<void> {
    if (this.saved >= this.marked) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ until: this.marked, resolve }));
  }

  private settle(upTo: number): void {
    this.saved = Math.max(this.saved, upTo);
    const ready = this.waiters.filter((w) => w.until <= this.saved);
    this.waiters = this.waiters.filter((w) => w.until > this.saved);
    for (const waiter of ready) waiter.resolve();
  }

  /** Derives one partition now and saves it. */
  async project(partitionKey: string, now = Date.now()): Promise<void> {
    const sessions = await derivePartition(this.store, partitionKey, { ...this.options, now });
    await this.store.replaceSessions(partitionKey, sessions);
  }

  private async run(): Promise<void> {
    try {
      while (this.dirty.size > 0) {
        const upTo = this.marked;
        const keys = [...this.dirty];
        this.dirty.clear();
        for (const key of keys) {
          try {
            await this.project(key);
          } catch (error) {
            // The log holds the truth; a failed projection is retried on the next event or by `meetmeter rebuild`.
            this.onError(error, key);
          }
        }
        this.settle(upTo);
      }
    } finally {
      this.running = null;
      // Marks without partitions that came during the last round are covered by it.
      if (this.dirty.size === 0) this.settle(this.marked);
    }
  }
}
