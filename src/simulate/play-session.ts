/**
 * Plays a session plan the way Whereby's servers would and records what they would send: a new participantId per
 * connection, numClients and numClientsByRoleName as they are after each join and leave (bots included),
 * `room.session.started` when the count reaches two, and `room.session.ended` about a minute after it falls below
 * two, unless it rises again within that minute. A crashed tab leaves the room without a `room.client.left`.
 */
import type { KnownEvent } from "../whereby/events.js";
import type { Identity, SessionPlan } from "./plan.js";
import type { Random } from "./random.js";
import { sessionTruth, type PlayedConnection, type PlayedKnock, type SessionTruth } from "./truth.js";

/** An event with its simulated time in unix milliseconds, for ordering without reparsing `createdAt`. */
export interface TimedEvent {
  at: number;
  event: KnownEvent;
}

/** What playing a plan yields: the events Whereby would send and the truth behind them. */
export interface PlayedSession {
  events: TimedEvent[];
  truth: SessionTruth;
  /** When the last participant left the room: another session may start there after this. */
  vacatedAt: number;
}

/** How long Whereby waits with fewer than two in the room before it reports the end. */
export const END_AFTER_MS = 60_000;

type Action =
  | { at: number; kind: "join" | "leave"; connection: PlayedConnection }
  | { at: number; kind: "knock" | "cancel"; who: Identity; participantId: string }
  | { at: number; kind: "extra"; extra: SessionPlan["extras"][number] };

function actionsOf(plan: SessionPlan, connections: PlayedConnection[], random: Random): Action[] {
  const actions: Action[] = [];
  plan.connections.forEach((planned, i) => {
    const connection = connections[i] as PlayedConnection;
    if (planned.knockedAt !== undefined) {
      actions.push({ at: planned.knockedAt, kind: "knock", who: planned.who, participantId: connection.participantId });
    }
    actions.push({ at: planned.joinAt, kind: "join", connection });
    actions.push({ at: planned.leaveAt, kind: "leave", connection });
  });
  for (const knock of plan.withdrawnKnocks) {
    // A withdrawn knock came from a waiting-room visit of its own, so it has a participantId of its own.
    const participantId = random.uuid();
    actions.push({ at: knock.knockedAt, kind: "knock", who: knock.who, participantId });
    actions.push({ at: knock.cancelledAt, kind: "cancel", who: knock.who, participantId });
  }
  for (const extra of plan.extras) if (typeof extra.at === "number") actions.push({ at: extra.at, kind: "extra", extra });
  return actions.sort((a, b) => a.at - b.at);
}

/**
 * Plays one session of a plan.
 * @throws when the plan breaks the model: a join after the session ended, a crash that empties the session, or no start.
 *
 * @example
 * const { events, truth } = playSession(plan, random);
 */
