/**
 * Bad delivery, as Whereby's at-least-once webhooks produce it: some events arrive twice (the same id and body),
 * neighbours swap places, and a few arrive only after their session's `room.session.ended`.
 */
import type { KnownEvent } from "../whereby/events.js";
import type { Random } from "./random.js";

/** An event in simulated order, with the session it belongs to. */
export interface OrderedEvent {
  sessionId: string;
  event: KnownEvent;
}

const REORDER_SPAN = 8;
const LATE_SPAN = 50;
const DUPLICATE_SPAN = 30;

/** How often each kind of disorder happens, per event. */
export const CHAOS_ODDS = { duplicate: 0.05, late: 0.03 } as const;

/**
 * The delivery order of events given in simulated order.
 *
 * @example
 * const deliveries = disorder(events, new Random(7)); // longer than events, and shuffled
 */
export function disorder(events: readonly OrderedEvent[], random: Random): KnownEvent[] {
  const endedAt = new Map<string, number>();
  events.forEach(({ sessionId, event }, i) => {
    if (event.type === "room.session.ended") endedAt.set(sessionId, i);
  });
  // Each delivery gets a place in the stream: its own position, jittered; a late one goes after its session's end,
  // beyond the end's own jitter; a duplicate goes a little after the first delivery.
  const deliveries: Array<{ place: number; event: KnownEvent }> = [];
  events.forEach(({ sessionId, event }, i) => {
    const end = endedAt.get(sessionId);
    const late = end !== undefined && i < end && random.chance(CHAOS_ODDS.late);
    const place = late ? end + REORDER_SPAN + random.next() * LATE_SPAN : i + random.next() * REORDER_SPAN;
    deliveries.push({ place, event });
    if (random.chance(CHAOS_ODDS.duplicate)) deliveries.push({ place: place + random.next() * DUPLICATE_SPAN, event });
  });
  return deliveries.sort((a, b) => a.place - b.place).map((d) => d.event);
}
