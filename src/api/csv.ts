/**
 * The attendance CSVs of SPEC §4 and §9: RFC 4180, UTF-8, one row per person, guarded against spreadsheet formulas.
 */
import { stringify } from "csv-stringify/sync";
import type { Attendance, MeetingResult, ScheduledMeeting } from "../attendance/roster.js";
import type { SessionDetail } from "../attendance/types.js";

export const ATTENDANCE_CSV_HEADER = [
  "session_id",
  "room_name",
  "key",
  "display_name",
  "role",
  "external_id",
  "metadata_subject",
  "metadata_verified",
  "first_joined_at",
  "last_left_at",
  "connected_seconds",
  "attendance_percent",
  "connections",
  "waited_seconds",
] as const;

/** A cell a spreadsheet would run as a formula gets a leading apostrophe. */
export function guardCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

type CsvCell = string | number | boolean | null | undefined;

function cell(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? guardCell(value) : String(value);
}

/**
 * Rows as RFC 4180 CSV with every text cell guarded: the one way this service writes CSV, in the API and on the
 * command line alike.
 *
 * @example
 * toCsv([["room"], ["=1+1"]]); // "room\r\n'=1+1\r\n"
 */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  // A cell holding a line break of any kind is quoted, not only one holding the record delimiter itself.
  return stringify(
    rows.map((row) => row.map(cell)),
    { record_delimiter: "\r\n", quoted_match: /[\r\n]/ },
  );
}

export function attendanceCsv(session: SessionDetail): string {
  const rows = session.participants.map((p) =>
    [
      session.id,
      session.roomName,
      p.key,
      p.displayName,
      p.roleName,
      p.externalId,
      p.metadataSubject,
      p.metadataVerified,
      p.firstJoinedAt,
      p.lastLeftAt,
      p.connectedSeconds,
      p.attendancePercent,
      p.connections.length,
      p.waitedSeconds,
    ],
  );
  return toCsv([[...ATTENDANCE_CSV_HEADER], ...rows]);
}

export const MEETING_CSV_HEADER = [
  "meeting_id",
  "title",
  "scheduled_start",
  "scheduled_end",
  "key",
  "display_name",
  "role",
  "status",
  "flags",
  "first_joined_at",
  "last_left_at",
  "late_seconds",
  "left_early_seconds",
  "connected_seconds",
  "connected_outside_seconds",
  "attendance_percent",
  "waited_seconds",
] as const;

/** A meeting's roster result: each expected person in the order given, then those who came unexpected. */
export function meetingAttendanceCsv(meeting: Omit<ScheduledMeeting, "rules">, result: Pick<MeetingResult, "roster" | "unexpected">): string {
  const row = (person: Attendance, status: string) => [
    meeting.meetingId,
    meeting.title,
    meeting.scheduledStart,
    meeting.scheduledEnd,
    person.key,
    person.displayName,
    person.role,
    status,
    person.flags.join(" "),
    person.firstJoinedAt,
    person.lastLeftAt,
    person.lateSeconds,
    person.leftEarlySeconds,
    person.connectedSeconds,
    person.connectedOutsideSeconds,
    person.attendancePercent,
    person.waitedSeconds,
  ];
  const rows = [...result.roster.map((entry) => row(entry, entry.status)), ...result.unexpected.map((person) => row(person, "unexpected"))];
  return toCsv([[...MEETING_CSV_HEADER], ...rows]);
}
