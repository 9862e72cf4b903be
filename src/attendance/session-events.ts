/**
 * Groups ordered events into sessions: by `roomSessionId` where Whereby gave one, by the room's own rhythm where it
 * did not (see room-sessions.ts), and attaches session-less recordings and transcriptions to their room's session.
 */
import { compareText } from "./compare-text.js";
import { compareTimed, type TimedEvent } from "./event-order.js";
import { isArtifact } from "./event-kinds.js";
import { roomNameOf, sessionIdOf } from "./partition.js";
import { artifactsUntil } from "./room-artifacts.js";
import { cutRoomIntoSessions } from "./room-sessions.js";
import { SILENCE_MS } from "./session-times.js";

export interface SessionEvents {
  id: string;
  roomName: string | null;
  /** Joins, leaves, knocks, start and end, in derivation order. */
  events: TimedEvent[];
  /** Recordings, transcriptions and assistant requests, in derivation order. */
  artifacts: TimedEvent[];
  /** Cut from its room's log by a later session, without a `room.session.ended` of its own: over, not ongoing. */
  closedWithoutReport: boolean;
}

interface RoomLog {
  events: TimedEvent[];
  artifacts: TimedEvent[];
}

function mapEntry<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/**
 * A session Whereby named is one meeting, and none goes {@link SILENCE_MS} without an event: of events that far apart,
 * the earlier ones carry a clock that was wrong (a join dated years back would otherwise make a connection of years).
 * The session is its events from the last such silence on; those before it play no part in its figures, nor do
 * recordings or transcriptions that far before its first event (a leave without its join opens at the first of any).
 */
function sinceLastSilence(session: SessionEvents): void {
  const { events } = session;
  for (let i = events.length - 1; i > 0; i -= 1) {
    if (events[i]!.at - events[i - 1]!.at >= SILENCE_MS) {
      session.events = events.slice(i);
      break;
    }
  }
  const first = session.events[0];
  if (first !== undefined) session.artifacts = session.artifacts.filter(({ at }) => first.at - at < SILENCE_MS);
}

/**
 * From the session's first event to the grace after its last (see artifactsUntil); without end while the session may
 * still go on at `now` (it is over once silent for {@link SILENCE_MS}).
 */
function spanOf(session: SessionEvents, now: number): { start: number; end: number } {
  const own = session.events.length > 0 ? session.events : session.artifacts;
  const start = own[0]?.at ?? 0;
  const last = own[own.length - 1]?.at ?? start;
  const over =
    session.closedWithoutReport ||
    now - last >= SILENCE_MS ||
    session.events.some((timed) => timed.event.type === "room.session.ended");
  return { start, end: artifactsUntil(last, !over) };
}

/** Each artifact goes to the latest-starting session of its room whose span holds it; none, and it is left out. */
function attachArtifacts(artifacts: readonly TimedEvent[], sessions: readonly SessionEvents[], now: number): void {
  if (artifacts.length === 0 || sessions.length === 0) return;
  const spans = sessions.map((session) => ({ session, ...spanOf(session, now) }));
  const touched = new Set<SessionEvents>();
  for (const artifact of artifacts) {
    const [home] = spans
      .filter((span) => span.start <= artifact.at && artifact.at <= span.end)
      .sort((a, b) => b.start - a.start || compareText(a.session.id, b.session.id));
    if (home === undefined) continue;
    home.session.artifacts.push(artifact);
    touched.add(home.session);
  }
  for (const session of touched) session.artifacts.sort(compareTimed);
}

/**
 * @example
 * groupIntoSessions(orderEvents(events, {}), Date.now()).map((session) => session.id); // ["3c1f6a2e-…", "derived-5b0c…"]
 */
export function groupIntoSessions(ordered: readonly TimedEvent[], now: number): SessionEvents[] {
  const named = new Map<string, SessionEvents>();
  const rooms = new Map<string, RoomLog>();
  for (const timed of ordered) {
    const sessionId = sessionIdOf(timed.event);
    const roomName = roomNameOf(timed.event);
    if (sessionId !== null) {
      const session = mapEntry(named, sessionId, () => ({
        id: sessionId,
        roomName: null,
        events: [],
        artifacts: [],
        closedWithoutReport: false,
      }));
      session.roomName ??= roomName;
      (isArtifact(timed.event) ? session.artifacts : session.events).push(timed);
    } else if (roomName !== null) {
      const room = mapEntry(rooms, roomName, () => ({ events: [], artifacts: [] }));
      (isArtifact(timed.event) ? room.artifacts : room.events).push(timed);
    }
  }

  const sessions = [...named.values()];
  for (const session of sessions) sinceLastSilence(session);
  const byRoom = new Map<string, SessionEvents[]>();
  for (const session of sessions) {
    if (session.roomName !== null) mapEntry(byRoom, session.roomName, () => []).push(session);
  }
  for (const [roomName, room] of rooms) {
    const ofRoom = mapEntry(byRoom, roomName, () => []);
    for (const cut of cutRoomIntoSessions(roomName, room.events)) {
      const session = { ...cut, roomName, artifacts: [] };
      sessions.push(session);
      ofRoom.push(session);
    }
    attachArtifacts(room.artifacts, ofRoom, now);
  }
  return sessions;
}
