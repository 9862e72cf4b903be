/**
 * People: find a person by key (or by the external id, metadata subject or participant id inside it) and see their
 * attendance history across sessions.
 */
import { ApiError, getJson } from "../api.js";
import { el, figure, replaceChildren } from "../dom.js";
import { formatCount, formatDateTime, formatDuration, formatPercent } from "../format.js";
import { href, personHref } from "../router.js";
import type { PersonHistory, PersonSession } from "../types.js";
import { dataTable, figureList, notice, pageHeading } from "../ui.js";
import type { Page } from "./page.js";

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
    attrs: { id: "person-key", name: "key", type: "search", required: true, value, placeholder: "external:student-42" },
  });
  return el(
    "form",
    {
      className: "filters",
      attrs: { role: "search", "aria-label": "Find a person" },
      on: {
        submit: (event) => {
          event.preventDefault();
          const keys = candidateKeys(input.value);
          if (keys.length === 1 && keys[0]) location.hash = personHref(keys[0]);
          else if (keys.length > 1) location.hash = href("people", null, { find: input.value.trim() });
        },
      },
    },
    el(
      "div",
      { className: "field grow" },
      el("label", { attrs: { for: "person-key" } }, "Person key, external id, metadata subject or participant id"),
      input,
    ),
    el("div", { className: "field actions" }, el("button", { attrs: { type: "submit" } }, "Find")),
  );
}

function history(person: PersonHistory): HTMLElement[] {
  return [
    figureList([
      { name: "sessions", label: "Sessions", value: figure(person.totals.sessions, formatCount(person.totals.sessions)) },
      {
        name: "connectedSeconds",
        label: "Connected in all",
        value: figure(person.totals.connectedSeconds, formatDuration(person.totals.connectedSeconds)),
      },
      {
        name: "averageAttendancePercent",
        label: "Average attendance",
        value: figure(person.totals.averageAttendancePercent, formatPercent(person.totals.averageAttendancePercent)),
      },
    ]),
    dataTable<PersonSession>({
      caption: "Attendance history",
      rows: person.sessions,
      rowKey: (s) => s.sessionId,
      sortBy: { name: "startedAt", direction: "descending" },
      columns: [
        {
          name: "startedAt",
          label: "Session",
          sortValue: (s) => s.startedAt,
          cell: (s) =>
            el("a", { attrs: { href: href("sessions", s.sessionId) } }, el("time", { attrs: { datetime: s.startedAt } }, formatDateTime(s.startedAt))),
        },
        { name: "roomName", label: "Room", sortValue: (s) => s.roomName, cell: (s) => s.roomName ?? "—" },
        {
          name: "connectedSeconds",
          label: "Connected",
          numeric: true,
          sortValue: (s) => s.connectedSeconds,
          cell: (s) => figure(s.connectedSeconds, formatDuration(s.connectedSeconds)),
        },
        {
          name: "attendancePercent",
          label: "Attendance",
          numeric: true,
          sortValue: (s) => s.attendancePercent,
          cell: (s) => (s.ongoing ? el("span", { className: "badge live" }, "Live") : figure(s.attendancePercent, formatPercent(s.attendancePercent))),
        },
      ],
    }),
  ];
}

export const peoplePage: Page = async ({ main, route, signal }) => {
  const typed = route.query.get("find") ?? "";
  if (!typed) {
    replaceChildren(
      main,
      pageHeading("People"),
      searchForm(""),
      notice("Open a session to see its people, or enter a key here. Names in any session's attendance table link to the person."),
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
    replaceChildren(main, pageHeading("Person not found"), searchForm(key), notice(`Nobody with the key ${key} has attended a session.`));
    return;
  }
  replaceChildren(
    main,
    el("p", { className: "breadcrumb" }, el("a", { attrs: { href: href("people") } }, "People"), " / "),
    pageHeading(person.displayName ?? person.key),
    el("p", { className: "hint" }, "Key ", el("code", {}, person.key)),
    searchForm(""),
    ...history(person),
  );
};
