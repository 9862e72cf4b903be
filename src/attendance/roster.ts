/**
 * The roster result of a scheduled meeting (SPEC §9): from what was planned (the meeting, its expected people and
 * rules) and what happened (the sessions that carry its meetingId), who was present, late, gone early, partly there or
 * absent, who came unexpected, and whether the meeting started late, overran or was a no-show. Pure: `now` is given.
 */
import { unionLength, type Interval } from "./intervals.js";
import { secondsOf } from "./time.js";
import type { Person, SessionDetail } from "./types.js";

export interface MeetingRules {
  /** A first join later than this after the scheduled start is late. */
  lateAfterSeconds: number;
  /** A last leave earlier than this before the meeting's end is leaving early. */
  leftEarlyBeforeSeconds: number;
  /** The share of the scheduled time a person must be connected to be present rather than partly there. */
  presentAtPercent: number;
  /** A meeting nobody but its hosts joined by this long after its scheduled start is a no-show. */
  noShowAfterSeconds: number;
}

export const DEFAULT_MEETING_RULES: MeetingRules = {
  lateAfterSeconds: 300,
  leftEarlyBeforeSeconds: 300,
  presentAtPercent: 75,
  noShowAfterSeconds: 900,
};

export interface ExpectedPerson {
  /** A person key of SPEC §3: `external:<id>`, `metadata:<subject>` or `participant:<id>`. */
  key: string;
  displayName: string | null;
  role: string | null;
}

export interface ScheduledMeeting {
  meetingId: string;
  title: string | null;
  roomName: string | null;
  /** ISO 8601 UTC. */
  scheduledStart: string;
  scheduledEnd: string;
  expected: ExpectedPerson[];
  rules: MeetingRules;
}

export type RosterStatus = "present" | "late" | "left_early" | "partial" | "absent";
export type MeetingStatus = "scheduled" | "in_progress" | "held" | "no_show";

export interface Attendance {
  key: string;
  displayName: string | null;
  role: string | null;
  /** Every status that holds; `status` is the first of late, left_early, partial, present (or absent alone). */
  flags: RosterStatus[];
  firstJoinedAt: string | null;
  lastLeftAt: string | null;
  lateSeconds: number | null;
  leftEarlySeconds: number | null;
  /** Connected within the scheduled window, and outside it. */
  connectedSeconds: number;
  connectedOutsideSeconds: number;
  /** Connected within the scheduled window as a share of it (of its part until now, while it runs), one decimal. */
  attendancePercent: number;
  /** From the first knock (or the scheduled start, when the knock came before it) to admission; null without one. */
  waitedSeconds: number | null;
}

export interface RosterEntry extends Attendance {
  status: RosterStatus;
}

export interface MeetingResult {
  status: MeetingStatus;
  /** What the status follows from (see {@link meetingStatusAt}). */
  facts: StatusFacts;
  startedLateSeconds: number | null;
  overranSeconds: number | null;
  hostLateSeconds: number | null;
  sessions: string[];
  roster: RosterEntry[];
  unexpected: Attendance[];
}

/** Whereby's roles of the people who run a room. */
const HOST_ROLES: ReadonlySet<string> = new Set(["host", "owner"]);

/** How a session's person answers to the keys a timetable may use for them. */
function keysOf(person: Person): string[] {
  const keys = [person.key];
  if (person.externalId !== null) keys.push(`external:${person.externalId}`);
  // A tampered link claims someone else's subject: it does not make its holder that person.
  if (person.metadataSubject !== null && person.metadataProblem !== "tampered") keys.push(`metadata:${person.metadataSubject}`);
  return keys;
}

/** One person's appearances in the meeting's sessions. */
interface Appearance {
  session: SessionDetail;
  person: Person;
}

function admissionWait(appearances: readonly Appearance[], scheduledStart: number): number | null {
  for (const { session, person } of appearances) {
    if (person.waitedSeconds === null) continue;
    const ids = new Set(person.connections.map((connection) => connection.participantId));
    const knock = session.knockList.find((k) => k.outcome === "admitted" && ids.has(k.participantId));
    if (knock?.resolvedAt == null) return person.waitedSeconds;
    const admittedAt = Date.parse(knock.resolvedAt);
    return secondsOf(Math.max(0, admittedAt - Math.max(Date.parse(knock.knockedAt), scheduledStart)));
  }
  return null;
}

