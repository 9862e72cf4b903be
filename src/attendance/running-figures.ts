/**
 * An ongoing session's figures move with the clock alone: its duration, and the participant seconds and billable
 * minutes of the people still in the room. What they need to be brought to any later instant is small, so a session
 * list can show them current from the saved summary, never reading or deriving a session's events again.
 */
import type { SessionDetail, SessionSummary } from "./types.js";
import { secondsOf } from "./time.js";

export interface RunningFigures {
  /** The human connections that have left: their milliseconds, and their billable minutes, each summed. */
  closedMs: number;
  closedMinutes: number;
  /** When each human connection still in the room joined, in milliseconds since the epoch. */
  openJoinedAt: number[];
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
  const running: RunningFigures = { closedMs: 0, closedMinutes: 0, openJoinedAt: [] };
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
export function summaryAt(summary: SessionSummary, running: RunningFigures, now: number): SessionSummary {
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
