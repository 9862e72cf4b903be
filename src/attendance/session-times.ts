/**
 * When a session began and ended (SPEC §3). Whereby reports the end about a minute late, so the effective end is
 * read from the leaves: the last time fewer than two remained.
 */
import type { TimedEvent } from "./event-order.js";
import type { SessionEvents } from "./session-events.js";

/**
 * How long a session may go without an event of its own before it is taken as over. Whereby sends a room's events
 * only until an hour after the room's end, and ends a session about a minute after fewer than two remain: twelve
 * hours in which nobody joined or left is no meeting still going, but one whose end was lost. It is then over as
 * though Whereby had reported its end at its last event, and the same silence between two of its events cuts it
 * (see session-events.ts and room-sessions.ts).
 */
export const SILENCE_MS = 12 * 3_600_000;

export interface SessionTimes {
  /** The session's first event of any kind: where a leave whose join never came is opened. */
  firstAt: number;
  /** Its last event: {@link SILENCE_MS} after it, with no event since, the session is over. */
  lastAt: number;
  startedAt: number;
  reportedEndedAt: number | null;
  /** null while ongoing. */
  endedAt: number | null;
  ongoing: boolean;
  /** Over without a `room.session.ended`: silent for {@link SILENCE_MS}, followed by another session, or emptied alone. */
  endInferred: boolean;
  /** `endedAt`, or `now` while ongoing: where figures stop counting. */
  countedUntil: number;
}

/**
 * The last leave, within [from, to], that took the room from two or more to fewer than two. A leave's `numClients`
 * is the count after it, and a leave takes one client away: one left means two were there, whatever the events
 * before it say (its join may be lost). A leave to none fell from two only if the count before it says so.
 */
function lastFallBelowTwo(events: readonly TimedEvent[], from: number, to: number): number | null {
  let fall: number | null = null;
  let before: number | undefined;
  for (const { at, event } of events) {
    if (event.type !== "room.client.joined" && event.type !== "room.client.left") continue;
    const after = event.data.numClients;
    if (after === undefined) continue;
    const fell = event.type === "room.client.left" && (after === 1 || (after < 2 && (before ?? after + 1) >= 2));
    if (fell && at >= from && at <= to) fall = at;
    before = after;
  }
  return fall;
}

/**
 * When the session started, as SPEC §3 reads it: its `room.session.started`; else the first join that made
 * `numClients` ≥ 2; else its first join. Undefined when it has none of these.
 */
export function startOfEvents(events: readonly TimedEvent[]): number | undefined {
  let firstJoin: number | undefined;
  let firstJoinOfTwo: number | undefined;
  for (const { at, event } of events) {
    if (event.type === "room.session.started") return at;
    if (event.type === "room.client.joined") {
      firstJoin ??= at;
      if ((event.data.numClients ?? 0) >= 2) firstJoinOfTwo ??= at;
    }
  }
  return firstJoinOfTwo ?? firstJoin;
}

/**
 * - startedAt: see {@link startOfEvents}; else the first event.
 * - reportedEndedAt: the last `room.session.ended`, or null.
 * - endedAt: the last fall below two between startedAt and reportedEndedAt; reportedEndedAt if there is none; for a
 *   session closed without a report, the last fall after startedAt or else its last event.
 * - ongoing: no `room.session.ended` yet, except for a room that never held two (Whereby never starts, so never
 *   ends, such a session) and was last reported empty: it ended when the last one left; and except for a session
 *   silent for {@link SILENCE_MS} before `now`, which ended as though its end had been reported at its last event.
 *
 * @example
 * sessionTimes(session, Date.now()).endedAt; // 1772445161873, the last leave before the late `ended`
 */
export function sessionTimes(session: SessionEvents, now: number): SessionTimes {
  const own = session.events.length > 0 ? session.events : session.artifacts;
  // A transcription under way before any join that arrived shows the session was: SPEC §3 counts every event of it.
  const firstAt = Math.min(session.events[0]?.at ?? now, session.artifacts[0]?.at ?? now);
  const lastAt = own[own.length - 1]?.at ?? firstAt;
  let started: number | undefined;
  let reportedEndedAt: number | null = null;
  let everTwo = false;
  /** The last reported count, and when. */
  let count: { at: number; numClients: number } | undefined;
  for (const { at, event } of session.events) {
    if (event.type === "room.session.started") started ??= at;
    else if (event.type === "room.session.ended") reportedEndedAt = at;
    else if (event.type === "room.client.joined" || event.type === "room.client.left") {
      const { numClients } = event.data;
      if (numClients !== undefined) count = { at, numClients };
      // A leave to one means two were there (see lastFallBelowTwo).
      if ((numClients ?? 0) >= 2 || (event.type === "room.client.left" && numClients === 1)) everTwo = true;
    }
  }
  const startedAt = startOfEvents(session.events) ?? firstAt;
  const emptiedAlone = started === undefined && !everTwo && count?.numClients === 0 ? count.at : null;
  const silent = now - lastAt >= SILENCE_MS;
  const ongoing = reportedEndedAt === null && !session.closedWithoutReport && emptiedAlone === null && !silent;
  let endedAt: number | null = null;
  if (emptiedAlone !== null && reportedEndedAt === null) endedAt = emptiedAlone;
  else if (!ongoing) {
    const fall = lastFallBelowTwo(session.events, startedAt, reportedEndedAt ?? lastAt);
    endedAt = fall ?? reportedEndedAt ?? lastAt;
  }
  const endInferred = !ongoing && reportedEndedAt === null;
  return { firstAt, lastAt, startedAt, reportedEndedAt, endedAt, ongoing, endInferred, countedUntil: endedAt ?? now };
}
