/**
 * Where an event belongs before any figure is computed: to the session Whereby named, or else to its room.
 */
import type { WherebyEvent } from "../whereby/events.js";

/** How the id of a session that Whereby gave no roomSessionId begins (see derivedSessionId). */
export const DERIVED_ID_PREFIX = "derived-";

function textField(event: WherebyEvent, field: "roomSessionId" | "roomName"): string | null {
  const data: Record<string, unknown> = event.data ?? {};
  const value = data[field];
  return typeof value === "string" && value !== "" ? value : null;
}

/**
 * @example
 * sessionIdOf(joined); // "3c1f6a2e-8f0b-4d1e-9d6a-2f3b5c7e9a10", or null when Whereby sent none
 */
export function sessionIdOf(event: WherebyEvent): string | null {
  return textField(event, "roomSessionId");
}

/**
 * @example
 * roomNameOf(joined); // "/math-101-87e0497f-40e0-47f1-9a27-fb72fdbc1fda"
 */
export function roomNameOf(event: WherebyEvent): string | null {
  return textField(event, "roomName");
}

/**
 * The partition a derived session came from: its own when Whereby named it, else its room's (a session cut from its
 * room's log has a `derived-` id).
 *
 * @example
 * partitionKeyOfSession({ id: "derived-5b0c…", roomName: "/yoga-1" }); // "room:/yoga-1"
 */
export function partitionKeyOfSession(session: { id: string; roomName: string | null }): string {
  return session.id.startsWith(DERIVED_ID_PREFIX) && session.roomName !== null ? `room:${session.roomName}` : `session:${session.id}`;
}

/**
 * The unit the store recomputes together: `session:<roomSessionId>` when the event has one, else `room:<roomName>`,
 * else null (the event belongs to no session).
 *
 * @example
 * partitionKeyOf(joined); // "session:3c1f6a2e-8f0b-4d1e-9d6a-2f3b5c7e9a10"
 * partitionKeyOf(recordingWithoutSession); // "room:/math-101-87e0497f-40e0-47f1-9a27-fb72fdbc1fda"
 */
export function partitionKeyOf(event: WherebyEvent): string | null {
  const sessionId = sessionIdOf(event);
  if (sessionId !== null) return `session:${sessionId}`;
  const roomName = roomNameOf(event);
  return roomName === null ? null : `room:${roomName}`;
}
