/**
 * Instants written in ISO 8601, read strictly: a real calendar date, a time of day, and a zone (`Z` or an offset).
 * `Date.parse` alone would take "5" for May 2001, roll 30 February over into March, and read a time without a zone
 * in whatever zone the server runs in.
 */

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2})))?$/;

/** Years a meeting's events can fall in: before 1970 or after 9999 is a mistake, never a meeting. */
const FIRST_YEAR = 1970;

/**
 * The last instant written with a four-digit year. Past it `toISOString` writes `+010000-…`, which sorts before 1970
 * as text, and the store compares times as text: so an offset that carries 9999-12-31 into year 10000 is refused, as
 * is one that carries 1970-01-01 back into 1969.
 */
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function within(ms: number): number | null {
  return ms >= 0 && ms <= LAST_INSTANT ? ms : null;
}

export const ISO_INSTANT_HINT = "an ISO 8601 time with its zone, e.g. 2026-03-02T09:00:00.000Z";

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ`, as Whereby and `toISOString` write every instant. */
const CANONICAL_LENGTH = 24;
const SEPARATORS: readonly (readonly [number, number])[] = [
  [4, 0x2d], // -
  [7, 0x2d],
  [10, 0x54], // T
  [13, 0x3a], // :
  [16, 0x3a],
  [19, 0x2e], // .
  [23, 0x5a], // Z
];

/** The number written by the decimal digits text[from, to), or -1 when one of them is not a digit. */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i += 1) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * The canonical form read without the regular expression, which is most of the cost of reading an event: the instant,
 * null when its date or time does not exist, or undefined when `text` is not in that form (the general rule reads it).
 */
function canonicalInstant(text: string): number | null | undefined {
  for (const [at, code] of SEPARATORS) if (text.charCodeAt(at) !== code) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  const millis = digits(text, 20, 23);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || millis < 0) return undefined;
  if (year < FIRST_YEAR || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}

/**
 * The instant in epoch milliseconds, or null when `text` is not one, or not one from 1970 to 9999 once its offset is
 * applied. A date alone is its midnight UTC when `dateOnly` allows it; a time of day always needs its zone.
 *
 * @example
 * parseIsoInstant("2026-03-02T10:00:00+01:00"); // 1772442000000
 * parseIsoInstant("2026-02-30T10:00:00Z");      // null
 * parseIsoInstant("2026-03-02", { dateOnly: true }); // 1772409600000
 */
export function parseIsoInstant(text: string, options: { dateOnly?: boolean } = {}): number | null {
  if (text.length === CANONICAL_LENGTH) {
    const canonical = canonicalInstant(text);
    if (canonical !== undefined) return canonical;
  }
  const match = INSTANT.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction, z, sign, oh, om] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < FIRST_YEAR || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (h === undefined) return options.dateOnly ? Date.UTC(year, month - 1, day) : null;
  if (z === undefined && sign === undefined) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return null;
  if (sign !== undefined && (Number(oh) > 23 || Number(om) > 59)) return null;
  const millis = Number((fraction ?? "").padEnd(3, "0").slice(0, 3));
  const offset = sign === undefined ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  return within(Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s ?? 0), millis) - offset);
}

/**
 * The instant of a createdAt that passed validation. Events stored before validation was strict are read as
 * `Date.parse` reads them, so that they still derive; NaN when not even that can.
 */
export function instantOf(createdAt: string): number {
  return parseIsoInstant(createdAt) ?? Date.parse(createdAt);
}
