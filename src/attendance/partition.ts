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
 * The partition of the events Whereby sent with this roomSessionId.
 *
 * @example
 * sessionPartitionKey("3c1f6a2e-…"); // "session:3c1f6a2e-…"
 */
export function sessionPartitionKey(roomSessionId: string): string {
  return `session:${roomSessionId}`;
}

/**
 * The partition of a room's events that name no session: the sessions cut from its log, and its artifacts.
 *
 * @example
 * roomPartitionKey("/yoga-1"); // "room:/yoga-1"
 */
export function roomPartitionKey(roomName: string): string {
  return `room:${roomName}`;
}

/**
 * The partition a derived session came from: its own when Whereby named it, else its room's (a session cut from its
 * room's log has a `derived-` id).
 *
 * @example
 * partitionKeyOfSession({ id: "derived-5b0c…", roomName: "/yoga-1" }); // "room:/yoga-1"
 */
export function partitionKeyOfSession(session: { id: string; roomName: string | null }): string {
  return session.id.startsWith(DERIVED_ID_PREFIX) && session.roomName !== null
    ? roomPartitionKey(session.roomName)
    : sessionPartitionKey(session.id);
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
  if (sessionId !== null) return sessionPartitionKey(sessionId);
  const roomName = roomNameOf(event);
  return roomName === null ? null : roomPartitionKey(roomName);
}
