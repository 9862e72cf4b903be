/**
 * The timetable behind simulated traffic (SPEC §9): what a school or clinic planned for each lesson and appointment,
 * written as the CSV `meetmeter meetings import` reads, and the roster results that plan should give, worked out from
 * what the model played rather than from the events it sent.
 */
import { toCsv } from "../api/csv.js";
import { TIMETABLE_COLUMNS } from "../schedule/timetable.js";
import type { Identity } from "./plan.js";
import { personKey, unionLength, type SessionTruth } from "./truth.js";

/** The rules every simulated meeting uses: SPEC §9's defaults. */
const RULES = { lateAfterSeconds: 300, leftEarlyBeforeSeconds: 300, presentAtPercent: 75, noShowAfterSeconds: 900 };

/** Whereby's roles of the people who run a room. */
const HOST_ROLES = ["host", "owner"];

/** What was planned for one meeting, in unix milliseconds. */
export interface PlannedMeeting {
  meetingId: string;
  title: string;
  roomName: string;
  scheduledStart: number;
  scheduledEnd: number;
  /** The people on the class list or the appointment, with the role the timetable gives them. */
  expected: Array<{ who: Identity; role: string }>;
}

export type TruthStatus = "present" | "late" | "left_early" | "partial" | "absent";

export interface ExpectedTruth {
  key: string;
  role: string;
  status: TruthStatus;
  lateSeconds: number | null;
  leftEarlySeconds: number | null;
  /** Connected within the scheduled window. */
  connectedSeconds: number;
}

/** One meeting's roster result as it really was. */
export interface MeetingTruth {
  meetingId: string;
  title: string;
  scheduledStart: string;
  scheduledEnd: string;
  status: "held" | "no_show";
  startedLateSeconds: number | null;
  roster: ExpectedTruth[];
  /** Keys of the people who came without being expected. */
  unexpected: string[];
}

/** The key a timetable knows a person by: their externalId or their metadata subject. */
export function expectedKey(who: Identity): string {
  return personKey(who, "never-used");
}

const iso = (ms: number) => new Date(ms).toISOString();
const seconds = (ms: number) => Math.round(ms) / 1000;

function statusOf(late: boolean, leftEarly: boolean, percent: number): TruthStatus {
  if (late) return "late";
  if (leftEarly) return "left_early";
  return percent < RULES.presentAtPercent ? "partial" : "present";
}

/**
 * Whether someone other than a host joined by the deadline: SPEC §9 makes a meeting nobody else came to by then a
 * no-show, even if a patient turns up later still.
 */
function guestCameBy(session: SessionTruth | null, deadline: number): boolean {
  return (session?.participants ?? []).some(
    (person) => !HOST_ROLES.includes(person.roleName) && person.connections.some((c) => Date.parse(c.joinedAt) <= deadline),
  );
}

/**
 * The roster result a meeting's plan and the session it was held in should give; a meeting without a session (nobody
 * came) is a no-show.
 */
export function meetingTruth(meeting: PlannedMeeting, session: SessionTruth | null): MeetingTruth {
  const { scheduledStart: start, scheduledEnd: end } = meeting;
  const expectedKeys = new Set(meeting.expected.map(({ who }) => expectedKey(who)));
  const people = new Map((session?.participants ?? []).map((person) => [person.key, person]));
  const meetingEnd = session === null ? end : Math.min(end, Date.parse(session.endedAt));
  const roster = meeting.expected.map(({ who, role }): ExpectedTruth => {
    const key = expectedKey(who);
    const person = people.get(key);
    if (person === undefined) return { key, role, status: "absent", lateSeconds: null, leftEarlySeconds: null, connectedSeconds: 0 };
    const spans = person.connections.map((c) => [Date.parse(c.joinedAt), Date.parse(c.leftAt)] as const);
    const clipped = spans.map(([from, to]) => [Math.max(from, start), Math.min(to, end)] as const).filter(([from, to]) => to > from);
    const within = unionLength(clipped);
    const lateMs = Math.max(0, Math.min(...spans.map(([from]) => from)) - start);
    const leftEarlyMs = Math.max(0, meetingEnd - Math.max(...spans.map(([, to]) => to)));
    const percent = Math.round((within * 1000) / (end - start)) / 10;
    const status =
      within === 0 ? "absent" : statusOf(lateMs > RULES.lateAfterSeconds * 1000, leftEarlyMs > RULES.leftEarlyBeforeSeconds * 1000, percent);
    return { key, role, status, lateSeconds: seconds(lateMs), leftEarlySeconds: seconds(leftEarlyMs), connectedSeconds: seconds(within) };
  });
  return {
    meetingId: meeting.meetingId,
    title: meeting.title,
    scheduledStart: iso(start),
    scheduledEnd: iso(end),
    status: guestCameBy(session, start + RULES.noShowAfterSeconds * 1000) ? "held" : "no_show",
    startedLateSeconds: session === null ? null : seconds(Math.max(0, Date.parse(session.startedAt) - start)),
    roster,
    unexpected: [...people.keys()].filter((key) => !expectedKeys.has(key)),
  };
}

/** The timetable as `meetmeter meetings import` reads it: one row per expected person. */
export function timetableCsv(meetings: readonly PlannedMeeting[]): string {
  const rows = meetings.flatMap((m) =>
    m.expected.map(({ who, role }) => [m.meetingId, m.title, m.roomName, iso(m.scheduledStart), iso(m.scheduledEnd), expectedKey(who), who.displayName, role]),
  );
  return toCsv([[...TIMETABLE_COLUMNS], ...rows]);
}
