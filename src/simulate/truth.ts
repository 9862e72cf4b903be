/**
 * The ground truth: what really happened in each simulated session, in SPEC §3's terms, worked out by the model from
 * what it simulated rather than from the events it sent. Tests hold meetmeter's derivation against it.
 */
import { BOT_ROLES } from "../whereby/events.js";
import type { Identity, ModelledScenario, Room } from "./plan.js";
import type { Scenario } from "./scenarios.js";
import type { MeetingTruth } from "./schedule.js";

/** One connection as it really was, closed where SPEC §3 closes it. */
export interface ConnectionTruth {
  participantId: string;
  joinedAt: string;
  /** For a crashed tab, the session's real end: SPEC §3 closes a join without a leave there. */
  leftAt: string;
  leftInferred: boolean;
}

/** One person (or bot) of a session, with their real time in it. */
export interface PersonTruth {
  /** `external:<externalId>`, `metadata:<subject>` or `participant:<participantId>`, as SPEC §3 keys persons. */
  key: string;
  displayName: string;
  roleName: string;
  /** Length of the union of the person's connections (two tabs at once count once). */
  connectedSeconds: number;
  /** From the person's first knock to their next join; null when they never knocked. */
  waitedSeconds: number | null;
  connections: ConnectionTruth[];
}

/** One session as it really was, in the fields and units of the read API (SPEC §3, §4). */
export interface SessionTruth {
  /** The roomSessionId. */
  id: string;
  /** The model that played this session (a `chaos` run mixes all three). */
  scenario: ModelledScenario;
  roomName: string;
  meetingId: string;
  startedAt: string;
  /** When the number in the room really fell below two for the last time. */
  endedAt: string;
  /** When Whereby reported the end, about a minute later. */
  reportedEndedAt: string;
  durationSeconds: number;
  /** The highest numClients reported (bots count, as Whereby counts them). */
  peakParticipants: number;
  uniqueParticipants: number;
  participantSeconds: number;
  billableParticipantMinutes: number;
  knocks: number;
  knocksCancelled: number;
  participants: PersonTruth[];
  bots: PersonTruth[];
}

/** Everything a traffic run really contained, session by session, in simulated order. */
export interface Truth {
  scenario: Scenario;
  seed: number;
  start: string;
  /** Distinct events (a chaos run delivers some of them more than once). */
  events: number;
  /** Deliveries in the traffic, duplicates included. */
  deliveries: number;
  sessions: SessionTruth[];
  /** The roster result each planned lesson and appointment should give (see schedule.ts). */
  meetings: MeetingTruth[];
}

/** A connection as the model played it. */
export interface PlayedConnection {
  who: Identity;
  participantId: string;
  joinAt: number;
  /** When it really ended; meaningless for a crashed tab, whose figures run to the session's end. */
  leaveAt: number;
  crashed: boolean;
}

export interface PlayedKnock {
  who: Identity;
  participantId: string;
  at: number;
}

/** What the model observed while playing one session, in unix milliseconds. */
export interface PlayedFacts {
  id: string;
  scenario: ModelledScenario;
  room: Room;
  startedAt: number;
  endedAt: number;
  reportedEndedAt: number;
  peak: number;
  connections: PlayedConnection[];
  knocks: PlayedKnock[];
  knocksCancelled: number;
}

/**
 * The person key of SPEC §3, in its order of preference.
 *
 * @example
 * personKey({ externalId: "teacher-7", ... }, "0f9a…"); // "external:teacher-7"
 */
export function personKey(who: Identity, participantId: string): string {
  if (who.externalId) return `external:${who.externalId}`;
  if (who.metadataSubject) return `metadata:${who.metadataSubject}`;
  return `participant:${participantId}`;
}

/**
 * Total length of a set of intervals, overlaps counted once.
 *
 * @example
 * unionLength([[0, 10], [5, 20], [30, 40]]); // 30
 */
export function unionLength(intervals: ReadonlyArray<readonly [number, number]>): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let open: [number, number] | null = null;
  for (const [from, to] of sorted) {
    if (open && from <= open[1]) open[1] = Math.max(open[1], to);
    else {
      if (open) total += open[1] - open[0];
      open = [from, to];
    }
  }
  return open ? total + open[1] - open[0] : total;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const seconds = (ms: number): number => ms / 1000;

function people(facts: PlayedFacts, connections: PlayedConnection[]): PersonTruth[] {
  const byKey = new Map<string, { who: Identity; connections: PlayedConnection[] }>();
  for (const connection of [...connections].sort((a, b) => a.joinAt - b.joinAt)) {
    const key = personKey(connection.who, connection.participantId);
    const person = byKey.get(key) ?? { who: connection.who, connections: [] };
    person.connections.push(connection);
    byKey.set(key, person);
  }
  const closedAt = (c: PlayedConnection): number => (c.crashed ? facts.endedAt : c.leaveAt);
  return [...byKey].map(([key, person]) => {
    const firstKnock = facts.knocks
      .filter((k) => personKey(k.who, k.participantId) === key)
      .reduce<number | null>((first, k) => (first === null || k.at < first ? k.at : first), null);
    const admittedAt =
      firstKnock === null ? undefined : person.connections.map((c) => c.joinAt).find((at) => at >= firstKnock);
    return {
      key,
      displayName: person.who.displayName,
      roleName: person.who.roleName,
      connectedSeconds: seconds(unionLength(person.connections.map((c) => [c.joinAt, closedAt(c)] as const))),
      waitedSeconds: firstKnock === null || admittedAt === undefined ? null : seconds(admittedAt - firstKnock),
      connections: person.connections.map((c) => ({
        participantId: c.participantId,
        joinedAt: iso(c.joinAt),
        leftAt: iso(closedAt(c)),
        leftInferred: c.crashed,
      })),
    };
  });
}

/**
 * Works out a session's truth from what the model played, with SPEC §3's formulas.
 *
 * @example
 * const truth = sessionTruth(facts);
 * truth.billableParticipantMinutes; // each human connection rounded up to whole minutes, summed
 */
export function sessionTruth(facts: PlayedFacts): SessionTruth {
  const humans = facts.connections.filter((c) => !BOT_ROLES.has(c.who.roleName));
  const bots = facts.connections.filter((c) => BOT_ROLES.has(c.who.roleName));
  const lengths = humans.map((c) => (c.crashed ? facts.endedAt : c.leaveAt) - c.joinAt);
  const participants = people(facts, humans);
  return {
    id: facts.id,
    scenario: facts.scenario,
    roomName: facts.room.roomName,
    meetingId: facts.room.meetingId,
    startedAt: iso(facts.startedAt),
    endedAt: iso(facts.endedAt),
    reportedEndedAt: iso(facts.reportedEndedAt),
    durationSeconds: seconds(facts.endedAt - facts.startedAt),
    peakParticipants: facts.peak,
    uniqueParticipants: participants.length,
    participantSeconds: seconds(lengths.reduce((sum, ms) => sum + ms, 0)),
    billableParticipantMinutes: lengths.reduce((sum, ms) => sum + Math.ceil(ms / 60_000), 0),
    knocks: facts.knocks.length,
    knocksCancelled: facts.knocksCancelled,
    participants,
    bots: people(facts, bots),
  };
}
