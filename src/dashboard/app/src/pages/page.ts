/**
 * What every page gets: the element to fill, the route it was opened with, and a signal that aborts when the viewer
 * navigates away (stopping fetches, streams and charts).
 */
import type { Route } from "../router.js";

export interface PageContext {
  main: HTMLElement;
  route: Route;
  signal: AbortSignal;
}

export type Page = (context: PageContext) => Promise<void>;

/**
 * Runs `cleanup` once the page is left.
 *
 * @example
 * const chart = new Chart(canvas, config);
 * whenLeft(signal, () => chart.destroy());
 */
export function whenLeft(signal: AbortSignal, cleanup: () => void): void {
  if (signal.aborted) cleanup();
  else signal.addEventListener("abort", cleanup, { once: true });
}
