/**
 * Whether the service's store is in use: reached, migrated and prepared. With a spool, a PostgreSQL out of reach at
 * start is waited for, as one that goes away later is: deliveries are spooled and acknowledged meanwhile, and reads
 * answer 503. Without one, or when the store answers but refuses (a wrong database, password or schema), starting
 * fails.
 */
import type { EventStore } from "./event-store.js";
import { isUnreachable, keepTrying } from "./reach-store.js";

export interface AvailabilityHandlers {
  /** The store could not be reached at start: it is tried again until it can be. */
  onUnreachable: (error: unknown) => void;
  /** Once such a store is migrated and prepared. */
  onReady: () => void;
  /** A later attempt failed (see keepTrying). */
  onFailure: (error: unknown) => void;
}

export class StoreAvailability {
  private stopTrying = () => {};

  private constructor(
    private readonly store: EventStore,
    private unreachable: unknown,
    private inUse: boolean,
  ) {}

  /**
   * Migrates the store, unless `migrated` says it already is. It throws what the store answered, unless `canWait`
   * (there is a spool) and the store could not be reached at all.
   */
  static async migrate(store: EventStore, options: { migrated: boolean; canWait: boolean }): Promise<StoreAvailability> {
    if (options.migrated) return new StoreAvailability(store, null, true);
    try {
      await store.migrate();
      return new StoreAvailability(store, null, true);
    } catch (error) {
      if (!options.canWait || !isUnreachable(error)) throw error;
      return new StoreAvailability(store, error, false);
    }
  }

  /** Whether the store has been reached, migrated and prepared; until then reads answer 503 and nothing drains. */
  get ready(): boolean {
    return this.inUse;
  }

  /** Whether the store answers now. */
  reachable(): Promise<boolean> {
    return this.store.ping().then(
      () => true,
      () => false,
    );
  }

  /** Whether the store answers now and is in use. */
  async available(): Promise<boolean> {
    return (await this.reachable()) && this.inUse;
  }

  /**
   * Prepares the store now when it was reached; otherwise tries it again every few seconds until it can be migrated
   * and prepared, and is then in use.
   */
  async prepare(prepare: () => Promise<void>, handlers: AvailabilityHandlers): Promise<void> {
    if (this.inUse) return prepare();
    handlers.onUnreachable(this.unreachable);
    this.unreachable = null;
    this.stopTrying = keepTrying(this.store, prepare, {
      onReady: () => {
        this.inUse = true;
        handlers.onReady();
      },
      onFailure: handlers.onFailure,
    });
  }

  /** Stops trying a store that was out of reach. */
  stop(): void {
    this.stopTrying();
  }
}