export function playSession(plan: SessionPlan, random: Random): PlayedSession {
  const roomSessionId = random.uuid();
  const { meetingId, roomName, subdomain } = plan.room;
  // Spelled out rather than spread: an object spread followed by more fields is many times slower in V8, and a
  // webinar run builds hundreds of thousands of these.
  const room = (): Record<string, unknown> => ({ meetingId, roomName, roomSessionId, subdomain });
  const events: TimedEvent[] = [];
  const emit = (at: number, type: KnownEvent["type"], data: Record<string, unknown>): void => {
    const event = { apiVersion: "1.0", id: random.hex(64), createdAt: new Date(at).toISOString(), type, data };
    events.push({ at, event: event as KnownEvent });
  };

  const connections: PlayedConnection[] = plan.connections.map((c) => ({
    who: c.who,
    participantId: random.uuid(),
    joinAt: c.joinAt,
    leaveAt: c.leaveAt,
    crashed: c.crashed,
  }));
  const knocks: PlayedKnock[] = [];
  let knocksCancelled = 0;
  const byRole = new Map<string, number>();
  let count = 0;
  let peak = 0;
  let startedAt: number | null = null;
  let lastFall: number | null = null;
  let endDueAt: number | null = null;
  let reportedEndedAt: number | null = null;
  let vacatedAt = 0;

  const rolesNow = (): Record<string, number> => {
    const roles: Record<string, number> = {};
    for (const [role, n] of byRole) if (n > 0) roles[role] = n;
    return roles;
  };
  const clientData = (c: PlayedConnection): Record<string, unknown> => ({
    meetingId,
    roomName,
    roomSessionId,
    subdomain,
    participantId: c.participantId,
    displayName: c.who.displayName,
    roleName: c.who.roleName,
    numClients: count,
    numClientsByRoleName: rolesNow(),
    metadata: c.who.metadata,
    externalId: c.who.externalId,
    isDialIn: c.who.isDialIn,
  });
  const knockData = (who: Identity, participantId: string): Record<string, unknown> => ({
    meetingId,
    roomName,
    roomSessionId,
    subdomain,
    participantId,
    displayName: who.displayName,
    metadata: who.metadata,
    externalId: who.externalId,
  });
  const extraData = (extra: SessionPlan["extras"][number]): Record<string, unknown> =>
    extra.type === "assistant.requested" ? room() : Object.assign({ roomName, roomSessionId }, extra.fields);

  for (const action of actionsOf(plan, connections, random)) {
    if (endDueAt !== null && action.at >= endDueAt) {
      reportedEndedAt = endDueAt;
      endDueAt = null;
      emit(reportedEndedAt, "room.session.ended", room());
    }
    switch (action.kind) {
      case "join": {
        if (reportedEndedAt !== null) throw new Error(`${roomName}: a join after the session ended.`);
        const role = action.connection.who.roleName;
        count += 1;
        byRole.set(role, (byRole.get(role) ?? 0) + 1);
        peak = Math.max(peak, count);
        emit(action.at, "room.client.joined", clientData(action.connection));
        if (count >= 2) {
          endDueAt = null;
          if (startedAt === null) {
            startedAt = action.at + random.int(20, 400);
            emit(startedAt, "room.session.started", room());
          }
        }
        break;
      }
      case "leave": {
        const { connection } = action;
        const role = connection.who.roleName;
        count -= 1;
        byRole.set(role, (byRole.get(role) ?? 0) - 1);
        vacatedAt = Math.max(vacatedAt, action.at);
        if (connection.crashed) {
          // Whereby sends nothing; the model only allows it where the session goes on, as a real loss would not show.
          if (startedAt !== null && count < 2) throw new Error(`${roomName}: a crash ended the session.`);
          break;
        }
        emit(action.at, "room.client.left", clientData(connection));
        if (startedAt !== null && count === 1) {
          lastFall = action.at;
          if (reportedEndedAt === null) endDueAt = action.at + END_AFTER_MS + random.int(0, 1500);
        }
        break;
      }
      case "knock":
        knocks.push({ who: action.who, participantId: action.participantId, at: action.at });
        emit(action.at, "room.client.knocked", knockData(action.who, action.participantId));
        break;
      case "cancel":
        knocksCancelled += 1;
        emit(action.at, "room.client.knockCancelled", knockData(action.who, action.participantId));
        break;
      case "extra":
        emit(action.at, action.extra.type, extraData(action.extra));
        break;
    }
  }
  if (endDueAt !== null) {
    reportedEndedAt = endDueAt;
    emit(reportedEndedAt, "room.session.ended", room());
  }
  if (startedAt === null || lastFall === null || reportedEndedAt === null) {
    throw new Error(`${roomName}: the plan never brought two people together and apart.`);
  }
  for (const extra of plan.extras) {
    if (typeof extra.at !== "number") emit(reportedEndedAt + extra.at.afterEnd, extra.type, extraData(extra));
  }
  const truth = sessionTruth({
    id: roomSessionId,
    scenario: plan.scenario,
    room: plan.room,
    startedAt,
    endedAt: lastFall,
    reportedEndedAt,
    peak,
    connections,
    knocks,
    knocksCancelled,
  });
  return { events, truth, vacatedAt };
}