interface Window {
  start: number;
  end: number;
  /** Where the scheduled window's elapsed part ends: its end, or now while it runs. */
  elapsedEnd: number;
  /** When the meeting ended: its scheduled end, or its last session's end when that came first. */
  meetingEnd: number;
  now: number;
}

function attendanceOf(
  identity: { key: string; displayName: string | null; role: string | null },
  appearances: readonly Appearance[],
  window: Window,
  rules: MeetingRules,
): Attendance {
  const intervals: Interval[] = [];
  let firstJoined = Number.POSITIVE_INFINITY;
  let lastLeft: number | null = Number.NEGATIVE_INFINITY;
  for (const { person } of appearances) {
    for (const connection of person.connections) {
      const joined = Date.parse(connection.joinedAt);
      const left = connection.leftAt === null ? null : Date.parse(connection.leftAt);
      intervals.push([joined, left ?? window.now]);
      firstJoined = Math.min(firstJoined, joined);
      lastLeft = left === null || lastLeft === null ? null : Math.max(lastLeft, left);
    }
  }
  const within = unionLength(intervals, [window.start, window.end]);
  const elapsed = window.elapsedEnd - window.start;
  const percent = elapsed > 0 ? Math.round((unionLength(intervals, [window.start, window.elapsedEnd]) * 1000) / elapsed) / 10 : 0;
  const joined = intervals.length > 0;
  const lateMs = joined ? Math.max(0, firstJoined - window.start) : null;
  const leftEarlyMs = joined && lastLeft !== null ? Math.max(0, window.meetingEnd - lastLeft) : joined ? 0 : null;

  const flags: RosterStatus[] = [];
  if (!joined || within === 0) flags.push("absent");
  else {
    if (lateMs! > rules.lateAfterSeconds * 1000) flags.push("late");
    if (leftEarlyMs! > rules.leftEarlyBeforeSeconds * 1000) flags.push("left_early");
    flags.push(percent < rules.presentAtPercent ? "partial" : "present");
  }
  // Each field named: spreading the identity into an object of thirteen fields was most of a roster's cost.
  return {
    key: identity.key,
    displayName: identity.displayName,
    role: identity.role,
    flags,
    firstJoinedAt: joined ? new Date(firstJoined).toISOString() : null,
    lastLeftAt: joined && lastLeft !== null ? new Date(lastLeft).toISOString() : null,
    lateSeconds: lateMs === null ? null : secondsOf(lateMs),
    leftEarlySeconds: leftEarlyMs === null ? null : secondsOf(leftEarlyMs),
    connectedSeconds: secondsOf(within),
    connectedOutsideSeconds: secondsOf(unionLength(intervals) - within),
    attendancePercent: percent,
    waitedSeconds: admissionWait(appearances, window.start),
  };
}

const PRECEDENCE: readonly RosterStatus[] = ["absent", "late", "left_early", "partial", "present"];

function statusOf(flags: readonly RosterStatus[]): RosterStatus {
  return PRECEDENCE.find((status) => flags.includes(status)) ?? "absent";
}

/**
 * What a meeting's status follows from, which a saved result keeps so that a list can bring the status to now
 * without deriving the meeting again.
 */
export interface StatusFacts {
  scheduledStart: string;
  /** When nobody but its hosts having come makes the meeting a no-show. */
  noShowAt: string;
  /** The first join of someone other than a host: a provider or teacher alone in the room is no meeting held. */
  firstGuestJoinedAt: string | null;
  ongoing: boolean;
  sessions: number;
}

/**
 * A meeting's status at `now` from its facts.
 *
 * @example
 * meetingStatusAt({ scheduledStart, noShowAt, firstGuestJoinedAt: null, ongoing: false, sessions: 0 }, Date.now());
 */
export function meetingStatusAt(facts: StatusFacts, now: number): MeetingStatus {
  const deadline = Date.parse(facts.noShowAt);
  const guestCame = facts.firstGuestJoinedAt !== null && Date.parse(facts.firstGuestJoinedAt) <= deadline;
  if (!guestCame && now >= deadline) return "no_show";
  if (facts.ongoing) return "in_progress";
  if (facts.sessions > 0) return "held";
  return now < Date.parse(facts.scheduledStart) ? "scheduled" : "in_progress";
}

