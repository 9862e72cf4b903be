/**
 * People: find a person by name or key (or the external id, metadata subject or participant id inside a key) and
 * see their attendance history across sessions.
 */
import { ApiError, apiPath, getJson } from "../api.js";
import { el, figure, replaceChildren } from "../dom.js";
import { formatCount, formatDuration, formatPercent } from "../format.js";
import { href, personHref } from "../router.js";
import type { ExpectedMeeting, Page as ListPage, PersonHistory, PersonMatch, PersonSession } from "../types.js";
import { dataTable, figureList, link, notice, numberColumn, pageHeading, timeColumn, timeText, type FigureItem } from "../ui.js";
import type { Page } from "./page.js";
import { statusBadge } from "./sessions.js";

const KEY_KINDS = ["external", "metadata", "participant"] as const;
/** Enough to scan by eye; a longer list means the text should be longer. */
const MATCH_LIMIT = 100;

/**
 * The keys that what the viewer typed names exactly: the text itself when it is already a key, else each kind of key.
 *
 * @example
 * candidateKeys("student-42"); // ["external:student-42", "metadata:student-42", "participant:student-42"]
 * candidateKeys("external:student-42"); // ["external:student-42"]
 */
export function candidateKeys(text: string): string[] {
  const value = text.trim();
  if (!value) return [];
  if (isFullKey(value)) return [value];
  return KEY_KINDS.map((kind) => `${kind}:${value}`);
}

function isFullKey(text: string): boolean {
  return KEY_KINDS.some((kind) => text.startsWith(`${kind}:`));
}

