/**
 * Every figure is computed in whole milliseconds, as `Date.parse` gives them, and turned into the API's units only at
 * the end, so that sums never carry rounding from their parts.
 */

/** Formats an instant as the API shows it: ISO 8601 UTC with milliseconds. */
export type IsoFormatter = (ms: number) => string;

const DAY_MS = 86_400_000;

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/**
 * A formatter for one session. Its instants are its events' times, each shown several times over (timeline,
 * connections, persons, knocks), and `toISOString` is among the costliest steps of a rebuild: so the date part is
 * formatted once per day and the time of day by arithmetic, which gives the very same text.
 *
 * @example
 * const iso = isoFormatter();
 * iso(Date.parse("2026-03-02T09:00:04.12Z")); // "2026-03-02T09:00:04.120Z"
 */
export function isoFormatter(): IsoFormatter {
  const dates = new Map<number, string>();
  return (ms) => {
    const midnight = Math.floor(ms / DAY_MS) * DAY_MS;
    let date = dates.get(midnight);
    if (date === undefined) {
      const iso = new Date(midnight).toISOString();
      date = iso.slice(0, iso.indexOf("T") + 1);
      dates.set(midnight, date);
    }
    const sinceMidnight = ms - midnight;
    const hours = Math.floor(sinceMidnight / 3_600_000);
    const minutes = Math.floor(sinceMidnight / 60_000) % 60;
    const seconds = Math.floor(sinceMidnight / 1000) % 60;
    return `${date}${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(sinceMidnight % 1000, 3)}Z`;
  };
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
