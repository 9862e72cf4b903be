/**
 * Whereby delivers at least once and out of order, so the derivation first reduces what it is given to one copy of
 * each event, in one fixed order: any permutation or duplication of the same events gives the same list.
 */
import {
  isKnownEvent,
  isKnownEventType,
  type KnownEvent,
  type KnownEventType,
  type WherebyEvent,
} from "../whereby/events.js";
import { instantOf } from "../iso-time.js";
import { compareText } from "./compare-text.js";

/** An event with its `createdAt` read once, in milliseconds since the epoch. */
export interface TimedEvent<E extends KnownEvent = KnownEvent> {
  readonly at: number;
  readonly event: E;
}

// Within one millisecond: a knock before the join it leads to, a join before the start it triggers, a leave before
// the end it triggers, and the meeting before what is made of it.
const TIE_ORDER = {
  "room.client.knocked": 0,
  "room.client.knockCancelled": 1,
  "room.client.joined": 2,
  "room.session.started": 3,
  "room.client.left": 4,
  "room.session.ended": 5,
  "transcription.started": 6,
  "recording.finished": 7,
  "transcription.finished": 8,
  "transcription.failed": 9,
  "assistant.requested": 10,
} as const satisfies Record<KnownEventType, number>;

/**
 * The order of the derivation: by time, then by type, then by id.
 *
 * @example
 * timedEvents.sort(compareTimed);
 */
export function compareTimed(a: TimedEvent, b: TimedEvent): number {
  if (a.at !== b.at) return a.at - b.at;
  return TIE_ORDER[a.event.type] - TIE_ORDER[b.event.type] || compareText(a.event.id, b.event.id);
}

/**
 * One copy of each event of a known type, in derivation order. Unknown types and events whose data did not match
 * their documented shape stay in the store but play no part in the figures.
 *
 * @example
 * orderEvents([left, joined, joined]).map((timed) => timed.event.type); // ["room.client.joined", "room.client.left"]
 */
export function orderEvents(events: readonly WherebyEvent[]): TimedEvent[] {
  const seen = new Set<string>();
  const ordered: TimedEvent[] = [];
  for (const event of events) {
    if (seen.has(event.id) || !isKnownEvent(event) || !isKnownEventType(event.type)) continue;
    const at = instantOf(event.createdAt);
    if (Number.isNaN(at)) continue;
    seen.add(event.id);
    ordered.push({ at, event });
  }
  return ordered.sort(compareTimed);
}