async function findPerson(key: string, signal: AbortSignal): Promise<PersonHistory | null> {
  try {
    return await getJson<PersonHistory>(`/api/people/${encodeURIComponent(key)}`, signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

async function searchPeople(text: string, signal: AbortSignal): Promise<PersonMatch[]> {
  const page = await getJson<ListPage<PersonMatch>>(apiPath("/api/people", { q: text, limit: MATCH_LIMIT }), signal);
  return page.results;
}

/**
 * The one person to open straight away, if the text names exactly one: a full key that exists, or an id whose key is
 * the only match.
 */
async function exactPerson(text: string, matches: PersonMatch[], signal: AbortSignal): Promise<string | null> {
  if (isFullKey(text) && (await findPerson(text, signal))) return text;
  const only = matches.length === 1 ? matches[0] : undefined;
  return only && candidateKeys(text).includes(only.key) ? only.key : null;
}

function searchForm(value: string): HTMLFormElement {
  const input = el("input", {
    attrs: { id: "person-find", type: "search", required: true, value, placeholder: "Ms. Rivera or student-42" },
  });
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text) location.hash = href("people", null, { find: text });
  };
  return el(
    "form",
    { className: "filters", attrs: { role: "search", "aria-label": "Find a person" }, on: { submit } },
    el(
      "div",
      { className: "field grow" },
      el("label", { attrs: { for: input.id } }, "Name, person key, external id, metadata subject or participant id"),
      input,
    ),
    el("div", { className: "field actions" }, el("button", { attrs: { type: "submit" } }, "Find")),
  );
}

function matchesTable(matches: PersonMatch[]): HTMLDivElement {
  return dataTable<PersonMatch>({
    caption: "People found, most sessions first",
    rows: matches,
    rowKey: (p) => p.key,
    columns: [
      {
        name: "displayName",
        label: "Name",
        sortValue: (p) => p.displayName ?? p.key,
        cell: (p) => link(personHref(p.key), p.displayName ?? p.key),
      },
      { name: "key", label: "Key", sortValue: (p) => p.key, cell: (p) => el("code", {}, p.key) },
      numberColumn("sessions", "Sessions", (p) => p.sessions, formatCount),
      timeColumn("lastSessionStartedAt", "Last session", (p) => p.lastSessionStartedAt),
    ],
  });
}

function matchesNotice(text: string, count: number): HTMLParagraphElement {
  if (count === 0) return notice(`Nobody found for ${text}.`);
  const people = count === 1 ? "1 person matches" : `${formatCount(count)} people match`;
  const more = count >= MATCH_LIMIT ? " (the first ones shown: type more to narrow it down)" : "";
  return notice(`${people} ${text}${more}.`);
}

function totals(person: PersonHistory): HTMLDListElement {
  const { sessions, connectedSeconds, averageAttendancePercent, meetingsExpected, meetingsAttended, meetingAttendancePercent } =
    person.totals;
  const meetings: FigureItem[] =
    meetingsExpected === 0
      ? []
      : [
          {
            name: "meetingAttendancePercent",
            label: "Came to scheduled meetings",
            value: figure(meetingAttendancePercent, `${formatPercent(meetingAttendancePercent)} (${meetingsAttended} of ${meetingsExpected})`),
          },
        ];
  return figureList([
    ...meetings,
    { name: "sessions", label: "Sessions", value: figure(sessions, formatCount(sessions)) },
    {
      name: "connectedSeconds",
      label: "Connected in all",
      value: figure(connectedSeconds, formatDuration(connectedSeconds)),
    },
    {
      name: "averageAttendancePercent",
      label: "Average attendance",
      value: figure(averageAttendancePercent, formatPercent(averageAttendancePercent)),
    },
  ]);
}

function meetingsTable(meetings: ExpectedMeeting[]): HTMLDivElement {
  return dataTable<ExpectedMeeting>({
    caption: "Scheduled meetings that expected them",
    rows: meetings,
    rowKey: (m) => m.meetingId,
    columns: [
      { name: "scheduledStart", label: "Scheduled", sortValue: (m) => m.scheduledStart, cell: (m) => link(href("meetings", m.meetingId), timeText(m.scheduledStart)) },
      { name: "title", label: "Meeting", sortValue: (m) => m.title, cell: (m) => m.title ?? m.meetingId },
      {
        name: "status",
        label: "Status",
        sortValue: (m) => m.status,
        cell: (m) => (m.status === null ? "—" : el("span", { className: `badge ${m.status}`, attrs: { "data-status": m.status } }, m.status.replace("_", " "))),
      },
      numberColumn("attendancePercent", "Attendance", (m) => m.attendancePercent, formatPercent),
    ],
  });
}

function historyTable(sessions: PersonSession[]): HTMLDivElement {
  const attendance = numberColumn<PersonSession>(
    "attendancePercent",
    "Attendance",
    (s) => s.attendancePercent,
    formatPercent,
  );
  return dataTable<PersonSession>({
    caption: "Attendance history",
    rows: sessions,
    rowKey: (s) => s.sessionId,
    sortBy: { name: "startedAt", direction: "descending" },
    columns: [
      {
        name: "startedAt",
        label: "Session",
        sortValue: (s) => s.startedAt,
        cell: (s) => link(href("sessions", s.sessionId), timeText(s.startedAt)),
      },
      { name: "roomName", label: "Room", sortValue: (s) => s.roomName, cell: (s) => s.roomName ?? "—" },
      numberColumn("connectedSeconds", "Connected", (s) => s.connectedSeconds, formatDuration),
      // A session still going has no final share yet.
      { ...attendance, cell: (s) => (s.ongoing ? statusBadge(s) : attendance.cell(s)) },
    ],
  });
}

export const peoplePage: Page = async ({ main, route, signal }) => {
  const typed = (route.query.get("find") ?? "").trim();
  if (!typed) {
    replaceChildren(
      main,
      pageHeading("People"),
      searchForm(""),
      notice("Enter a name or id here, or open a session: the names in its attendance table link to each person."),
    );
    return;
  }
  const matches = await searchPeople(typed, signal);
  const exact = await exactPerson(typed, matches, signal);
  if (exact) {
    location.replace(personHref(exact));
    return;
  }
  replaceChildren(
    main,
    pageHeading("People"),
    searchForm(typed),
    matchesNotice(typed, matches.length),
    matches.length > 0 ? matchesTable(matches) : null,
  );
};

export const personPage: Page = async ({ main, route, signal }) => {
  const key = route.id ?? "";
  const person = await findPerson(key, signal);
  if (!person) {
    const missing = notice(`Nobody with the key ${key} has attended a session or is expected at a meeting.`);
    replaceChildren(main, pageHeading("Person not found"), searchForm(key), missing);
    return;
  }
  replaceChildren(
    main,
    el("p", { className: "breadcrumb" }, link(href("people"), "People"), " / "),
    pageHeading(person.displayName ?? person.key),
    el("p", { className: "hint" }, "Key ", el("code", {}, person.key)),
    searchForm(""),
    totals(person),
    person.sessions.length > 0 ? historyTable(person.sessions) : notice("No session attended yet."),
    person.meetings.length > 0 ? meetingsTable(person.meetings) : null,
  );
};
