/**
 * Participants in the room over time, stacked by role, from the session's timeline of joins and leaves.
 */
import type { ChartDataset } from "chart.js";
import { formatTimeOfDay } from "../format.js";
import type { SessionDetail, TimelinePoint } from "../types.js";
import { Chart, chartBox, type ChartMount, PALETTE } from "./setup.js";
import { timeRange } from "./timeline-chart.js";

interface Point {
  x: number;
  y: number;
}

/** The series of the clients a point counts in `numClients` but under no role (all of them when it names none). */
export const ROLE_NOT_REPORTED = "role not reported";

/** How many of a point's clients no role accounts for. */
function unaccounted(point: TimelinePoint): number {
  const byRole = Object.values(point.numClientsByRoleName ?? {}).reduce((sum, count) => sum + count, 0);
  return Math.max(0, point.numClients - byRole);
}

/**
 * One step line per role, stacked, each holding its count until the next join or leave. Whereby may send
 * `numClients` without `numClientsByRoleName`, or with it empty: those clients stack as {@link ROLE_NOT_REPORTED}, so
 * the headcount always shows.
 *
 * @example
 * occupancySeries(session, Date.now()); // Map { "host" => [{x, y: 1}, …], "visitor" => […] }
 */
export function occupancySeries(session: SessionDetail, now: number): Map<string, Point[]> {
  const roles = new Set<string>();
  for (const point of session.timeline) {
    for (const role of Object.keys(point.numClientsByRoleName ?? {})) roles.add(role);
  }
  const series = new Map<string, Point[]>([...roles].sort().map((role) => [role, []]));
  if (session.timeline.some((point) => unaccounted(point) > 0)) series.set(ROLE_NOT_REPORTED, []);
  for (const point of session.timeline) {
    const x = Date.parse(point.at);
    for (const [role, points] of series) {
      const y = role === ROLE_NOT_REPORTED ? unaccounted(point) : (point.numClientsByRoleName?.[role] ?? 0);
      points.push({ x, y });
    }
  }
  // The last count holds until the session's end (or now while it goes on).
  const end = session.endedAt ? Date.parse(session.endedAt) : now;
  for (const points of series.values()) {
    const last = points.at(-1);
    if (last && end > last.x) points.push({ x: end, y: last.y });
  }
  return series;
}

/**
 * Builds the occupancy chart. Place `box` in the page, then call `draw()`.
 *
 * @example
 * const { box, draw } = occupancyChart(session, Date.now());
 */
export function occupancyChart(session: SessionDetail, now: number): ChartMount {
  const series = occupancySeries(session, now);
  const datasets: ChartDataset<"line", Point[]>[] = [...series].map(([role, data], index) => {
    const color = PALETTE[index % PALETTE.length] ?? "#0072B2";
    return {
      label: role,
      data,
      stepped: true,
      fill: index === 0 ? "origin" : "-1",
      borderColor: color,
      backgroundColor: `${color}66`,
      pointRadius: 0,
      pointHitRadius: 6,
    };
  });
  const { min, max } = timeRange(session, now);
  const { box, canvas } = chartBox("Number of participants in the room over time, stacked by role.", 260);
  const draw = () =>
    new Chart<"line", Point[]>(canvas, {
    type: "line",
    data: { datasets },
    options: {
      interaction: { mode: "nearest", axis: "x", intersect: false },
      scales: {
        x: {
          type: "linear",
          min,
          max,
          ticks: { callback: (value) => formatTimeOfDay(Number(value)), maxTicksLimit: 8 },
          title: { display: true, text: "Time" },
        },
        y: {
          stacked: true,
          beginAtZero: true,
          ticks: { precision: 0 },
          title: { display: true, text: "Participants" },
        },
      },
      plugins: {
        legend: { position: "bottom" },
        tooltip: { callbacks: { title: (items) => formatTimeOfDay(items[0]?.parsed.x ?? 0, true) } },
      },
    },
  });
  return { box, draw };
}
