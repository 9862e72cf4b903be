/**
 * One session: summary figures, the timeline and occupancy charts, the attendance table with its CSV download, the
 * waiting room, bots, recordings and transcriptions.
 */
import { ApiError, getJson } from "../api.js";
import { occupancyChart } from "../charts/occupancy-chart.js";
import { timelineChart } from "../charts/timeline-chart.js";
import { el, figure, replaceChildren } from "../dom.js";
import { downloadFile } from "../download.js";
import { formatCount, formatDateTime, formatDuration, formatMinutes } from "../format.js";
import { href } from "../router.js";
import type { Knock, SessionDetail } from "../types.js";
import { dataTable, figureList, notice, pageHeading, type FigureItem } from "../ui.js";
import { whenLeft, type Page } from "./page.js";
import { peopleTable } from "./people-table.js";
import { statusBadge } from "./sessions.js";

const time = (iso: string | null) => (iso ? el("time", { attrs: { datetime: iso } }, formatDateTime(iso)) : "—");

function summary(session: SessionDetail): HTMLDListElement {
  const endNote =
    session.endedAt && session.reportedEndedAt && session.endedAt !== session.reportedEndedAt
      ? el("small", { className: "hint" }, "from the last leave; Whereby reported the end at ", time(session.reportedEndedAt))
      : null;
  const items: FigureItem[] = [
    { name: "startedAt", label: "Started", value: time(session.startedAt) },
    {
      name: "endedAt",
      label: "Ended",
      value: session.ongoing ? el("span", {}, "Still going") : el("span", {}, time(session.endedAt), endNote ? el("br") : null, endNote),
    },
    { name: "durationSeconds", label: session.ongoing ? "Duration so far" : "Duration", value: figure(session.durationSeconds, formatDuration(session.durationSeconds)) },
    { name: "peakParticipants", label: "Peak participants", value: figure(session.peakParticipants, formatCount(session.peakParticipants)) },
    { name: "uniqueParticipants", label: "People", value: figure(session.uniqueParticipants, formatCount(session.uniqueParticipants)) },
    { name: "participantSeconds", label: "Participant minutes", value: figure(session.participantSeconds, formatMinutes(session.participantSeconds)) },
    {
      name: "billableParticipantMinutes",
      label: "Billable minutes",
      value: figure(session.billableParticipantMinutes, formatCount(session.billableParticipantMinutes)),
    },
    { name: "knocks", label: "Knocks", value: figure(session.knocks, formatCount(session.knocks)) },
    { name: "knocksCancelled", label: "Knocks cancelled", value: figure(session.knocksCancelled, formatCount(session.knocksCancelled)) },
  ];
  return figureList(items);
}

function waitingRoom(knocks: Knock[]): HTMLDivElement {
  return dataTable<Knock>({
    caption: "Waiting room",
    rows: knocks,
    columns: [
      { name: "displayName", label: "Name", sortValue: (k) => k.displayName, cell: (k) => k.displayName ?? "—" },
      { name: "knockedAt", label: "Knocked", sortValue: (k) => k.knockedAt, cell: (k) => time(k.knockedAt) },
      { name: "outcome", label: "Outcome", sortValue: (k) => k.outcome, cell: (k) => k.outcome },
      {
        name: "waited",
        label: "Waited",
        numeric: true,
        sortValue: (k) => (k.resolvedAt ? Date.parse(k.resolvedAt) - Date.parse(k.knockedAt) : null),
        cell: (k) => (k.resolvedAt ? formatDuration((Date.parse(k.resolvedAt) - Date.parse(k.knockedAt)) / 1000) : "still waiting"),
      },
    ],
  });
}

