/**
 * Usage: participant minutes per day or month in the viewer's time zone, as a chart and a table with the total.
 */
import { apiPath, getJson } from "../api.js";
import { usageChart } from "../charts/usage-chart.js";
import { endOfLocalDay, startOfLocalDay, viewerTimeZone } from "../dates.js";
import { el, figure, replaceChildren } from "../dom.js";
import { bucketLabel, formatCount, formatMinutes } from "../format.js";
import { href } from "../router.js";
import type { UsageBucket, UsageReport } from "../types.js";
import { dataTable, notice, pageHeading } from "../ui.js";
import { whenLeft, type Page } from "./page.js";

function filterForm(query: URLSearchParams): HTMLFormElement {
  const interval = el(
    "select",
    { attrs: { id: "usage-interval", name: "interval" } },
    el("option", { attrs: { value: "day", selected: query.get("interval") !== "month" } }, "Day"),
    el("option", { attrs: { value: "month", selected: query.get("interval") === "month" } }, "Month"),
  );
  const from = el("input", { attrs: { id: "usage-from", type: "date", value: query.get("from") ?? "" } });
  const until = el("input", { attrs: { id: "usage-until", type: "date", value: query.get("until") ?? "" } });
  const empty = el("input", { attrs: { id: "usage-empty", type: "checkbox", checked: query.get("empty") === "shown" } });
  const field = (label: string, control: HTMLElement) =>
    el("div", { className: "field" }, el("label", { attrs: { for: control.id } }, label), control);
  return el(
    "form",
    {
      className: "filters",
      attrs: { "aria-label": "Usage period" },
      on: {
        submit: (event) => {
          event.preventDefault();
          location.hash = href("usage", null, {
            interval: interval.value,
            from: from.value,
            until: until.value,
            empty: empty.checked ? "shown" : "",
          });
        },
      },
    },
    field("Per", interval),
    field("From", from),
    field("Until (inclusive)", until),
    el("div", { className: "field checkbox" }, empty, el("label", { attrs: { for: empty.id } }, "List periods without sessions")),
    el("div", { className: "field actions" }, el("button", { attrs: { type: "submit" } }, "Show")),
  );
}

/**
 * The API query for the period in the page's address, in this browser's zone.
 *
 * @example
 * usageQuery(new URLSearchParams("interval=month")); // { interval: "month", tz: "Europe/Paris", from: null, to: null }
 */
export function usageQuery(query: URLSearchParams): Record<string, string | null> {
  return {
    interval: query.get("interval") === "month" ? "month" : "day",
    tz: viewerTimeZone(),
    from: startOfLocalDay(query.get("from")),
    to: endOfLocalDay(query.get("until")),
  };
}

export const usagePage: Page = async ({ main, route, signal }) => {
  const report = await getJson<UsageReport>(apiPath("/api/usage", usageQuery(route.query)), signal);
  const heading = pageHeading("Usage");
  const zoneNote = el("p", { className: "hint" }, "Days and months are counted in ", el("strong", {}, report.tz), ", this browser's time zone; a session counts where it started.");
  if (report.buckets.length === 0) {
    replaceChildren(main, heading, filterForm(route.query), zoneNote, notice("No sessions in this period."));
    return;
  }
  const chart = usageChart(report);
  // The API lists every period in the range; a year of empty days would bury the few that count.
  const showEmpty = route.query.get("empty") === "shown";
  const table = dataTable<UsageBucket>({
    caption: `Participant minutes per ${report.interval}${showEmpty ? "" : ` (${report.interval}s with sessions)`}`,
    rows: showEmpty ? report.buckets : report.buckets.filter((b) => b.sessions > 0),
    rowKey: (b) => b.start,
    columns: [
      { name: "start", label: report.interval === "month" ? "Month" : "Day", cell: (b) => el("time", { attrs: { datetime: b.start } }, bucketLabel(b.start, report.interval)) },
      { name: "sessions", label: "Sessions", numeric: true, cell: (b) => figure(b.sessions, formatCount(b.sessions)) },
      { name: "participantSeconds", label: "Participant minutes", numeric: true, cell: (b) => figure(b.participantSeconds, formatMinutes(b.participantSeconds)) },
      { name: "billableParticipantMinutes", label: "Billable minutes", numeric: true, cell: (b) => figure(b.billableParticipantMinutes, formatCount(b.billableParticipantMinutes)) },
    ],
    footer: [
      el("th", { attrs: { scope: "row" } }, "Total"),
      el("td", { className: "numeric", attrs: { "data-column": "sessions" } }, figure(report.total.sessions, formatCount(report.total.sessions))),
      el("td", { className: "numeric", attrs: { "data-column": "participantSeconds" } }, figure(report.total.participantSeconds, formatMinutes(report.total.participantSeconds))),
      el("td", { className: "numeric", attrs: { "data-column": "billableParticipantMinutes" } }, figure(report.total.billableParticipantMinutes, formatCount(report.total.billableParticipantMinutes))),
    ],
  });
  replaceChildren(
    main,
    heading,
    filterForm(route.query),
    zoneNote,
    el(
      "p",
      { className: "total", attrs: { "data-figure": "total" } },
      "Total for the period: ",
      el("strong", {}, figure(report.total.billableParticipantMinutes, `${formatCount(report.total.billableParticipantMinutes)} billable minutes`)),
      ` (${formatMinutes(report.total.participantSeconds)} participant minutes in ${formatCount(report.total.sessions)} sessions)`,
    ),
    chart.box,
    table,
  );
  const drawn = chart.draw();
  whenLeft(signal, () => drawn.destroy());
};
