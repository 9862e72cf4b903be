/**
 * How figures read on screen. Times are shown in the viewer's own time zone; the exact API value stays in a
 * `<data value>` beside each figure.
 */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const timeWithSeconds = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const oneDecimal = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/**
 * A timestamp in the viewer's zone, or a dash.
 *
 * @example
 * formatDateTime("2026-03-02T09:00:04.120Z"); // "Mar 2, 2026, 10:00:04 AM" in Paris with en-US
 */
export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : "—";
}

/**
 * The time of day for chart axes.
 *
 * @example
 * formatTimeOfDay(Date.parse("2026-03-02T09:00:00Z")); // "09:00" in UTC with en-GB
 */
export function formatTimeOfDay(epochMs: number, withSeconds = false): string {
  return (withSeconds ? timeWithSeconds : timeOfDay).format(new Date(epochMs));
}

/**
 * A length of time as hours, minutes and seconds.
 *
 * @example
 * formatDuration(3725.4); // "1 h 02 min 05 s"
 * formatDuration(65); // "1 min 05 s"
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${h} h ${pad(m)} min ${pad(s)} s`;
  if (m > 0) return `${m} min ${pad(s)} s`;
  return `${s} s`;
}

/**
 * Participant seconds as minutes with one decimal.
 *
 * @example
 * formatMinutes(90); // "1.5"
 */
export function formatMinutes(seconds: number): string {
  return oneDecimal.format(seconds / 60);
}

/**
 * A count.
 *
 * @example
 * formatCount(12345); // "12,345" with en-US
 */
export function formatCount(value: number): string {
  return whole.format(value);
}

/**
 * An attendance share, or a dash when it has none (a session of zero length).
 *
 * @example
 * formatPercent(87.5); // "87.5 %"
 */
export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${oneDecimal.format(value)} %`;
}

/**
 * The calendar label of a usage bucket, read straight from its local `start` so that it names the day or month in
 * the zone the API used, whatever zone this browser is in.
 *
 * @example
 * bucketLabel("2026-03-02T00:00:00+13:00", "day"); // "2026-03-02"
 * bucketLabel("2026-03-01T00:00:00+13:00", "month"); // "2026-03"
 */
export function bucketLabel(start: string, interval: "day" | "month"): string {
  return interval === "month" ? start.slice(0, 7) : start.slice(0, 10);
}
