/**
 * Registers only the Chart.js parts the dashboard draws with, and the defaults every chart shares.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily || "system-ui, sans-serif";
Chart.defaults.maintainAspectRatio = false;
if (matchMedia("(prefers-reduced-motion: reduce)").matches) Chart.defaults.animation = false;

/** Colours that stay apart for colour-blind viewers (Okabe–Ito). */
export const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

export { Chart };

/**
 * A chart's box, ready to place, and the call that draws it. Chart.js draws only into a canvas that is already in the
 * document, so pages place the box first and draw after.
 */
export interface ChartMount {
  box: HTMLDivElement;
  draw(): { destroy(): void };
}

/**
 * A canvas inside a sized box, with a text description for screen readers (the tables beside carry the numbers).
 *
 * @example
 * const { box, canvas } = chartBox("Participants over time", 280);
 */
export function chartBox(description: string, heightPx: number): { box: HTMLDivElement; canvas: HTMLCanvasElement } {
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", description);
  canvas.textContent = description;
  const box = document.createElement("div");
  box.className = "chart-box";
  box.style.height = `${heightPx}px`;
  box.append(canvas);
  return { box, canvas };
}

/**
 * A diagonal hatch, so that a bar whose end was inferred differs by more than its colour.
 *
 * @example
 * backgroundColor: hatch("#0072B2")
 */
export function hatch(color: string): CanvasPattern | string {
  const tile = document.createElement("canvas");
  tile.width = 8;
  tile.height = 8;
  const context = tile.getContext("2d");
  if (!context) return color;
  context.fillStyle = `${color}55`;
  context.fillRect(0, 0, 8, 8);
  context.strokeStyle = color;
  context.lineWidth = 2;
  context.beginPath();
  context.moveTo(0, 8);
  context.lineTo(8, 0);
  context.moveTo(-2, 2);
  context.lineTo(2, -2);
  context.moveTo(6, 10);
  context.lineTo(10, 6);
  context.stroke();
  return context.createPattern(tile, "repeat") ?? color;
}
