/**
 * One session: summary figures, the timeline and occupancy charts, the attendance table with its CSV download, the
 * waiting room, bots, recordings and transcriptions.
 */
import { ApiError, getJson } from "../api.js";
import { occupancyChart } from "../charts/occupancy-chart.js";
import { timelineChart } from "../charts/timeline-chart.js";
import { el, figure, replaceChildren, type Child } from "../dom.js";
import { csvButton } from "../download.js";
import { formatCount, formatDuration, formatMinutes } from "../format.js";
import { href } from "../router.js";
import type { Artifact, Knock, SessionDetail } from "../types.js";
import { dataTable, figureList, link, notice, pageHeading, timeColumn, timeText, type FigureItem } from "../ui.js";
import { whenLeft, type Page } from "./page.js";
import { peopleTable } from "./people-table.js";
import { statusBadge } from "./sessions.js";

function section(id: string, title: string, ...content: Child[]): HTMLElement {
  return el("section", { attrs: { "aria-labelledby": id } }, el("h2", { attrs: { id } }, title), ...content);
}

function ended(session: SessionDetail): Child {
  if (session.ongoing) return "Still going";
  const inferred = session.endedAt && session.reportedEndedAt && session.endedAt !== session.reportedEndedAt;
  if (!inferred) return timeText(session.endedAt);
  // Whereby reports the end about a minute late; the real end is the last leave that left fewer than two.
  return el(
    "span",
    {},
    timeText(session.endedAt),
    el("br"),
    el(
      "small",
      { className: "hint" },
      "from the last leave; Whereby reported the end at ",
      timeText(session.reportedEndedAt),
    ),
  );
}

function summary(session: SessionDetail): HTMLDListElement {
  const count = (name: keyof SessionDetail & string, label: string, value: number): FigureItem => ({
    name,
    label,
    value: figure(value, formatCount(value)),
  });
  return figureList([
    { name: "startedAt", label: "Started", value: timeText(session.startedAt) },
    { name: "endedAt", label: "Ended", value: ended(session) },
    {
      name: "durationSeconds",
      label: session.ongoing ? "Duration so far" : "Duration",
      value: figure(session.durationSeconds, formatDuration(session.durationSeconds)),
    },
    count("peakParticipants", "Peak participants", session.peakParticipants),
    count("uniqueParticipants", "People", session.uniqueParticipants),
    {
      name: "participantSeconds",
      label: "Participant minutes",
      value: figure(session.participantSeconds, formatMinutes(session.participantSeconds)),
    },
    count("billableParticipantMinutes", "Billable minutes", session.billableParticipantMinutes),
    count("knocks", "Knocks", session.knocks),
    count("knocksCancelled", "Knocks cancelled", session.knocksCancelled),
  ]);
}

function waitedMs(knock: Knock): number | null {
  return knock.resolvedAt ? Date.parse(knock.resolvedAt) - Date.parse(knock.knockedAt) : null;
}

function waitingRoom(knocks: Knock[]): HTMLDivElement {
  return dataTable<Knock>({
    caption: "Waiting room",
    rows: knocks,
    columns: [
      { name: "displayName", label: "Name", sortValue: (k) => k.displayName, cell: (k) => k.displayName ?? "—" },
      timeColumn("knockedAt", "Knocked", (k) => k.knockedAt),
      { name: "outcome", label: "Outcome", sortValue: (k) => k.outcome, cell: (k) => k.outcome },
      {
        name: "waited",
        label: "Waited",
        numeric: true,
        sortValue: waitedMs,
        cell: (k) => {
          const ms = waitedMs(k);
          return ms === null ? "still waiting" : formatDuration(ms / 1000);
        },
      },
    ],
  });
}

function artifactItem(artifact: Artifact): HTMLLIElement {
  const text = (name: string) => (typeof artifact.data[name] === "string" ? ` · ${String(artifact.data[name])}` : null);
  const at = timeText(artifact.createdAt);
  return el("li", {}, el("code", {}, artifact.type), " at ", at, text("filename"), text("status"));
}

async function loadSession(id: string, signal: AbortSignal): Promise<SessionDetail | null> {
  try {
    return await getJson<SessionDetail>(`/api/sessions/${encodeURIComponent(id)}`, signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export const sessionPage: Page = async ({ main, route, signal }) => {
  const id = route.id ?? "";
  const session = await loadSession(id, signal);
  if (!session) {
    const missing = notice(`There is no session with id ${id}.`);
    replaceChildren(main, pageHeading("Session not found"), missing, link(href("sessions"), "All sessions"));
    return;
  }
  const now = Date.now();
  const timeline = timelineChart(session, now);
  const occupancy = occupancyChart(session, now);
  const artifacts = [...session.recordings, ...session.transcriptions];
  const roomLink = session.roomName
    ? link(href("sessions", null, { roomName: session.roomName }), "other sessions in this room")
    : null;

  replaceChildren(
    main,
    el("p", { className: "breadcrumb" }, link(href("sessions"), "Sessions"), " / "),
    pageHeading(session.roomName ?? "Session", " ", statusBadge(session)),
    el(
      "p",
      { className: "hint" },
      "Session ",
      el("code", {}, session.id),
      session.meetingId ? [" · meeting ", el("code", {}, session.meetingId)] : null,
      roomLink ? [" · ", roomLink] : null,
    ),
    summary(session),
    section("timeline-heading", "Timeline", timeline.box),
    section("occupancy-heading", "Participants over time", occupancy.box),
    section(
      "attendance-heading",
      "Attendance",
      csvButton(`/api/sessions/${encodeURIComponent(session.id)}/attendance.csv`, `attendance-${session.id}.csv`),
      session.participants.length > 0
        ? peopleTable("Attendance, one row per person", session.participants)
        : notice("Nobody attended."),
    ),
    session.knockList.length > 0 ? section("waiting-heading", "Waiting room", waitingRoom(session.knockList)) : null,
    session.bots.length > 0
      ? section(
          "bots-heading",
          "Bots",
          el(
            "p",
            { className: "hint" },
            "Recorders, streamers, captioners and assistants are left out of the participant figures.",
          ),
          peopleTable("Bots", session.bots),
        )
      : null,
    artifacts.length > 0
      ? section("artifacts-heading", "Recordings and transcriptions", el("ul", {}, ...artifacts.map(artifactItem)))
      : null,
  );
  const charts = [timeline.draw(), occupancy.draw()];
  whenLeft(signal, () => charts.forEach((chart) => chart.destroy()));
};
