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
 * - a leave without a join opens at the session's first event (`joinInferred`);
 * - a join without a leave closes at the session's effective end (`leftInferred`), or never before its own join;
 *   while the session is ongoing it stays open (`leftAt` null).
 *
 * @example
 * pairConnections(session.events, times); // [{ participantId: "0f9a…", joinedAt, leftAt, joinInferred: false, … }]
 */
export function pairConnections(events: readonly TimedEvent[], times: SessionTimes): ConnectionSpan[] {
  const presences = new Map<string, Presence>();
  const connections: ConnectionSpan[] = [];
  for (const { at, event, participantIdInferred = false } of events) {
    if (event.type !== "room.client.joined" && event.type !== "room.client.left") continue;
    const { participantId } = event.data;
    let presence = presences.get(participantId);
    if (presence === undefined) {
      presence = { open: undefined, seen: false };
      presences.set(participantId, presence);
    }
    if (event.type === "room.client.joined") {
      if (presence.open !== undefined) continue;
      presence.open = { participantId, joinedAt: at, leftAt: null, joinInferred: false, leftInferred: false, participantIdInferred };
      connections.push(presence.open);
    } else if (presence.open !== undefined) {
      presence.open.leftAt = at;
      presence.open = undefined;
    } else if (!presence.seen) {
      connections.push({
        participantId,
        joinedAt: times.firstAt,
        leftAt: at,
        joinInferred: true,
        leftInferred: false,
        participantIdInferred,
      });
    }
    presence.seen = true;
  }
  for (const connection of connections) {
    if (connection.leftAt !== null || times.endedAt === null) continue;
    connection.leftAt = Math.max(connection.joinedAt, times.endedAt);
    connection.leftInferred = true;
  }
  return connections.sort((a, b) => a.joinedAt - b.joinedAt || compareText(a.participantId, b.participantId));
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
