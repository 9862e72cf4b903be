/**
 * Stored bodies read back as events. The deriving thread keeps what it parsed: a busy session's partition is derived
 * again several times a second, and the ongoing ones every half minute, each time from all of its events, of which
 * only the newest were never parsed before.
 */
import type { PartitionBody } from "../store/event-store.js";
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

/**
 * Events kept between derivations when none is said: a few large ongoing sessions' worth (a 500-person webinar logs
 * about 2,000), some megabytes of the deriving thread's heap.
 */
const DEFAULT_CAPACITY = 20_000;

/**
 * The parsed events of recently derived partitions, by their place in the log (a `seq` names one body for good).
 * The partitions derived longest ago are let go first once more than `capacity` events are kept.
 *
 * @example
 * const parsed = new ParsedEvents();
 * const parse = parsed.parserOf(partitionKey);
 * const events = rows.map(parse); // parses each row's body the first time only
 */
export class ParsedEvents {
  private readonly partitions = new Map<string, Map<number, WherebyEvent | null>>();
  private size = 0;

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** What parses the rows of this partition, each body once while it is kept; it becomes the latest used. */
  parserOf(partitionKey: string): (row: Pick<PartitionBody, "seq" | "body">) => WherebyEvent | null {
    const partition = this.partitions.get(partitionKey) ?? new Map<number, WherebyEvent | null>();
    // Set again (or anew) last: the map's order is the order partitions were last used in.
    this.partitions.delete(partitionKey);
    this.partitions.set(partitionKey, partition);
    return ({ seq, body }) => {
      const kept = partition.get(seq);
      if (kept !== undefined) return kept;
      const event = parseStoredBody(body);
      partition.set(seq, event);
      this.size += 1;
      return event;
    };
  }

  /** Lets the partitions used longest ago go until at most `capacity` events are kept (never the latest used). */
  trim(): void {
    for (const [key, partition] of this.partitions) {
      if (this.size <= this.capacity || this.partitions.size === 1) return;
      this.partitions.delete(key);
      this.size -= partition.size;
    }
  }

  /** How many events are kept. */
  get count(): number {
    return this.size;
  }
}