function statusFacts(meeting: ScheduledMeeting, sessions: readonly SessionDetail[], appearances: ReadonlyMap<string, Appearance[]>): StatusFacts {
  const start = Date.parse(meeting.scheduledStart);
  const guestJoins = [...appearances.values()].flatMap((list) =>
    list
      .filter(({ person }) => !HOST_ROLES.has(person.roleName ?? ""))
      .flatMap(({ person }) => person.connections.map((c) => Date.parse(c.joinedAt))),
  );
  return {
    scheduledStart: meeting.scheduledStart,
    noShowAt: new Date(start + meeting.rules.noShowAfterSeconds * 1000).toISOString(),
    firstGuestJoinedAt: guestJoins.length === 0 ? null : new Date(Math.min(...guestJoins)).toISOString(),
    ongoing: sessions.some((session) => session.ongoing),
    sessions: sessions.length,
  };
}

/**
 * The roster result of one scheduled meeting from its sessions (those whose meetingId is the meeting's), as of `now`.
 *
 * @example
 * const result = deriveRoster(meeting, sessionsOfTheMeeting, Date.now());
 * result.roster.filter((entry) => entry.status === "absent"); // who did not come
 */
export function deriveRoster(meeting: ScheduledMeeting, sessions: readonly SessionDetail[], now: number): MeetingResult {
  const ordered = [...sessions].sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
  const start = Date.parse(meeting.scheduledStart);
  const end = Date.parse(meeting.scheduledEnd);
  const last = ordered.at(-1);
  const lastEnd = last === undefined ? null : last.endedAt === null ? now : Date.parse(last.endedAt);
  const heldUntil = last?.ongoing === false && lastEnd !== null ? lastEnd : end;
  const window: Window = { start, end, elapsedEnd: Math.max(start, Math.min(end, now)), meetingEnd: Math.min(end, heldUntil), now };

  // Every person of the meeting's sessions, under each key they answer to; the expected ones are taken out in turn.
  const byPerson = new Map<string, Appearance[]>();
  const aliases = new Map<string, string>();
  for (const session of ordered) {
    for (const person of session.participants) {
      const known = keysOf(person).map((key) => aliases.get(key)).find((key) => key !== undefined) ?? person.key;
      for (const key of keysOf(person)) aliases.set(key, known);
      byPerson.set(known, [...(byPerson.get(known) ?? []), { session, person }]);
    }
  }
  const unclaimed = new Map(byPerson);
  const roster = meeting.expected.map((expected): RosterEntry => {
    const found = aliases.get(expected.key);
    const appearances = found === undefined ? [] : (unclaimed.get(found) ?? []);
    if (found !== undefined) unclaimed.delete(found);
    const attendance = attendanceOf(expected, appearances, window, meeting.rules);
    return Object.assign(attendance, { status: statusOf(attendance.flags) });
  });
  const unexpected = [...unclaimed].map(([key, appearances]) => {
    const person = appearances[0]!.person;
    return attendanceOf({ key, displayName: person.displayName, role: person.roleName }, appearances, window, meeting.rules);
  });

  const hostJoins = ordered.flatMap((session) =>
    session.participants
      .filter((person) => HOST_ROLES.has(person.roleName ?? "") && person.firstJoinedAt !== null)
      .map((person) => Date.parse(person.firstJoinedAt!)),
  );
  const first = ordered[0];
  const facts = statusFacts(meeting, ordered, byPerson);
  return {
    status: meetingStatusAt(facts, now),
    facts,
    startedLateSeconds: first === undefined ? null : secondsOf(Math.max(0, Date.parse(first.startedAt) - start)),
    overranSeconds: lastEnd === null ? null : secondsOf(Math.max(0, lastEnd - end)),
    hostLateSeconds: hostJoins.length === 0 ? null : secondsOf(Math.max(0, Math.min(...hostJoins) - start)),
    sessions: ordered.map((session) => session.id),
    roster,
    unexpected,
  };
}

/** What a list of meetings shows of a result: how many of the roster are in each status, and what its status follows. */
export interface RosterSummary {
  facts: StatusFacts;
  startedLateSeconds: number | null;
  counts: Record<RosterStatus, number> & { expected: number; unexpected: number };
}

/**
 * The result as a list shows it, kept beside the whole result so that a page of the list reads a few hundred bytes a
 * meeting rather than its roster.
 *
 * @example
 * rosterSummary(result).counts.absent; // 3
 */
export function rosterSummary(result: MeetingResult): RosterSummary {
  const counts: RosterSummary["counts"] = {
    expected: result.roster.length,
    present: 0,
    late: 0,
    left_early: 0,
    partial: 0,
    absent: 0,
    unexpected: result.unexpected.length,
  };
  for (const entry of result.roster) counts[entry.status] += 1;
  return { facts: result.facts, startedLateSeconds: result.startedLateSeconds, counts };
}
