/**
 * Connections: one participantId's stays in a session. Each join is paired with the next leave of the same
 * participantId in time order (SPEC §3).
 *
 * A participantId is one browser tab in Whereby, so it is in the room or not: a join while already in is the same
 * stay reported twice, and a leave after its stay was closed is the same leave reported twice. Both are ignored.
 */
import { compareText } from "./compare-text.js";
import type { TimedEvent } from "./event-order.js";
import type { SessionTimes } from "./session-times.js";

export interface ConnectionSpan {
  participantId: string;
  joinedAt: number;
  /** null while the session is ongoing and this connection has not left. */
  leftAt: number | null;
  joinInferred: boolean;
  leftInferred: boolean;
  /** Whereby sent no participantId: the connection is keyed by role and name instead (see standInParticipantId). */
  participantIdInferred: boolean;
}

interface Presence {
  open: ConnectionSpan | undefined;
  seen: boolean;
}

/**
 * The connections so far, a join or leave at a time in derivation order:
 * - a leave without a join opens at the session's first event (`joinInferred`);
 * - a join without a leave closes at the session's effective end (`leftInferred`), or never before its own join;
 *   while the session is ongoing it stays open (`leftAt` null).
 */
export class ConnectionFold {
  private readonly presences = new Map<string, Presence>();
  private readonly connections: ConnectionSpan[] = [];

  add(timed: TimedEvent): void {
    const { at, event } = timed;
    const participantIdInferred = timed.participantIdInferred === true;
    if (event.type !== "room.client.joined" && event.type !== "room.client.left") return;
    const { participantId } = event.data;
    let presence = this.presences.get(participantId);
    if (presence === undefined) {
      presence = { open: undefined, seen: false };
      this.presences.set(participantId, presence);
    }
    if (event.type === "room.client.joined") {
      if (presence.open === undefined) {
        presence.open = { participantId, joinedAt: at, leftAt: null, joinInferred: false, leftInferred: false, participantIdInferred };
        this.connections.push(presence.open);
      }
    } else if (presence.open !== undefined) {
      presence.open.leftAt = at;
      presence.open = undefined;
    } else if (!presence.seen) {
      // Opened at the session's first event, which only the times know for sure: see spans.
      this.connections.push({ participantId, joinedAt: at, leftAt: at, joinInferred: true, leftInferred: false, participantIdInferred });
    }
    presence.seen = true;
  }

  /** The connections with these times: each in a copy of its own, by join and then participantId. */
  spans(times: Pick<SessionTimes, "firstAt" | "endedAt">): ConnectionSpan[] {
    const spans = this.connections.map((connection) => {
      const span = { ...connection };
      if (span.joinInferred) span.joinedAt = times.firstAt;
      if (span.leftAt === null && times.endedAt !== null) {
        span.leftAt = Math.max(span.joinedAt, times.endedAt);
        span.leftInferred = true;
      }
      return span;
    });
    return spans.sort((a, b) => a.joinedAt - b.joinedAt || compareText(a.participantId, b.participantId));
  }
}

/**
 * How long a connection counts: to its leave, or to `now` while it is still open.
 *
 * @example
 * connectionMs({ joinedAt: 0, leftAt: null, … }, 90_000); // 90000
 */
export function connectionMs(connection: ConnectionSpan, now: number): number {
  return Math.max(0, (connection.leftAt ?? now) - connection.joinedAt);
}
