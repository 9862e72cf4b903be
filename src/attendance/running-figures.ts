/**
 * An ongoing session's figures move with the clock alone: its duration, the participant seconds and billable minutes
 * of the people still in the room, and each person's connected time and attendance. What they need to be brought to
 * any later instant is small, so a session list shows them current from the saved summary, and a session's detail
 * from its saved detail, never reading or deriving the session's events again.
 */
import { unionLength, type Interval } from "./intervals.js";
import { attendancePercent } from "./persons.js";
import type { Person, SessionDetail, SessionSummary } from "./types.js";
import { SILENCE_MS } from "./session-times.js";
import { secondsOf } from "./time.js";

export interface RunningFigures {
  /** The human connections that have left: their milliseconds, and their billable minutes, each summed. */
  closedMs: number;
  closedMinutes: number;
  /** When each human connection still in the room joined, in milliseconds since the epoch. */
  openJoinedAt: number[];
  /**
   * When the session is over unless another event comes: {@link SILENCE_MS} after its last. Its figures then are no
   * longer these run on, but those of its events derived again (see {@link runsAt}).
   */
  silentAt: number;
}

/**
 * Whether figures brought to `now` from these running figures are what deriving the session's events then would give:
 * until the session falls silent. A row saved before `silentAt` was kept has none, and runs on as before.
 */
export function runsAt(running: RunningFigures, now: number): boolean {
  return running.silentAt === undefined || now < running.silentAt;
}

/**
 * What an ongoing session's summary needs to run on to any later instant (SPEC §3: a connection counts until it
 * leaves, an ongoing session until now); null for an ended session, whose figures no longer move.
 *
 * @example
 * runningFiguresOf(session); // { closedMs: 480000, closedMinutes: 8, openJoinedAt: [1772442000000, 1772442060000] }
 */
export function runningFiguresOf(session: SessionDetail): RunningFigures | null {
  if (!session.ongoing) return null;
  const running: RunningFigures = {
    closedMs: 0,
    closedMinutes: 0,
    openJoinedAt: [],
    silentAt: Date.parse(session.lastEventAt) + SILENCE_MS,
  };
  for (const person of session.participants) {
    for (const connection of person.connections) {
      const joinedAt = Date.parse(connection.joinedAt);
      if (connection.leftAt === null) running.openJoinedAt.push(joinedAt);
      else {
        const ms = Math.max(0, Date.parse(connection.leftAt) - joinedAt);
        running.closedMs += ms;
        running.closedMinutes += Math.ceil(ms / 60_000);
      }
    }
  }
  return running;
}

/**
 * The summary as deriving the session's events at `now` would give it, from the summary saved by any earlier
 * derivation of the same events and its running figures.
 *
 * @example
 * summaryAt(saved, running, Date.now()).participantSeconds; // 3181.873
 */
export function summaryAt<S extends SessionSummary>(summary: S, running: RunningFigures, now: number): S {
  let participantMs = running.closedMs;
  let billableMinutes = running.closedMinutes;
  for (const joinedAt of running.openJoinedAt) {
    const ms = Math.max(0, now - joinedAt);
    participantMs += ms;
    billableMinutes += Math.ceil(ms / 60_000);
  }
  return {
    ...summary,
    durationSeconds: secondsOf(Math.max(0, now - Date.parse(summary.startedAt))),
    participantSeconds: secondsOf(participantMs),
    billableParticipantMinutes: billableMinutes,
  };
}

/**
 * The detail as deriving the session's events at `now` would give it, from a detail derived from the same events at
 * any earlier instant; an ended session's as it is.
 *
 * @example
 * detailAt(saved, Date.now()).participants[0].connectedSeconds; // 1804.5
 */
export function detailAt(session: SessionDetail, now: number): SessionDetail {
  const running = runningFiguresOf(session);
  if (running === null) return session;
  const times = { startedAt: Date.parse(session.startedAt), countedUntil: now };
  const atNow = (person: Person): Person => {
    const intervals = person.connections.map(({ joinedAt, leftAt }): Interval => {
      const joined = Date.parse(joinedAt);
      return [joined, joined + Math.max(0, (leftAt === null ? now : Date.parse(leftAt)) - joined)];
    });
    return {
      ...person,
      connectedSeconds: secondsOf(unionLength(intervals)),
      attendancePercent: attendancePercent(intervals, times),
    };
  };
  return {
    ...summaryAt(session, running, now),
    participants: session.participants.map(atNow),
    bots: session.bots.map(atNow),
  };
}
