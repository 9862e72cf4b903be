/**
 * One scheduled meeting: whether it started on time, each expected person's status (absentees marked), lateness and
 * attendance, the people who came unexpected, the sessions it was held in, and the roster as CSV.
 */
import { ApiError, getJson } from "../api.js";
import { el, figure, replaceChildren, type Child } from "../dom.js";
import { csvButton } from "../download.js";
import { formatDuration, formatPercent } from "../format.js";
import { href, personHref } from "../router.js";
import type { Attendance, MeetingDetail, RosterEntry } from "../types.js";
import { dataTable, figureList, link, notice, numberColumn, pageHeading, timeColumn, timeText, type Column } from "../ui.js";
import { meetingBadge } from "./meetings.js";
import type { Page } from "./page.js";

const STATUS_TEXT: Record<RosterEntry["status"], string> = {
  present: "Present",
  late: "Late",
  left_early: "Left early",
  partial: "Partly there",
  absent: "Absent",
};

function personStatus(entry: RosterEntry): HTMLElement {
  return el("span", { className: `badge roster ${entry.status}`, attrs: { "data-status": entry.status } }, STATUS_TEXT[entry.status]);
}

function seconds(value: number | null): Child {
  return figure(value, value === null ? "—" : formatDuration(value));
}

function summary(meeting: MeetingDetail): HTMLDListElement {
  const absent = meeting.roster.filter((entry) => entry.status === "absent").length;
  return figureList([
    { name: "status", label: "Status", value: meetingBadge(meeting.status) },
    { name: "scheduledStart", label: "Scheduled", value: el("span", {}, timeText(meeting.scheduledStart), " – ", timeText(meeting.scheduledEnd)) },
    { name: "startedLateSeconds", label: "Started late by", value: seconds(meeting.startedLateSeconds) },
    { name: "hostLateSeconds", label: "Host late by", value: seconds(meeting.hostLateSeconds) },
    { name: "overranSeconds", label: "Overran by", value: seconds(meeting.overranSeconds) },
    { name: "absent", label: "Absent", value: figure(absent, `${absent} of ${meeting.roster.length}`) },
    { name: "unexpected", label: "Unexpected", value: figure(meeting.unexpected.length, String(meeting.unexpected.length)) },
  ]);
}

function attendanceColumns<Row extends Attendance>(): Column<Row>[] {
  return [
    { name: "displayName", label: "Name", sortValue: (p) => p.displayName ?? p.key, cell: (p) => link(personHref(p.key), p.displayName ?? p.key) },
    { name: "role", label: "Role", sortValue: (p) => p.role, cell: (p) => p.role ?? "—" },
    timeColumn("firstJoinedAt", "First joined", (p) => p.firstJoinedAt),
    timeColumn("lastLeftAt", "Last left", (p) => p.lastLeftAt),
    numberColumn("lateSeconds", "Late by", (p) => p.lateSeconds, formatDuration),
    numberColumn("leftEarlySeconds", "Left early by", (p) => p.leftEarlySeconds, formatDuration),
    numberColumn("connectedSeconds", "Connected", (p) => p.connectedSeconds, formatDuration),
    numberColumn("connectedOutsideSeconds", "Outside the schedule", (p) => p.connectedOutsideSeconds, formatDuration),
    numberColumn("attendancePercent", "Attendance", (p) => p.attendancePercent, formatPercent),
    numberColumn("waitedSeconds", "Waited", (p) => p.waitedSeconds, formatDuration),
  ];
}

function rosterTable(roster: RosterEntry[]): HTMLElement {
  const [name, ...rest] = attendanceColumns<RosterEntry>();
  return dataTable<RosterEntry>({
    caption: "Expected people, in the order of the roster",
    rows: roster,
    rowKey: (entry) => entry.key,
    columns: [
      name!,
      { name: "status", label: "Status", sortValue: (entry) => entry.status, cell: personStatus },
      { name: "flags", label: "Also", cell: (entry) => entry.flags.filter((flag) => flag !== entry.status).map((flag) => STATUS_TEXT[flag]).join(", ") || "—" },
      ...rest,
    ],
  });
}

async function loadMeeting(id: string, signal: AbortSignal): Promise<MeetingDetail | null> {
  try {
    return await getJson<MeetingDetail>(`/api/meetings/${encodeURIComponent(id)}`, signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export const meetingPage: Page = async ({ main, route, signal }) => {
  const id = route.id ?? "";
  const meeting = await loadMeeting(id, signal);
  if (meeting === null) {
    replaceChildren(main, pageHeading("Meeting not found"), notice(`No meeting is scheduled as ${id}.`), link(href("meetings"), "All meetings"));
    return;
  }
  const sessions = meeting.sessions.map((sessionId) => el("li", {}, link(href("sessions", sessionId), sessionId)));
  replaceChildren(
    main,
    pageHeading(meeting.title ?? `Meeting ${meeting.meetingId}`, " ", meetingBadge(meeting.status)),
    summary(meeting),
    csvButton(`/api/meetings/${encodeURIComponent(meeting.meetingId)}/attendance.csv`, `meeting-${meeting.meetingId}.csv`),
    meeting.roster.length > 0 ? rosterTable(meeting.roster) : notice("Nobody is on this meeting's roster."),
    el("h2", {}, "Came unexpected"),
    meeting.unexpected.length > 0
      ? dataTable<Attendance>({ caption: "Came without being expected", rows: meeting.unexpected, rowKey: (p) => p.key, columns: attendanceColumns<Attendance>() })
      : notice("Nobody came who was not expected."),
    el("h2", {}, "Sessions"),
    sessions.length > 0 ? el("ul", {}, ...sessions) : notice("No session of this meeting yet."),
  );
};
