/**
 * A Chart.js plugin that draws labelled vertical lines at moments on a time axis (a session's start, its real end,
 * and the later end Whereby reported).
 */
import type { Plugin } from "chart.js";

const MARKER_LINE_PX = 14;

/**
 * The room above the plot that the labels of `count` markers need; give it as the chart's `layout.padding.top`.
 *
 * @example
 * options: { layout: { padding: { top: markerSpace(markers.length) } } }
 */
export function markerSpace(count: number): number {
  return count * MARKER_LINE_PX + 4;
}

export interface TimeMarker {
  at: number;
  label: string;
  color: string;
  dashed?: boolean;
}

/**
 * The plugin for one chart; pass it in the chart's `plugins`.
 *
 * @example
 * new Chart(canvas, { ...config, plugins: [timeMarkers([{ at: endMs, label: "End", color: "#000" }])] });
 */
export function timeMarkers(markers: TimeMarker[]): Plugin {
  return {
    id: "meetmeterTimeMarkers",
    afterDatasetsDraw(chart) {
      const { ctx, chartArea } = chart;
      const x = chart.scales.x;
      if (!x) return;
      ctx.save();
      ctx.font = `12px ${chart.options.font?.family ?? "sans-serif"}`;
      markers.forEach((marker, index) => {
        const position = x.getPixelForValue(marker.at);
        if (position < chartArea.left - 1 || position > chartArea.right + 1) return;
        ctx.strokeStyle = marker.color;
        ctx.fillStyle = marker.color;
        ctx.lineWidth = 2;
        ctx.setLineDash(marker.dashed ? [6, 4] : []);
        ctx.beginPath();
        ctx.moveTo(position, chartArea.top);
        ctx.lineTo(position, chartArea.bottom);
        ctx.stroke();
        // Each label has its own line above the plot, so that markers close in time stay readable.
        const alignRight = position > (chartArea.left + chartArea.right) / 2;
        ctx.textAlign = alignRight ? "right" : "left";
        ctx.fillText(marker.label, position + (alignRight ? -4 : 4), chartArea.top - 6 - index * MARKER_LINE_PX);
      });
      ctx.restore();
    },
  };
}
