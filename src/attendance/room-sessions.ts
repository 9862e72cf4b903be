/**
 * Events that came without a `roomSessionId` are cut into sessions per room. The rule, in time order:
 *
 * - a session is opened by its room's first event;
 * - only a join, a knock or a `room.session.started` can open the next one, and it does so when
 *   - the current session has had its `room.session.ended`, or
 *   - it is a `room.session.started` and the current session has had one already (Whereby starts each session once,
 *     so the first one's end was lost), or
 *   - the room was last reported empty (`numClients` 0) at least {@link EMPTY_ROOM_GAP_MS} before, or
 *   - the room's last event was {@link SILENCE_MS} before (no session goes that long without an event), or
 *   - it is a join that found the room empty (`numClients` 1 after it) at least {@link EMPTY_ROOM_GAP_MS} after the
 *     room's last event: a tab that crashed without its leave left the last count standing, Whereby's count did not;
 * - anything else (a leave, a withdrawn knock, an end) stays with the current session. That is how someone who
 *   lingered alone after Whereby ended the session still leaves it.
 *
 * A session cut off by the next one without its own `room.session.ended` is over all the same: it is not ongoing.
 */
import { createHash } from "node:crypto";
import type { TimedEvent } from "./event-order.js";
import { DERIVED_ID_PREFIX } from "./partition.js";
import { SILENCE_MS, startOfEvents } from "./session-times.js";

/**
 * Whereby ends a session about a minute after fewer than two remain; a room silent and empty for a quarter of an
 * hour without that end means the end was lost, and whoever comes next starts afresh.
 */
export const EMPTY_ROOM_GAP_MS = 15 * 60_000;

export interface RoomSession {
  id: string;
  events: TimedEvent[];
  /** Followed by a later session of its room with no `room.session.ended` of its own. */
  closedWithoutReport: boolean;
}

interface OpenSession {
  events: TimedEvent[];
  started: boolean;
  ended: boolean;
  numClients: number | undefined;
}

/**
 * A stable, URL-safe id for a session Whereby gave none: the same room and start time always give the same id.
 *
 * @example
 * derivedSessionId("/yoga-1", Date.parse("2026-03-02T09:00:00.000Z")); // "derived-" followed by 16 hex digits
 */
export function derivedSessionId(roomName: string, firstAt: number): string {
  const digest = createHash("sha256").update(`${roomName}\n${new Date(firstAt).toISOString()}`, "utf8").digest("hex");
  return `${DERIVED_ID_PREFIX}${digest.slice(0, 16)}`;
}

function opensNext(current: OpenSession, timed: TimedEvent): boolean {
  const { type } = timed.event;
  if (type !== "room.client.joined" && type !== "room.client.knocked" && type !== "room.session.started") return false;
  if (current.ended) return true;
  if (type === "room.session.started" && current.started) return true;
  const last = current.events[current.events.length - 1];
  if (last === undefined || timed.at - last.at < EMPTY_ROOM_GAP_MS) return false;
  if (timed.at - last.at >= SILENCE_MS) return true;
  const foundEmpty = timed.event.type === "room.client.joined" && timed.event.data.numClients === 1;
  return current.numClients === 0 || foundEmpty;
}

function take(session: OpenSession, timed: TimedEvent): void {
  session.events.push(timed);
  const { event } = timed;
  if (event.type === "room.session.ended") session.ended = true;
  else if (event.type === "room.session.started") session.started = true;
  else if (event.type === "room.client.joined" || event.type === "room.client.left") {
    session.numClients = event.data.numClients ?? session.numClients;
  }
}

/**
 * Cuts one room's session-less events (in derivation order, artifacts excluded) into sessions.
 *
 * @example
 * cutRoomIntoSessions("/yoga-1", morningAndEveningEvents).length; // 2
 */
export function cutRoomIntoSessions(roomName: string, events: readonly TimedEvent[]): RoomSession[] {
  const cut: OpenSession[] = [];
  let current: OpenSession | undefined;
  for (const timed of events) {
    if (current === undefined || opensNext(current, timed)) {
      current = { events: [], started: false, ended: false, numClients: undefined };
      cut.push(current);
    }
    take(current, timed);
  }
  return cut.map((session, index) => ({
    // From when it started, not from its first event: a knock or an early join delivered late, as Whereby's retries
    // do, would change the id of a session already linked to.
    id: derivedSessionId(roomName, startOfEvents(session.events) ?? session.events[0]?.at ?? 0),
    events: session.events,
    closedWithoutReport: !session.ended && index < cut.length - 1,
  }));
}
