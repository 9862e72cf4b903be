/**
 * Sessions, newest first: filters by room, days and status; ongoing ones marked live; paged with the API's cursor.
 */
import { apiPath, getJson } from "../api.js";
import { endOfLocalDay, startOfLocalDay } from "../dates.js";
import { el, replaceChildren } from "../dom.js";
import { formatCount, formatDuration, formatMinutes } from "../format.js";
import { pagingNav } from "../paging.js";
import { href } from "../router.js";
import type { Page as ApiPage, RoomSummary, SessionSummary } from "../types.js";
import { dataTable, field, link, notice, numberColumn, pageHeading, timeText } from "../ui.js";
import type { Page } from "./page.js";

const PAGE_SIZES = ["20", "50", "100", "500"];
const DEFAULT_PAGE_SIZE = "50";

/**
 * The "live" badge for an ongoing session.
 *
 * @example
 * cell.append(statusBadge(session));
 */
export function statusBadge(session: { ongoing: boolean }): HTMLElement {
  return session.ongoing
    ? el("span", { className: "badge live", attrs: { "data-status": "live" } }, "Live")
    : el("span", { className: "badge ended", attrs: { "data-status": "ended" } }, "Ended");
}

function choice(id: string, options: Array<[value: string, label: string]>, chosen: string): HTMLSelectElement {
  return el(
    "select",
    { attrs: { id } },
    ...options.map(([value, label]) => el("option", { attrs: { value, selected: value === chosen } }, label)),
  );
}

function filterForm(query: URLSearchParams, rooms: string[]): HTMLFormElement {
  const text = (id: string, type: string, value: string | null, list?: string) =>
    el("input", { attrs: { id, type, value: value ?? "", list } });
  const roomName = text("filter-room", "search", query.get("roomName"), "room-names");
  const from = text("filter-from", "date", query.get("from"));
  const until = text("filter-until", "date", query.get("until"));
  const statuses: Array<[string, string]> = [["", "All"], ["true", "Live only"], ["false", "Ended only"]];
  const status = choice("filter-status", statuses, query.get("ongoing") ?? "");
  const chosenSize = query.get("limit") ?? DEFAULT_PAGE_SIZE;
  // A size typed into the address is offered too, so that the menu shows what the page really uses.
  const sizes = PAGE_SIZES.includes(chosenSize) ? PAGE_SIZES : [chosenSize, ...PAGE_SIZES];
  const limit = choice("filter-limit", sizes.map((size) => [size, size]), chosenSize);

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    location.hash = href("sessions", null, {
      roomName: roomName.value.trim(),
      from: from.value,
      until: until.value,
      ongoing: status.value,
      limit: limit.value === DEFAULT_PAGE_SIZE ? "" : limit.value,
    });
  };
  return el(
    "form",
    { className: "filters", attrs: { role: "search", "aria-label": "Filter sessions" }, on: { submit } },
    field("Room", roomName),
    el("datalist", { attrs: { id: "room-names" } }, ...rooms.map((name) => el("option", { attrs: { value: name } }))),
    field("From", from),
    field("Until (inclusive)", until),
    field("Status", status),
    field("Per page", limit),
    el(
      "div",
      { className: "field actions" },
      el("button", { attrs: { type: "submit" } }, "Show"),
      link(href("sessions"), "Clear"),
    ),
  );
}

/**
 * The API query for the filters in the page's address.
 *
 * @example
 * sessionsQuery(new URLSearchParams("from=2026-03-02")); // { from: "2026-03-01T23:00:00.000Z", … }
 */
export function sessionsQuery(query: URLSearchParams): Record<string, string | null> {
  return {
    roomName: query.get("roomName"),
    from: startOfLocalDay(query.get("from")),
    to: endOfLocalDay(query.get("until")),
    ongoing: query.get("ongoing"),
    limit: query.get("limit"),
    cursor: query.get("cursor"),
  };
}

function sessionsTable(sessions: SessionSummary[]): HTMLElement {
  // The API pages newest first; sorting one page by another column would mislead, so these headers do not sort.
  return dataTable<SessionSummary>({
    caption: "Sessions, newest first",
    rowKey: (s) => s.id,
    rows: sessions,
    columns: [
      { name: "startedAt", label: "Started", cell: (s) => link(href("sessions", s.id), timeText(s.startedAt)) },
      {
        name: "roomName",
        label: "Room",
        cell: (s) => (s.roomName ? link(href("sessions", null, { roomName: s.roomName }), s.roomName) : "—"),
      },
      { name: "status", label: "Status", cell: statusBadge },
      numberColumn("durationSeconds", "Duration", (s) => s.durationSeconds, formatDuration, false),
      numberColumn("peakParticipants", "Peak", (s) => s.peakParticipants, formatCount, false),
      numberColumn("uniqueParticipants", "People", (s) => s.uniqueParticipants, formatCount, false),
      numberColumn("participantSeconds", "Participant minutes", (s) => s.participantSeconds, formatMinutes, false),
      numberColumn(
        "billableParticipantMinutes",
        "Billable minutes",
        (s) => s.billableParticipantMinutes,
        formatCount,
        false,
      ),
    ],
  });
}

export const sessionsPage: Page = async ({ main, route, signal }) => {
  // Room names only help the filter along; the list does not wait on them failing.
  const rooms = getJson<ApiPage<RoomSummary>>("/api/rooms?limit=500", signal).then(
    (page) => page.results.map((room) => room.roomName),
    () => [],
  );
  const page = await getJson<ApiPage<SessionSummary>>(apiPath("/api/sessions", sessionsQuery(route.query)), signal);
  const empty = route.query.get("cursor") ? "No more sessions." : "No sessions match these filters yet.";
  replaceChildren(
    main,
    pageHeading("Sessions"),
    filterForm(route.query, await rooms),
    page.results.length > 0 ? sessionsTable(page.results) : notice(empty),
    pagingNav("sessions", route.query, page.cursor),
  );
};
