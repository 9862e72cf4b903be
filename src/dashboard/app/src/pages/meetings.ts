/**
 * Scheduled meetings by date, newest first (SPEC §9): each with its status badge and how many expected people were
 * present, late or absent; filters by day and status; paged with the API's cursor.
 */
import { apiPath, getJson } from "../api.js";
import { endOfLocalDay, startOfLocalDay } from "../dates.js";
import { el, replaceChildren } from "../dom.js";
import { formatCount, formatDuration } from "../format.js";
import { href } from "../router.js";
import type { Page as ApiPage, MeetingStatus, MeetingSummary } from "../types.js";
import { dataTable, field, link, notice, numberColumn, pageHeading, timeText } from "../ui.js";
import type { Page } from "./page.js";

const STATUS_LABELS: Record<MeetingStatus, string> = {
  scheduled: "Scheduled",
  in_progress: "In progress",
  held: "Held",
  no_show: "No-show",
};

/**
 * A meeting's status as a badge.
 *
 * @example
 * cell.append(meetingBadge("no_show")); // <span class="badge no_show" data-status="no_show">No-show</span>
 */
export function meetingBadge(status: MeetingStatus): HTMLElement {
  return el("span", { className: `badge ${status}`, attrs: { "data-status": status } }, STATUS_LABELS[status]);
}

function filterForm(query: URLSearchParams): HTMLFormElement {
  const input = (id: string, type: string, value: string | null) => el("input", { attrs: { id, type, value: value ?? "" } });
  const from = input("filter-from", "date", query.get("from"));
  const until = input("filter-until", "date", query.get("until"));
  const status = el(
    "select",
    { attrs: { id: "filter-status" } },
    el("option", { attrs: { value: "" } }, "All"),
    ...Object.entries(STATUS_LABELS).map(([value, label]) =>
      el("option", { attrs: { value, selected: value === query.get("status") } }, label),
    ),
  );
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    location.hash = href("meetings", null, { from: from.value, until: until.value, status: status.value });
  };
  return el(
    "form",
    { className: "filters", attrs: { role: "search", "aria-label": "Filter meetings" }, on: { submit } },
    field("From", from),
    field("Until (inclusive)", until),
    field("Status", status),
    el("div", { className: "field actions" }, el("button", { attrs: { type: "submit" } }, "Show"), link(href("meetings"), "Clear")),
  );
}

function meetingsTable(meetings: MeetingSummary[]): HTMLElement {
  const count = (name: keyof MeetingSummary["counts"], label: string) =>
    numberColumn<MeetingSummary>(name, label, (m) => m.counts[name], formatCount, false);
  return dataTable<MeetingSummary>({
    caption: "Meetings, latest scheduled first",
    rowKey: (m) => m.meetingId,
    rows: meetings,
    columns: [
      { name: "scheduledStart", label: "Scheduled", cell: (m) => link(href("meetings", m.meetingId), timeText(m.scheduledStart)) },
      { name: "title", label: "Meeting", cell: (m) => link(href("meetings", m.meetingId), m.title ?? m.meetingId) },
      { name: "roomName", label: "Room", cell: (m) => m.roomName ?? "—" },
      { name: "status", label: "Status", cell: (m) => meetingBadge(m.status) },
      numberColumn("startedLateSeconds", "Started late", (m) => m.startedLateSeconds, formatDuration, false),
      count("expected", "Expected"),
      count("present", "Present"),
      count("late", "Late"),
      count("absent", "Absent"),
      count("unexpected", "Unexpected"),
    ],
  });
}

/**
 * The API query for the filters in the page's address.
 *
 * @example
 * meetingsQuery(new URLSearchParams("from=2026-03-02&status=no_show")); // { from: "2026-03-01T23:00:00.000Z", … }
 */
export function meetingsQuery(query: URLSearchParams): Record<string, string | null> {
  return {
    from: startOfLocalDay(query.get("from")),
    to: endOfLocalDay(query.get("until")),
    status: query.get("status"),
    cursor: query.get("cursor"),
  };
}

export const meetingsPage: Page = async ({ main, route, signal }) => {
  const page = await getJson<ApiPage<MeetingSummary>>(apiPath("/api/meetings", meetingsQuery(route.query)), signal);
  const filters = Object.fromEntries([...route.query.entries()].filter(([name]) => name !== "cursor"));
  const more = page.cursor ? link(href("meetings", null, { ...filters, cursor: page.cursor }), "Next page →") : null;
  const empty = route.query.size > 0
    ? "No meetings match these filters."
    : "No scheduled meetings yet: register them with PUT /api/meetings/<meetingId> or meetmeter meetings import.";
  replaceChildren(
    main,
    pageHeading("Meetings"),
    filterForm(route.query),
    page.results.length > 0 ? meetingsTable(page.results) : notice(empty),
    more,
  );
};
