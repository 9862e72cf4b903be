/**
 * Persons: a participant's connections gathered across rejoins and tabs under one key, with their attendance.
 */
import type { Person } from "./types.js";
import { connectionMs, type ConnectionSpan } from "./connections.js";
import type { ParticipantIdentity } from "./identity.js";
import { unionLength, type Interval } from "./intervals.js";
import type { SessionTimes } from "./session-times.js";
import { secondsOf, type IsoFormatter } from "./time.js";

export interface PersonContext {
  times: SessionTimes;
  identities: ReadonlyMap<string, ParticipantIdentity>;
  waitedMs: ReadonlyMap<string, number | null>;
  now: number;
  isoOf: IsoFormatter;
}

function identityOf(participantId: string, context: PersonContext): ParticipantIdentity {
  return (
    context.identities.get(participantId) ?? {
      participantId,
      key: `participant:${participantId}`,
      bot: false,
      displayName: null,
      roleName: null,
      externalId: null,
      metadata: null,
      metadataSubject: null,
      metadataVerified: null,
      metadataProblem: null,
    }
  );
}

/**
 * Attendance is the person's connected time within [startedAt, endedAt] (or now while ongoing), as a share of the
 * session's length, one decimal; null for a session of no length.
 */
export function attendancePercent(
  intervals: readonly Interval[],
  times: Pick<SessionTimes, "startedAt" | "countedUntil">,
): number | null {
  const durationMs = times.countedUntil - times.startedAt;
  if (durationMs <= 0) return null;
  const attendedMs = unionLength(intervals, [times.startedAt, times.countedUntil]);
  return Math.round((attendedMs * 1000) / durationMs) / 10;
}

function first(identities: readonly ParticipantIdentity[], field: "displayName" | "roleName" | "externalId") {
  for (const identity of identities) if (identity[field] !== null) return identity[field];
  return null;
}

/** Each field from the person's earliest connection that has it; the metadata fields travel together. */
function describe(identities: readonly ParticipantIdentity[]) {
  const withMetadata = identities.find((identity) => identity.metadata !== null);
  return {
    displayName: first(identities, "displayName"),
    roleName: first(identities, "roleName"),
    externalId: first(identities, "externalId"),
    metadata: withMetadata?.metadata ?? null,
    metadataSubject: withMetadata?.metadataSubject ?? null,
    metadataVerified: withMetadata?.metadataVerified ?? null,
    metadataProblem: withMetadata?.metadataProblem ?? null,
  };
}

/** `connections` in time order, so the first is the earliest join. */
function personOf(key: string, connections: readonly ConnectionSpan[], context: PersonContext): Person {
  const { isoOf } = context;
  const identities: ParticipantIdentity[] = [];
  const intervals: Interval[] = [];
  let lastLeftAt: number | null = Number.NEGATIVE_INFINITY;
  for (const connection of connections) {
    const identity = identityOf(connection.participantId, context);
    if (!identities.includes(identity)) identities.push(identity);
    intervals.push([connection.joinedAt, connection.joinedAt + connectionMs(connection, context.now)]);
    lastLeftAt = connection.leftAt === null || lastLeftAt === null ? null : Math.max(lastLeftAt, connection.leftAt);
  }
  const waited = context.waitedMs.get(key);
  return {
    key,
    ...describe(identities),
    firstJoinedAt: connections[0] === undefined ? null : isoOf(connections[0].joinedAt),
    lastLeftAt: lastLeftAt === null ? null : isoOf(lastLeftAt),
    connectedSeconds: secondsOf(unionLength(intervals)),
    attendancePercent: attendancePercent(intervals, context.times),
    waitedSeconds: waited === undefined || waited === null ? null : secondsOf(waited),
    connections: connections.map((connection) => ({
      participantId: connection.participantId,
      joinedAt: isoOf(connection.joinedAt),
      leftAt: connection.leftAt === null ? null : isoOf(connection.leftAt),
      joinInferred: connection.joinInferred,
      leftInferred: connection.leftInferred,
      participantIdInferred: connection.participantIdInferred,
    })),
  };
}

/**
 * Gathers connections (in time order) into persons, humans and bots apart, each list in order of first join.
 *
 * @example
 * const { participants, bots } = gatherPersons(connections, context);
 * participants[0].key; // "external:teacher-7"
 */
export function gatherPersons(
  connections: readonly ConnectionSpan[],
  context: PersonContext,
): { participants: Person[]; bots: Person[] } {
  const humans = new Map<string, ConnectionSpan[]>();
  const machines = new Map<string, ConnectionSpan[]>();
  for (const connection of connections) {
    const identity = identityOf(connection.participantId, context);
    const group = identity.bot ? machines : humans;
    const ofPerson = group.get(identity.key);
    if (ofPerson === undefined) group.set(identity.key, [connection]);
    else ofPerson.push(connection);
  }
  const persons = (group: Map<string, ConnectionSpan[]>) =>
    [...group].map(([key, ofPerson]) => personOf(key, ofPerson, context));
  return { participants: persons(humans), bots: persons(machines) };
}