function artifacts(session: SessionDetail): HTMLElement | null {
  const all = [...session.recordings, ...session.transcriptions];
  if (all.length === 0) return null;
  return el(
    "section",
    { attrs: { "aria-labelledby": "artifacts-heading" } },
    el("h2", { attrs: { id: "artifacts-heading" } }, "Recordings and transcriptions"),
    el(
      "ul",
      {},
      ...all.map((a) => {
        const filename = typeof a.data.filename === "string" ? a.data.filename : null;
        const status = typeof a.data.status === "string" ? a.data.status : null;
        return el("li", {}, el("code", {}, a.type), " at ", time(a.createdAt), filename ? ` · ${filename}` : null, status ? ` · ${status}` : null);
      }),
    ),
  );
}

function csvButton(session: SessionDetail): HTMLElement {
  const status = el("span", { className: "hint", attrs: { role: "status" } });
  const button = el(
    "button",
    {
      attrs: { type: "button", id: "download-csv" },
      on: {
        click: () => {
          button.disabled = true;
          status.textContent = "Preparing…";
          downloadFile(`/api/sessions/${encodeURIComponent(session.id)}/attendance.csv`, `attendance-${session.id}.csv`)
            .then(() => (status.textContent = "Downloaded."))
            .catch((error: unknown) => (status.textContent = `Download failed: ${error instanceof Error ? error.message : String(error)}`))
            .finally(() => (button.disabled = false));
        },
      },
    },
    "Download CSV",
  );
  return el("div", { className: "toolbar" }, button, status);
}

export const sessionPage: Page = async ({ main, route, signal }) => {
  const id = route.id ?? "";
  let session: SessionDetail;
  try {
    session = await getJson<SessionDetail>(`/api/sessions/${encodeURIComponent(id)}`, signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      replaceChildren(main, pageHeading("Session not found"), notice(`There is no session with id ${id}.`), el("a", { attrs: { href: href("sessions") } }, "All sessions"));
      return;
    }
    throw error;
  }
  const now = Date.now();
  const timeline = timelineChart(session, now);
  const occupancy = occupancyChart(session, now);

  replaceChildren(
    main,
    el("p", { className: "breadcrumb" }, el("a", { attrs: { href: href("sessions") } }, "Sessions"), " / "),
    pageHeading(session.roomName ?? "Session", " ", statusBadge(session)),
    el(
      "p",
      { className: "hint" },
      "Session ",
      el("code", {}, session.id),
      session.meetingId ? " · meeting " : null,
      session.meetingId ? el("code", {}, session.meetingId) : null,
      session.roomName ? " · " : null,
      session.roomName ? el("a", { attrs: { href: href("sessions", null, { roomName: session.roomName }) } }, "other sessions in this room") : null,
    ),
    summary(session),
    el("section", { attrs: { "aria-labelledby": "timeline-heading" } }, el("h2", { attrs: { id: "timeline-heading" } }, "Timeline"), timeline.box),
    el("section", { attrs: { "aria-labelledby": "occupancy-heading" } }, el("h2", { attrs: { id: "occupancy-heading" } }, "Participants over time"), occupancy.box),
    el(
      "section",
      { attrs: { "aria-labelledby": "attendance-heading" } },
      el("h2", { attrs: { id: "attendance-heading" } }, "Attendance"),
      csvButton(session),
      session.participants.length > 0 ? peopleTable("Attendance, one row per person", session.participants) : notice("Nobody attended."),
    ),
    (session.knockList ?? []).length > 0
      ? el("section", { attrs: { "aria-labelledby": "waiting-heading" } }, el("h2", { attrs: { id: "waiting-heading" } }, "Waiting room"), waitingRoom(session.knockList))
      : null,
    session.bots.length > 0
      ? el(
          "section",
          { attrs: { "aria-labelledby": "bots-heading" } },
          el("h2", { attrs: { id: "bots-heading" } }, "Bots"),
          el("p", { className: "hint" }, "Recorders, streamers, captioners and assistants are left out of the participant figures."),
          peopleTable("Bots", session.bots),
        )
      : null,
    artifacts(session),
  );
  const charts = [timeline.draw(), occupancy.draw()];
  whenLeft(signal, () => charts.forEach((chart) => chart.destroy()));
};
