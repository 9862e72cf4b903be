/**
 * Usage: participant minutes per day or month in the viewer's time zone, as a chart and a table with the total.
 */
import { apiPath, getJson } from "../api.js";
import { usageChart } from "../charts/usage-chart.js";
import { endOfLocalDay, startOfLocalDay, viewerTimeZone } from "../dates.js";
import { el, figure, replaceChildren } from "../dom.js";
import { bucketLabel, formatCount, formatMinutes } from "../format.js";
import { href } from "../router.js";
import type { UsageBucket, UsageFigures, UsageReport } from "../types.js";
import { dataTable, field, notice, numberColumn, pageHeading } from "../ui.js";
import { whenLeft, type Page } from "./page.js";

function filterForm(query: URLSearchParams): HTMLFormElement {
  const interval = el(
    "select",
    { attrs: { id: "usage-interval" } },
    el("option", { attrs: { value: "day", selected: query.get("interval") !== "month" } }, "Day"),
    el("option", { attrs: { value: "month", selected: query.get("interval") === "month" } }, "Month"),
  );
  const from = el("input", { attrs: { id: "usage-from", type: "date", value: query.get("from") ?? "" } });
  const until = el("input", { attrs: { id: "usage-until", type: "date", value: query.get("until") ?? "" } });
  const empty = el("input", {
    attrs: { id: "usage-empty", type: "checkbox", checked: query.get("empty") === "shown" },
  });
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    location.hash = href("usage", null, {
      interval: interval.value,
      from: from.value,
      until: until.value,
      empty: empty.checked ? "shown" : "",
    });
  };
  return el(
    "form",
    { className: "filters", attrs: { "aria-label": "Usage period" }, on: { submit } },
    field("Per", interval),
    field("From", from),
    field("Until (inclusive)", until),
    el(
      "div",
      { className: "field checkbox" },
      empty,
      el("label", { attrs: { for: empty.id } }, "List periods without sessions"),
    ),
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

function totalCells(total: UsageFigures): HTMLElement[] {
  const cell = (name: keyof UsageFigures, text: string) =>
    el("td", { className: "numeric", attrs: { "data-column": name } }, figure(total[name], text));
  return [
    el("th", { attrs: { scope: "row" } }, "Total"),
    cell("sessions", formatCount(total.sessions)),
    cell("participantSeconds", formatMinutes(total.participantSeconds)),
    cell("billableParticipantMinutes", formatCount(total.billableParticipantMinutes)),
  ];
}

function usageTable(report: UsageReport, showEmpty: boolean): HTMLDivElement {
  const per = report.interval;
  return dataTable<UsageBucket>({
    caption: `Participant minutes per ${per}${showEmpty ? "" : ` (${per}s with sessions)`}`,
    // The API lists every period in the range; a year of empty days would bury the few that count.
    rows: showEmpty ? report.buckets : report.buckets.filter((b) => b.sessions > 0),
    rowKey: (b) => b.start,
    sortBy: { name: "start", direction: "ascending" },
    columns: [
      {
        name: "start",
        label: per === "month" ? "Month" : "Day",
        sortValue: (b) => Date.parse(b.start),
        cell: (b) => el("time", { attrs: { datetime: b.start } }, bucketLabel(b.start, per)),
      },
      numberColumn("sessions", "Sessions", (b) => b.sessions, formatCount),
      numberColumn("participantSeconds", "Participant minutes", (b) => b.participantSeconds, formatMinutes),
      numberColumn("billableParticipantMinutes", "Billable minutes", (b) => b.billableParticipantMinutes, formatCount),
    ],
    footer: totalCells(report.total),
  });
}

export const usagePage: Page = async ({ main, route, signal }) => {
  const report = await getJson<UsageReport>(apiPath("/api/usage", usageQuery(route.query)), signal);
  const { total } = report;
  const intro = [
    pageHeading("Usage"),
    filterForm(route.query),
    el(
      "p",
      { className: "hint" },
      "Days and months are counted in ",
      el("strong", {}, report.tz),
      ", this browser's time zone; a session counts where it started.",
    ),
  ];
  if (report.buckets.length === 0) {
    replaceChildren(main, ...intro, notice("No sessions in this period."));
    return;
  }
  const chart = usageChart(report);
  const billable = `${formatCount(total.billableParticipantMinutes)} billable minutes`;
  replaceChildren(
    main,
    ...intro,
    el(
      "p",
      { className: "total", attrs: { "data-figure": "total" } },
      "Total for the period: ",
      el("strong", {}, figure(total.billableParticipantMinutes, billable)),
      ` (${formatMinutes(total.participantSeconds)} participant minutes in ${formatCount(total.sessions)} sessions)`,
    ),
    chart.box,
    usageTable(report, route.query.get("empty") === "shown"),
  );
  const drawn = chart.draw();
  whenLeft(signal, () => drawn.destroy());
};
