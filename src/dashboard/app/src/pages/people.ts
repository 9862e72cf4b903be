/**
 * People: find a person by key (or by the external id, metadata subject or participant id inside it) and see their
 * attendance history across sessions.
 */
import { ApiError, getJson } from "../api.js";
import { el, figure, replaceChildren } from "../dom.js";
import { formatCount, formatDuration, formatPercent } from "../format.js";
import { href, personHref } from "../router.js";
import type { PersonHistory, PersonSession } from "../types.js";
import { dataTable, figureList, link, notice, numberColumn, pageHeading, timeText } from "../ui.js";
import type { Page } from "./page.js";
import { statusBadge } from "./sessions.js";

const KEY_KINDS = ["external", "metadata", "participant"] as const;

/**
 * The keys to try for what the viewer typed: the text itself when it is already a key, else each kind of key.
 *
 * @example
 * candidateKeys("student-42"); // ["external:student-42", "metadata:student-42", "participant:student-42"]
 * candidateKeys("external:student-42"); // ["external:student-42"]
 */
export function candidateKeys(text: string): string[] {
  const value = text.trim();
  if (!value) return [];
  if (KEY_KINDS.some((kind) => value.startsWith(`${kind}:`))) return [value];
  return KEY_KINDS.map((kind) => `${kind}:${value}`);
}

async function findPerson(keys: string[], signal: AbortSignal): Promise<PersonHistory | null> {
  for (const key of keys) {
    try {
      return await getJson<PersonHistory>(`/api/people/${encodeURIComponent(key)}`, signal);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) continue;
      throw error;
    }
  }
  return null;
}

function searchForm(value: string): HTMLFormElement {
  const input = el("input", {
    attrs: { id: "person-key", type: "search", required: true, value, placeholder: "external:student-42" },
  });
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const keys = candidateKeys(input.value);
    if (keys.length === 1 && keys[0]) location.hash = personHref(keys[0]);
    else if (keys.length > 1) location.hash = href("people", null, { find: input.value.trim() });
  };
  return el(
    "form",
    { className: "filters", attrs: { role: "search", "aria-label": "Find a person" }, on: { submit } },
    el(
      "div",
      { className: "field grow" },
      el("label", { attrs: { for: input.id } }, "Person key, external id, metadata subject or participant id"),
      input,
    ),
    el("div", { className: "field actions" }, el("button", { attrs: { type: "submit" } }, "Find")),
  );
}

function totals(person: PersonHistory): HTMLDListElement {
  const { sessions, connectedSeconds, averageAttendancePercent } = person.totals;
  return figureList([
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
  const typed = route.query.get("find") ?? "";
  if (!typed) {
    replaceChildren(
      main,
      pageHeading("People"),
      searchForm(""),
      notice("Enter a key or id here, or open a session: the names in its attendance table link to each person."),
    );
    return;
  }
  const person = await findPerson(candidateKeys(typed), signal);
  if (person) {
    location.replace(personHref(person.key));
    return;
  }
  replaceChildren(main, pageHeading("People"), searchForm(typed), notice(`Nobody found for ${typed}.`));
};

export const personPage: Page = async ({ main, route, signal }) => {
  const key = route.id ?? "";
  const person = await findPerson([key], signal);
  if (!person) {
    const missing = notice(`Nobody with the key ${key} has attended a session.`);
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
    historyTable(person.sessions),
  );
};
