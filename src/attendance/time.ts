/**
 * Every figure is computed in whole milliseconds, as `Date.parse` gives them, and turned into the API's units only at
 * the end, so that sums never carry rounding from their parts.
 */

/**
 * An instant as the API shows it: ISO 8601 UTC with milliseconds.
 *
 * @example
 * isoOf(Date.parse("2026-03-02T09:00:04.12Z")); // "2026-03-02T09:00:04.120Z"
 */
export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * A length in seconds with up to three decimals.
 *
 * @example
 * secondsOf(3_181_873.4); // 3181.873
 */
export function secondsOf(ms: number): number {
  return Math.round(ms) / 1000;
}
