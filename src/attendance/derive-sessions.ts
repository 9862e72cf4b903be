/**
 * The derivation as a whole: events in, sessions out. Pure: no I/O, no clock, no store.
 */
import type { WherebyEvent } from "../whereby/events.js";
import { compareText } from "./compare-text.js";
import { SessionFold } from "./derive-session.js";
import { orderEvents } from "./event-order.js";
import { groupIntoSessions } from "./session-events.js";
import type { SessionDetail } from "./types.js";

export interface DeriveOptions {
  /**
   * Milliseconds since the epoch. Ongoing sessions and their open connections count to it, and a session silent for
   * 12 hours before it is over (SILENCE_MS).
   */
  now: number;
  /**
   * When each event was received, in milliseconds since the epoch, by event id (the store's receivedAt). An event
   * whose createdAt lies more than 5 minutes after its receipt (CLOCK_SKEW_MS) is placed at its receipt; one without a
   * receipt here is taken as it is dated.
   */
  receivedAt?: ReadonlyMap<string, number>;
  /** The `MEETMETER_METADATA_SECRET` values; may be empty, and then signed metadata is neither verified nor flagged. */
  metadataSecrets: readonly string[];
  /** How old signed metadata may be when its event was created; 2592000 (30 days) if not given. */
  metadataMaxAgeSeconds?: number;
}

/**
 * Events of one or more partitions (see `partitionKeyOf`), in any order and with duplicates, to their sessions,
 * newest `startedAt` first.
 *
 * @example
 * const [latest] = deriveSessions(events, { now: Date.now(), metadataSecrets: [] });
 * latest.participants.map((person) => `${person.displayName}: ${person.attendancePercent}%`);
 */
export function deriveSessions(events: readonly WherebyEvent[], options: DeriveOptions): SessionDetail[] {
  return detailsOf(foldSessions(events, options), options.now);
}

/** The figures of these sessions at `now`, newest `startedAt` first. */
export function detailsOf(folds: readonly SessionFold[], now: number): SessionDetail[] {
  return folds.map((fold) => fold.detail(now)).sort((a, b) => compareText(b.startedAt, a.startedAt) || compareText(a.id, b.id));
}

/**
 * The sessions of these events as {@link SessionFold}s, in no set order: what {@link deriveSessions} gives the figures
 * of, and what a later event of a session may be folded into.
 *
 * @example
 * const [fold] = foldSessions(eventsOfOneSession, { now: Date.now(), metadataSecrets: [] });
 * fold.extend(nextJoin) ? fold.detail(Date.now()) : deriveSessions([...eventsOfOneSession, next], options)[0];
 */
export function foldSessions(events: readonly WherebyEvent[], options: DeriveOptions): SessionFold[] {
  const metadata = { secrets: options.metadataSecrets, maxAgeSeconds: options.metadataMaxAgeSeconds };
  return groupIntoSessions(orderEvents(events, { receivedAt: options.receivedAt }), options.now).map((session) =>
    SessionFold.of(session, metadata),
  );
}

/**
 * The ids of the events each session is derived from, by session id, in derivation order; its recordings and
 * transcriptions aside, as its detail lists those. What tells the sessions cut from one room apart.
 *
 * @example
 * eventIdsBySession(roomEvents, { now: Date.now() }).get("derived-5b0c…"); // that morning's joins, leaves, start and end
 */
export function eventIdsBySession(
  events: readonly WherebyEvent[],
  options: Pick<DeriveOptions, "now" | "receivedAt">,
): Map<string, string[]> {
  const sessions = groupIntoSessions(orderEvents(events, { receivedAt: options.receivedAt }), options.now);
  return new Map(sessions.map((session) => [session.id, session.events.map(({ event }) => event.id)]));
}
