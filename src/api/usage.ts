/**
 * Participant minutes per day or month in an IANA time zone. A session counts in the bucket of its startedAt as
 * seen in that zone; each bucket starts at its local midnight, written with that moment's offset.
 */
import { parseIsoInstant } from "../iso-time.js";
import type { UsageRow } from "../store/event-store.js";

export type UsageInterval = "day" | "month";

export interface UsageBucket {
  start: string;
  sessions: number;
  participantSeconds: number;
  billableParticipantMinutes: number;
}

export interface UsageReport {
  interval: UsageInterval;
  tz: string;
  from: string | null;
  to: string | null;
  buckets: UsageBucket[];
  total: Omit<UsageBucket, "start">;
}

/** Most buckets one answer lists (ten years of days). */
export const MAX_BUCKETS = 3660;

/** A period that would need more than MAX_BUCKETS buckets: refused, rather than answered cut short. */
export class UsageRangeError extends Error {}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The instant a day (`YYYY-MM-DD`) begins where the zone's offset in minutes at an instant is `offsetAt`. */
function midnightOf(day: string, offsetAt: (ms: number) => number): number {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  let guess = Date.UTC(y, m - 1, d);
  for (let i = 0; i < 3; i += 1) guess = Date.UTC(y, m - 1, d) - offsetAt(guess) * 60_000;
  return guess;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A usage bound: an ISO time with its zone, or a date, which is that day's midnight in `tz` (what a date means to
 * someone asking for usage in that zone). Null when it is neither.
 *
 * @example
 * new Date(usageBound("2026-03-01", "Pacific/Auckland")!).toISOString(); // "2026-02-28T11:00:00.000Z"
 */
export function usageBound(value: string, tz: string): number | null {
  const ms = parseIsoInstant(value, { dateOnly: true });
  if (ms === null || !DATE_ONLY.test(value)) return ms;
  const formatter = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "longOffset" });
  return midnightOf(value, (at) => offsetMinutes(partsIn(formatter, at).offset));
}

function partsIn(formatter: Intl.DateTimeFormat, ms: number): { y: number; m: number; d: number; offset: string } {
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(ms)) parts[part.type] = part.value;
  const name = parts.timeZoneName ?? "GMT";
  const offset = name === "GMT" ? "+00:00" : name.replace("GMT", "");
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), offset };
}

function offsetMinutes(offset: string): number {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!match) return 0;
  return (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

const DAY_MS = 86_400_000;

export function bucketUsage(
  rows: readonly UsageRow[],
  options: { interval: UsageInterval; tz: string; from: string | null; to: string | null },
): UsageReport {
  const formatter = new Intl.DateTimeFormat("en-US", {
    timeZone: options.tz,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    timeZoneName: "longOffset",
    hourCycle: "h23",
  });
  // Zone offsets change a few times a year at most: read them once per UTC day, and exactly only on days they change.
  // Asking Intl is most of the work, so every answer is kept: each row and each bucket's start needs one.
  const zoneDays = new Map<number, { start: string; end: string; minutes: number }>();
  const zoneDay = (ms: number) => {
    const day = Math.floor(ms / DAY_MS);
    let known = zoneDays.get(day);
    if (!known) {
      const start = partsIn(formatter, day * DAY_MS).offset;
      known = { start, end: partsIn(formatter, day * DAY_MS + DAY_MS - 1).offset, minutes: offsetMinutes(start) };
      zoneDays.set(day, known);
    }
    return known;
  };
  const offsetTextAt = (ms: number): string => {
    const known = zoneDay(ms);
    return known.start === known.end ? known.start : partsIn(formatter, ms).offset;
  };
  const offsetAt = (ms: number): number => {
    const known = zoneDay(ms);
    return known.start === known.end ? known.minutes : offsetMinutes(partsIn(formatter, ms).offset);
  };
  const keysByLocalDay = new Map<number, string>();
  const keyOf = (ms: number) => {
    const localDay = Math.floor((ms + offsetAt(ms) * 60_000) / DAY_MS);
    let key = keysByLocalDay.get(localDay);
    if (key === undefined) {
      const local = new Date(localDay * DAY_MS).toISOString();
      key = options.interval === "day" ? local.slice(0, 10) : `${local.slice(0, 7)}-01`;
      keysByLocalDay.set(localDay, key);
    }
    return key;
  };
  /** The local midnight that begins a bucket, as an ISO time with its offset in the zone. */
  const startOf = (key: string) => `${key}T00:00:00${offsetTextAt(midnightOf(key, offsetAt))}`;
  const nextKey = (key: string) => {
    const [y, m, d] = key.split("-").map(Number) as [number, number, number];
    const next = options.interval === "day" ? new Date(Date.UTC(y, m - 1, d + 1)) : new Date(Date.UTC(y, m, 1));
    return `${next.getUTCFullYear()}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}`;
  };

  const byKey = new Map<string, Omit<UsageBucket, "start">>();
  const total = { sessions: 0, participantSeconds: 0, billableParticipantMinutes: 0 };
  for (const row of rows) {
    const key = keyOf(Date.parse(row.startedAt));
    const bucket = byKey.get(key) ?? { sessions: 0, participantSeconds: 0, billableParticipantMinutes: 0 };
    bucket.sessions += 1;
    bucket.participantSeconds += row.participantSeconds;
    bucket.billableParticipantMinutes += row.billableParticipantMinutes;
    byKey.set(key, bucket);
    total.sessions += 1;
    total.participantSeconds += row.participantSeconds;
    total.billableParticipantMinutes += row.billableParticipantMinutes;
  }

  const keys = [...byKey.keys()].sort();
  const first = options.from !== null ? keyOf(Date.parse(options.from)) : keys[0];
  const last = options.to !== null ? keyOf(Date.parse(options.to) - 1) : keys.at(-1);
  const buckets: UsageBucket[] = [];
  if (first !== undefined && last !== undefined) {
    for (let key = first; key <= last; key = nextKey(key)) {
      if (buckets.length === MAX_BUCKETS) {
        throw new UsageRangeError(
          `The period holds more than ${MAX_BUCKETS} ${options.interval}s; narrow it with from and to` +
            (options.interval === "day" ? ", or ask for interval=month." : "."),
        );
      }
      const bucket = byKey.get(key) ?? { sessions: 0, participantSeconds: 0, billableParticipantMinutes: 0 };
      buckets.push({ start: startOf(key), ...bucket, participantSeconds: round3(bucket.participantSeconds) });
    }
  }
  return {
    interval: options.interval,
    tz: options.tz,
    from: options.from,
    to: options.to,
    buckets,
    total: { ...total, participantSeconds: round3(total.participantSeconds) },
  };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
