/**
 * Date filters: the viewer picks calendar days in their own zone; the API takes instants.
 */

/**
 * The instant a local calendar day (`YYYY-MM-DD`) begins, or null for an empty or invalid day.
 *
 * @example
 * startOfLocalDay("2026-03-02"); // "2026-03-01T23:00:00.000Z" in Paris
 */
export function startOfLocalDay(day: string | null): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day ?? "");
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * The instant after a local calendar day ends, so that an inclusive "until" day becomes the API's exclusive `to`.
 *
 * @example
 * endOfLocalDay("2026-03-02"); // "2026-03-02T23:00:00.000Z" in Paris
 */
export function endOfLocalDay(day: string | null): string | null {
  const start = startOfLocalDay(day);
  if (!start) return null;
  const date = new Date(start);
  date.setDate(date.getDate() + 1);
  return date.toISOString();
}

/**
 * The browser's IANA time zone, e.g. `Europe/Paris`.
 *
 * @example
 * apiPath("/api/usage", { tz: viewerTimeZone() });
 */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
