/**
 * One row per person, each connection a bar on a time axis; waiting-room time shaded, inferred joins and leaves
 * hatched, and the session's start, real end and reported end drawn as lines.
 */
import type { ChartDataset } from "chart.js";
import { formatDuration, formatTimeOfDay } from "../format.js";
import type { Person, SessionDetail } from "../types.js";
import { Chart, chartBox, type ChartMount, hatch, PALETTE } from "./setup.js";
import { markerSpace, timeMarkers, type TimeMarker } from "./time-markers.js";

interface Bar {
  x: [number, number];
  y: string;
}

interface Row {
  /** Unique per row (the person's key), so two people with the same name keep two rows. */
  id: string;
  label: string;
}

const ms = (iso: string) => Date.parse(iso);

function rowLabel(person: Person, isBot: boolean): string {
  const name = person.displayName ?? person.key;
  return isBot ? `${name} (${person.roleName ?? "bot"})` : name;
}

/**
 * The chart's time range: from the earliest of the start, joins and knocks to the latest end.
 *
 * @example
 * timeRange(session, Date.now()); // { min: 1772442000000, max: 1772445600000 }
 */
export function timeRange(session: SessionDetail, now: number): { min: number; max: number } {
  const moments = [ms(session.startedAt)];
  for (const person of [...session.participants, ...session.bots]) {
    for (const c of person.connections) moments.push(ms(c.joinedAt), c.leftAt ? ms(c.leftAt) : now);
  }
  for (const knock of session.knockList) moments.push(ms(knock.knockedAt));
  moments.push(session.reportedEndedAt ? ms(session.reportedEndedAt) : session.endedAt ? ms(session.endedAt) : now);
  return { min: Math.min(...moments), max: Math.max(...moments) };
}

/**
 * Builds the timeline chart for a session. Place `box` in the page, then call `draw()`.
 *
 * @example
 * const { box, draw } = timelineChart(session, Date.now());
 */
export function timelineChart(session: SessionDetail, now: number): ChartMount {
  const rows: Row[] = [];
  const rowOfParticipant = new Map<string, string>();
  const connected: Bar[] = [];
  const inferred: Bar[] = [];
  const waiting: Bar[] = [];

  const addPerson = (person: Person, isBot: boolean) => {
    rows.push({ id: person.key, label: rowLabel(person, isBot) });
    for (const c of person.connections) {
      rowOfParticipant.set(c.participantId, person.key);
      const bar: Bar = { x: [ms(c.joinedAt), c.leftAt ? ms(c.leftAt) : now], y: person.key };
      (c.joinInferred || c.leftInferred ? inferred : connected).push(bar);
    }
  };
  session.participants.forEach((p) => addPerson(p, false));
  session.bots.forEach((p) => addPerson(p, true));

  for (const knock of session.knockList) {
    let row = rowOfParticipant.get(knock.participantId);
    if (!row) {
      // Someone who knocked and was never let in still gets a row: their wait is the whole story.
      row = `knock:${knock.participantId}`;
      const label = `${knock.displayName ?? "Visitor"} (not admitted)`;
      if (!rows.some((r) => r.id === row)) rows.push({ id: row, label });
    }
    waiting.push({ x: [ms(knock.knockedAt), knock.resolvedAt ? ms(knock.resolvedAt) : now], y: row });
  }

  const markers: TimeMarker[] = [{ at: ms(session.startedAt), label: "Start", color: "#1b5e20" }];
  if (session.endedAt) markers.push({ at: ms(session.endedAt), label: "End", color: "#b71c1c" });
  if (session.reportedEndedAt && session.reportedEndedAt !== session.endedAt) {
    markers.push({ at: ms(session.reportedEndedAt), label: "Reported end", color: "#6d4c41", dashed: true });
  }

  const blue = PALETTE[0] ?? "#0072B2";
  const orange = PALETTE[1] ?? "#E69F00";
  const datasets: ChartDataset<"bar", Bar[]>[] = [
    { label: "Connected", data: connected, backgroundColor: blue, borderColor: blue, borderWidth: 1 },
    {
      label: "Connected, join or leave inferred",
      data: inferred,
      backgroundColor: hatch(blue),
      borderColor: blue,
      borderWidth: 1,
    },
    { label: "Waiting room", data: waiting, backgroundColor: `${orange}99`, borderColor: orange, borderWidth: 1 },
  ];
  const labels = rows.map((r) => r.id);
  const labelOf = new Map(rows.map((r) => [r.id, r.label]));
  const { min, max } = timeRange(session, now);

  // Each row its own 34 px, beside the time axis, the legend and the markers' labels above: a box of a fixed least
  // height left two rows too little room, and Chart.js then dropped every other name.
  const { box, canvas } = chartBox(
    `Timeline of ${rows.length} people: each connection as a bar from join to leave, waiting-room time shaded.`,
    rows.length * 34 + 110 + markerSpace(markers.length),
  );
  const draw = () =>
    new Chart<"bar", Bar[], string>(canvas, {
    type: "bar",
    data: { labels, datasets },
    options: {
      indexAxis: "y",
      layout: { padding: { top: markerSpace(markers.length) } },
      // Bars of one row share its band instead of splitting it per dataset.
      datasets: { bar: { grouped: false, barPercentage: 0.9, categoryPercentage: 0.8 } },
      scales: {
        x: {
          type: "linear",
          min,
          max,
          ticks: { callback: (value) => formatTimeOfDay(Number(value)), maxTicksLimit: 8 },
          title: { display: true, text: "Time" },
        },
        y: {
          type: "category",
          ticks: {
            // Every row is a person: none may go unnamed to save room.
            autoSkip: false,
            callback(_value, index) {
              // On a phone the names would take half the width; the table below has them in full.
              const label = labelOf.get(labels[index] ?? "") ?? "";
              const room = this.chart.width < 600 ? 14 : 36;
              return label.length > room ? `${label.slice(0, room - 1)}…` : label;
            },
          },
        },
      },
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          callbacks: {
            title: (items) => labelOf.get(String((items[0]?.raw as Bar | undefined)?.y ?? "")) ?? "",
            label: (item) => {
              const [start, end] = (item.raw as Bar).x;
              const span = `${formatTimeOfDay(start, true)} – ${formatTimeOfDay(end, true)}`;
              return `${item.dataset.label}: ${span} (${formatDuration((end - start) / 1000)})`;
            },
          },
        },
      },
    },
    plugins: [timeMarkers(markers)],
  });
  return { box, draw };
}
