/**
 * Sessions, newest first: filters by room, days and status; ongoing ones marked live; paged with the API's cursor.
 */
import { apiPath, getJson } from "../api.js";
import { endOfLocalDay, startOfLocalDay } from "../dates.js";
import { el, figure, replaceChildren } from "../dom.js";
import { formatCount, formatDateTime, formatDuration, formatMinutes } from "../format.js";
import { href } from "../router.js";
import type { Page as ApiPage, RoomSummary, SessionSummary } from "../types.js";
import { dataTable, notice, pageHeading } from "../ui.js";
import type { Page } from "./page.js";

const PAGE_SIZES = ["20", "50", "100", "500"];

/**
 * The "live" badge for an ongoing session.
 *
 * @example
 * cell.append(statusBadge(session));
 */
export function statusBadge(session: SessionSummary): HTMLElement {
  return session.ongoing
    ? el("span", { className: "badge live", attrs: { "data-status": "live" } }, "Live")
    : el("span", { className: "badge ended", attrs: { "data-status": "ended" } }, "Ended");
}

function filterForm(query: URLSearchParams, rooms: string[]): HTMLFormElement {
  const field = (label: string, control: HTMLElement) => el("div", { className: "field" }, el("label", { attrs: { for: control.id } }, label), control);
  const roomName = el("input", { attrs: { id: "filter-room", name: "roomName", type: "search", list: "room-names", value: query.get("roomName") ?? "" } });
  const from = el("input", { attrs: { id: "filter-from", name: "from", type: "date", value: query.get("from") ?? "" } });
  const until = el("input", { attrs: { id: "filter-until", name: "until", type: "date", value: query.get("until") ?? "" } });
  const status = el(
    "select",
    { attrs: { id: "filter-status", name: "ongoing" } },
    ...[
      ["", "All"],
      ["true", "Live only"],
      ["false", "Ended only"],
    ].map(([value = "", label]) => el("option", { attrs: { value, selected: (query.get("ongoing") ?? "") === value } }, label)),
  );
  const chosen = query.get("limit") ?? "50";
  // A size typed into the address is offered too, so that the menu shows what the page really uses.
  const sizes = PAGE_SIZES.includes(chosen) ? PAGE_SIZES : [chosen, ...PAGE_SIZES];
  const limit = el(
    "select",
    { attrs: { id: "filter-limit", name: "limit" } },
    ...sizes.map((size) => el("option", { attrs: { value: size, selected: chosen === size } }, size)),
  );
  return el(
    "form",
    {
      className: "filters",
      attrs: { role: "search", "aria-label": "Filter sessions" },
      on: {
        submit: (event) => {
          event.preventDefault();
          location.hash = href("sessions", null, {
            roomName: roomName.value.trim(),
            from: from.value,
            until: until.value,
            ongoing: status.value,
            limit: limit.value === "50" ? "" : limit.value,
          });
        },
      },
    },
    field("Room", roomName),
    el("datalist", { attrs: { id: "room-names" } }, ...rooms.map((name) => el("option", { attrs: { value: name } }))),
    field("From", from),
    field("Until (inclusive)", until),
    field("Status", status),
    field("Per page", limit),
    el("div", { className: "field actions" }, el("button", { attrs: { type: "submit" } }, "Show"), el("a", { attrs: { href: href("sessions") } }, "Clear")),
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

export const sessionsPage: Page = async ({ main, route, signal }) => {
  const heading = pageHeading("Sessions");
  const region = el("div", {}, notice("Loading sessions…"));
  const rooms = getJson<ApiPage<RoomSummary>>("/api/rooms", signal).then(
    (page) => page.results.map((room) => room.roomName),
    () => [],
  );
  const pageOf = await getJson<ApiPage<SessionSummary>>(apiPath("/api/sessions", sessionsQuery(route.query)), signal);
  replaceChildren(main, heading, filterForm(route.query, await rooms), region);

  if (pageOf.results.length === 0) {
    replaceChildren(region, notice(route.query.get("cursor") ? "No more sessions." : "No sessions match these filters yet."));
  } else {
    replaceChildren(
      region,
      dataTable<SessionSummary>({
        caption: "Sessions, newest first",
        rowKey: (s) => s.id,
        rows: pageOf.results,
        columns: [
          { name: "startedAt", label: "Started", cell: (s) => el("a", { attrs: { href: href("sessions", s.id) } }, el("time", { attrs: { datetime: s.startedAt } }, formatDateTime(s.startedAt))) },
          { name: "roomName", label: "Room", cell: (s) => (s.roomName ? el("a", { attrs: { href: href("sessions", null, { roomName: s.roomName }) } }, s.roomName) : "—") },
          { name: "status", label: "Status", cell: statusBadge },
          { name: "durationSeconds", label: "Duration", numeric: true, cell: (s) => figure(s.durationSeconds, formatDuration(s.durationSeconds)) },
          { name: "peakParticipants", label: "Peak", numeric: true, cell: (s) => figure(s.peakParticipants, formatCount(s.peakParticipants)) },
          { name: "uniqueParticipants", label: "People", numeric: true, cell: (s) => figure(s.uniqueParticipants, formatCount(s.uniqueParticipants)) },
          { name: "participantSeconds", label: "Participant minutes", numeric: true, cell: (s) => figure(s.participantSeconds, formatMinutes(s.participantSeconds)) },
          { name: "billableParticipantMinutes", label: "Billable minutes", numeric: true, cell: (s) => figure(s.billableParticipantMinutes, formatCount(s.billableParticipantMinutes)) },
        ],
      }),
    );
  }

  const paging = el("nav", { className: "paging", attrs: { "aria-label": "Pages" } });
  const filters = Object.fromEntries([...route.query.entries()].filter(([name]) => name !== "cursor"));
  if (route.query.get("cursor")) paging.append(el("a", { attrs: { href: href("sessions", null, filters) } }, "← First page"));
  if (pageOf.cursor) paging.append(el("a", { attrs: { href: href("sessions", null, { ...filters, cursor: pageOf.cursor }), rel: "next" } }, "Next page →"));
  if (paging.childElementCount > 0) region.append(paging);
};
