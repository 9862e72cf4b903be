import { describe, expect, it } from "vitest";
import { bucketUsage, MAX_BUCKETS, UsageRangeError } from "../../../src/api/usage.js";

const row = (startedAt: string, participantSeconds = 60, billableParticipantMinutes = 1) => ({
  startedAt,
  participantSeconds,
  billableParticipantMinutes,
});

describe("usage buckets", () => {
  it("puts a session in the local day of its start, across a daylight-saving change", () => {
    // Oslo moves from +01:00 to +02:00 at 01:00 UTC on 29 March 2026.
    const report = bucketUsage(
      [row("2026-03-28T22:59:59.000Z"), row("2026-03-28T23:00:00.000Z"), row("2026-03-29T22:30:00.000Z", 30, 1)],
      { interval: "day", tz: "Europe/Oslo", from: null, to: null },
    );
    expect(report.buckets).toEqual([
      { start: "2026-03-28T00:00:00+01:00", sessions: 1, participantSeconds: 60, billableParticipantMinutes: 1 },
      { start: "2026-03-29T00:00:00+01:00", sessions: 1, participantSeconds: 60, billableParticipantMinutes: 1 },
      // 22:30 UTC on the 29th is 00:30 on the 30th in Oslo, now at +02:00.
      { start: "2026-03-30T00:00:00+02:00", sessions: 1, participantSeconds: 30, billableParticipantMinutes: 1 },
    ]);
    expect(report.total).toEqual({ sessions: 3, participantSeconds: 150, billableParticipantMinutes: 3 });
  });

  it("lists empty buckets between from and to, and months from their first day", () => {
    const days = bucketUsage([row("2026-03-02T10:00:00.000Z")], {
      interval: "day",
      tz: "UTC",
      from: "2026-03-01T00:00:00.000Z",
      to: "2026-03-04T00:00:00.000Z",
    });
    expect(days.buckets.map((b) => [b.start, b.sessions])).toEqual([
      ["2026-03-01T00:00:00+00:00", 0],
      ["2026-03-02T00:00:00+00:00", 1],
      ["2026-03-03T00:00:00+00:00", 0],
    ]);
    const months = bucketUsage([row("2026-01-31T23:30:00.000Z"), row("2026-03-15T00:00:00.000Z")], {
      interval: "month",
      tz: "Asia/Tokyo",
      from: null,
      to: null,
    });
    // 23:30 UTC on 31 January is 08:30 on 1 February in Tokyo.
    expect(months.buckets.map((b) => [b.start, b.sessions])).toEqual([
      ["2026-02-01T00:00:00+09:00", 1],
      ["2026-03-01T00:00:00+09:00", 1],
    ]);
  });

  it("handles zones with half-hour offsets and no data", () => {
    const report = bucketUsage([row("2026-06-01T20:00:00.000Z")], { interval: "day", tz: "Asia/Kolkata", from: null, to: null });
    expect(report.buckets[0]?.start).toBe("2026-06-02T00:00:00+05:30");
    expect(bucketUsage([], { interval: "day", tz: "UTC", from: null, to: null }).buckets).toEqual([]);
  });

  it("refuses a period of more buckets than it lists, rather than cutting the answer short", () => {
    const rows = [row("2000-01-01T12:00:00.000Z"), row("2026-03-02T12:00:00.000Z")];
    expect(() => bucketUsage(rows, { interval: "day", tz: "UTC", from: null, to: null })).toThrow(UsageRangeError);
    const months = bucketUsage(rows, { interval: "month", tz: "UTC", from: null, to: null });
    expect(months.buckets.reduce((sum, b) => sum + b.sessions, 0)).toBe(months.total.sessions);
    const tenYears = bucketUsage([], { interval: "day", tz: "UTC", from: "2016-01-01T00:00:00.000Z", to: "2026-01-08T00:00:00.000Z" });
    expect(tenYears.buckets).toHaveLength(MAX_BUCKETS);
  });
});
