/**
 * The local spool: when PostgreSQL cannot take events, they are committed to a SQLite file on this machine instead,
 * and still answered 200 only after that commit. Once PostgreSQL answers again, the spool is drained into it in
 * arrival order, deduplicated by id, and emptied. If the spool cannot be written either, the append fails and the
 * delivery is answered 503, so that Whereby retries.
 */
import type {
  AppendOutcome,
  EventAppends,
  EventReads,
  EventTrim,
  IncomingEvent,
  QuarantinedDelivery,
  StoreAdmin,
} from "../store/event-store.js";

/** What the spool keeps its events in: a store of its own, which it appends to, reads back in order and trims. */
type SpoolStore = EventAppends & Pick<EventReads, "countEvents" | "scanEvents"> & EventTrim & Pick<StoreAdmin, "close">;

/** What group commit appends to: the store itself, or the store behind a spool. */
export interface EventLog {
  append(events: readonly IncomingEvent[]): Promise<AppendOutcome[]>;
}

export interface SpoolOptions {
  /** Told when the primary store refused a batch, and when it is back. */
  onPrimaryDown?: (error: unknown) => void;
  onPrimaryBack?: (drained: number) => void;
  /** Told of the spooled events that reached the primary store, once they are there. */
  onDrained?: (events: IncomingEvent[]) => void;
  /**
   * Where a spooled event goes that the primary store refuses for what it holds (see AppendOutcome): it was
   * acknowledged, so it is kept there, never dropped, and never retried for ever ahead of every later event.
   */
  quarantine: (deliveries: QuarantinedDelivery[]) => Promise<void>;
  /** Told of each such event once it is in the quarantine. */
  onQuarantined?: (event: IncomingEvent, reason: string) => void;
  /** Told when a drain fails, once for each different reason, so that a drain that keeps failing is seen. */
  onDrainFailed?: (error: unknown) => void;
  /** How often to try the primary store again while the spool holds events. */
  retryMs?: number;
  /**
   * Whether the primary store may be written: false while it has not been migrated (it could not be reached at
   * start), and then everything goes to the spool. Always, by default.
   */
  primaryReady?: () => boolean;
}

const DRAIN_BATCH = 1000;

export class Spool implements EventLog {
  private depthNow = 0;
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private closed = false;
  private drainedSinceDown = 0;
  private lastDrainFailure: string | null = null;

  private constructor(
    private readonly primary: EventLog,
    private readonly spool: SpoolStore,
    private readonly options: SpoolOptions,
  ) {}

  /** Opens over an already migrated spool store; events left from an earlier run are drained first. */
  static async open(primary: EventLog, spool: SpoolStore, options: SpoolOptions): Promise<Spool> {
    const instance = new Spool(primary, spool, options);
    instance.depthNow = await spool.countEvents();
    if (instance.depthNow > 0) instance.schedule(0);
    return instance;
  }

  /** Events committed locally and not yet in the primary store. */
  get depth(): number {
    return this.depthNow;
  }

  get degraded(): boolean {
    return this.depthNow > 0;
  }

  async append(events: readonly IncomingEvent[]): Promise<AppendOutcome[]> {
    // While the spool holds anything, new events queue behind it, so that the primary receives them in order.
    if (this.depthNow === 0 && this.primaryReady()) {
      try {
        return await this.primary.append(events);
      } catch (error) {
        this.drainedSinceDown = 0;
        this.options.onPrimaryDown?.(error);
      }
    }
    const flags = await this.spool.append(events);
    this.depthNow += flags.filter((flag) => flag === true).length;
    this.schedule(this.options.retryMs ?? 1000);
    return flags;
  }

  /** Tries to move everything spooled into the primary store now; resolves when done or when it fails again. */
  async drain(): Promise<void> {
    this.draining ??= this.drainOnce().finally(() => (this.draining = null));
    return this.draining;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.draining;
    await this.spool.close();
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, delayMs);
  }

  private primaryReady(): boolean {
    return this.options.primaryReady?.() ?? true;
  }

  private async drainOnce(): Promise<void> {
    if (!this.primaryReady()) {
      this.schedule(this.options.retryMs ?? 1000);
      return;
    }
    try {
      for (;;) {
        const rows = await this.spool.scanEvents(0, DRAIN_BATCH);
        if (rows.length === 0) {
          if (this.depthNow > 0 || this.drainedSinceDown > 0) this.options.onPrimaryBack?.(this.drainedSinceDown);
          this.depthNow = 0;
          this.drainedSinceDown = 0;
          this.lastDrainFailure = null;
          return;
        }
        // The primary deduplicates by id and derives what is new to it.
        const flags = await this.primary.append(rows);
        const refused = rows.flatMap((row, i) => {
          const flag = flags[i];
          return typeof flag === "object" ? [{ row, reason: flag.refused }] : [];
        });
        if (refused.length > 0) {
          await this.options.quarantine(
            refused.map(({ row, reason }) => ({
              receivedAt: row.receivedAt,
              channel: row.channel,
              reason: "invalid_event",
              message: `Acknowledged and spooled, but the store cannot keep this event: ${reason}`,
              body: row.body,
            })),
          );
          for (const { row, reason } of refused) this.options.onQuarantined?.(row, reason);
        }
        this.options.onDrained?.(rows.filter((_, i) => flags[i] === true));
        await this.spool.deleteEventsThrough(rows.at(-1)!.seq);
        this.depthNow = Math.max(0, this.depthNow - rows.length);
        this.drainedSinceDown += rows.length;
      }
    } catch (error) {
      // The primary store is still away: try again later; the spool keeps everything meanwhile.
      const reason = error instanceof Error ? error.message : String(error);
      if (reason !== this.lastDrainFailure) this.options.onDrainFailed?.(error);
      this.lastDrainFailure = reason;
      this.schedule(this.options.retryMs ?? 1000);
    }
  }
}
