/**
 * Participant minutes per day or month, as bars.
 */
import { bucketLabel } from "../format.js";
import type { UsageReport } from "../types.js";
import { Chart, chartBox, type ChartMount, PALETTE } from "./setup.js";

/**
 * Builds the usage chart. Place `box` in the page, then call `draw()`.
 *
 * @example
 * const { box, draw } = usageChart(report);
 */
export function usageChart(report: UsageReport): ChartMount {
  const { box, canvas } = chartBox(`Participant minutes per ${report.interval} in ${report.tz}.`, 300);
  const draw = () =>
    new Chart<"bar", number[], string>(canvas, {
    type: "bar",
    data: {
      labels: report.buckets.map((b) => bucketLabel(b.start, report.interval)),
      datasets: [
        {
          label: "Participant minutes",
          data: report.buckets.map((b) => Math.round((b.participantSeconds / 60) * 10) / 10),
          backgroundColor: PALETTE[0],
        },
        {
          label: "Billable minutes",
          data: report.buckets.map((b) => b.billableParticipantMinutes),
          backgroundColor: PALETTE[1],
        },
      ],
    },
    options: {
      scales: { y: { beginAtZero: true, title: { display: true, text: "Minutes" } } },
      plugins: { legend: { position: "bottom" } },
    },
  });
  return { box, draw };
}
