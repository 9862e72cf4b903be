/**
 * The shapes the read API answers with (SPEC §4, §10). Session, person, endpoint and delivery shapes are the server's
 * own types.
 */
import type {
  Artifact,
  Connection,
  Knock,
  Person,
  SessionDetail,
  SessionSummary,
  TimelinePoint,
} from "../../../attendance/types.js";

import type { Attendance, MeetingResult, MeetingRules, MeetingStatus, RosterEntry, RosterStatus } from "../../../attendance/roster.js";
import type { Delivery, DeliveryAttempt, DeliveryStatus, Endpoint } from "../../../store/event-store.js";

export type { Artifact, Connection, Knock, Person, SessionDetail, SessionSummary, TimelinePoint };
export type { Attendance, MeetingResult, MeetingRules, MeetingStatus, RosterEntry, RosterStatus };
/** Outbound endpoints (never with their secret) and deliveries with every try (SPEC §10). */
export type { Delivery, DeliveryAttempt, DeliveryStatus, Endpoint };

/** A scheduled meeting in the meeting list (SPEC §9): its plan, its status, and how many came as expected. */
export interface MeetingSummary {
  meetingId: string;
  title: string | null;
  roomName: string | null;
  scheduledStart: string;
  scheduledEnd: string;
  status: MeetingStatus;
  startedLateSeconds: number | null;
  /** Expected people by status, and those who came unexpected. */
  counts: Record<RosterStatus, number> & { expected: number; unexpected: number };
}

/** One meeting with its roster result (SPEC §9). */
export interface MeetingDetail extends MeetingResult {
  meetingId: string;
  title: string | null;
  roomName: string | null;
  scheduledStart: string;
  scheduledEnd: string;
  rules: MeetingRules;
}

/** Every list: a page of results and the cursor of the next page, null on the last. */
export interface Page<T> {
  results: T[];
  cursor: string | null;
}

export interface RoomSummary {
  roomName: string;
  totalSessions: number;
  firstSessionStartedAt: string | null;
  lastSessionStartedAt: string | null;
  participantSeconds: number;
  billableParticipantMinutes: number;
  uniqueParticipants: number;
}

export interface UsageFigures {
  sessions: number;
  participantSeconds: number;
  billableParticipantMinutes: number;
}

export interface UsageBucket extends UsageFigures {
  /** The bucket's local midnight with its offset, e.g. `2026-03-02T00:00:00+13:00`. */
  start: string;
}

export interface UsageReport {
  interval: "day" | "month";
  tz: string;
  buckets: UsageBucket[];
  total: UsageFigures;
}

/** One stored webhook as the events API and the live stream give it. */
export interface StoredEvent {
  id: string;
  /** Its place in the log: the live stream's `id:`. */
  seq: number;
  type: string;
  createdAt: string;
  receivedAt: string;
  channel: string | null;
  body: unknown;
}

/** One session in a person's history. */
export interface PersonSession {
  sessionId: string;
  roomName: string | null;
  startedAt: string;
  ongoing: boolean;
  connectedSeconds: number;
  attendancePercent: number | null;
}

/** One person found by `GET /api/people?q=`: the text is in their key or display name. */
export interface PersonMatch {
  key: string;
  displayName: string | null;
  sessions: number;
  lastSessionStartedAt: string;
}

/** `GET /api/people/:key`: the person's sessions, newest first, and totals. */
/** A scheduled meeting that expected the person, and how they stood in it. */
export interface ExpectedMeeting {
  meetingId: string;
  title: string | null;
  scheduledStart: string;
  meetingStatus: MeetingStatus | null;
  status: RosterStatus | null;
  attendancePercent: number | null;
}

export interface PersonHistory {
  key: string;
  displayName: string | null;
  sessions: PersonSession[];
  meetings: ExpectedMeeting[];
  totals: {
    sessions: number;
    connectedSeconds: number;
    averageAttendancePercent: number | null;
    meetingsExpected: number;
    meetingsAttended: number;
    meetingAttendancePercent: number | null;
  };
}
