/**
 * What the deriving thread keeps of the partitions it derived lately: their events parsed, and for a session Whereby
 * named, the session as gathered so far (a SessionFold). The next derivation of such a partition then reads and parses
 * only the events stored since, and folds them into the session when they come after all it had (the common case):
 * a busy session costs each new event the same, however many came before it.
 */
import type { SessionFold } from "../attendance/index.js";
import { parseEvent, type WherebyEvent } from "../whereby/events.js";

/** A stored body as the event it is, or null when it no longer parses (it did when it was stored). */
export function parseStoredBody(body: string): WherebyEvent | null {
  try {
    const parsed = parseEvent(JSON.parse(body));
    return parsed.ok ? parsed.event : null;
  } catch {
    return null;
  }
}

export interface PartitionState {
  /** The newest place in the log read for this partition. */
  throughSeq: number;
  /** The stored rows read, those whose body no longer parses included: what the store's count is checked against. */
  rows: number;
  events: WherebyEvent[];
  /** When each event was received, by event id (see DeriveOptions). */
  receivedAt: Map<string, number>;
  /** The session a `session:` partition makes, to fold its next events into; null when they are derived whole. */
  fold: SessionFold | null;
}

/**
 * Events kept when none is said: a school's morning of 500 open classes logs about 35,000, a 5,000-person webinar
 * about 10,000; some tens of megabytes of the deriving thread's heap.
 */
const DEFAULT_CAPACITY = 100_000;

/**
 * The states of recently derived partitions. Those derived longest ago are let go first once more than `capacity`
 * events are kept; a partition let go is read whole again the next time.
 *
 * @example
 * const states = new PartitionStates();
 * await derivePartitions(store, keys, options, states); // reads what is new since the last call, and folds it in
 */
export class PartitionStates {
  private readonly states = new Map<string, PartitionState>();
  private size = 0;

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** The partition's state, which becomes the latest used; undefined when none is kept. */
  take(partitionKey: string): PartitionState | undefined {
    const state = this.states.get(partitionKey);
    if (state === undefined) return undefined;
    this.states.delete(partitionKey);
    this.size -= state.events.length;
    return state;
  }

  /** Keeps the partition's state (anew, or again after {@link take}) as the latest used. */
  keep(partitionKey: string, state: PartitionState): void {
    this.take(partitionKey);
    this.states.set(partitionKey, state);
    this.size += state.events.length;
  }

  /** Lets the partitions used longest ago go until at most `capacity` events are kept (never the latest used). */
  trim(): void {
    for (const [key, state] of this.states) {
      if (this.size <= this.capacity || this.states.size === 1) return;
      this.states.delete(key);
      this.size -= state.events.length;
    }
  }

  /** How many events are kept. */
  get count(): number {
    return this.size;
  }
}
