import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { instantOf, parseIsoInstant } from "../../src/iso-time.js";

describe("parseIsoInstant", () => {
  it.each([
    ["2026-03-02T09:00:00.000Z", "2026-03-02T09:00:00.000Z"],
    ["2026-03-02T10:00:00+01:00", "2026-03-02T09:00:00.000Z"],
    ["2026-03-02T04:30-04:30", "2026-03-02T09:00:00.000Z"],
    ["2026-03-02T10:00+0100", "2026-03-02T09:00:00.000Z"],
    ["2026-03-02 09:00:00Z", "2026-03-02T09:00:00.000Z"],
    ["2026-03-02T09:00:00.1Z", "2026-03-02T09:00:00.100Z"],
    ["2026-03-02T09:00:00.123456789Z", "2026-03-02T09:00:00.123Z"],
    ["2024-02-29T23:59:59Z", "2024-02-29T23:59:59.000Z"],
    ["9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"],
    ["9999-12-31T23:59:59+23:59", "9999-12-31T00:00:59.000Z"],
    ["1970-01-01T00:00:00-00:01", "1970-01-01T00:01:00.000Z"],
  ])("reads %s as %s", (text, iso) => {
    expect(new Date(parseIsoInstant(text)!).toISOString()).toBe(iso);
  });

  it.each([
    "5",
    "yesterday",
    "2026-02-30T09:00:00Z",
    "2025-02-29T09:00:00Z",
    "2026-13-01T09:00:00Z",
    "2026-03-02T24:00:00Z",
    "2026-03-02T09:60:00Z",
    "2026-03-02T09:00:61Z",
    "2026-03-02T09:00:00+24:00",
    "2026-03-02T09:00:00",
    "2026-03-02",
    "0001-01-01T00:00:00Z",
    // An offset that carries the instant past 9999 (stored as +010000-…, which sorts before 1970) or before 1970.
    "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:00:00-01:00",
    "1970-01-01T00:00:00+00:01",
    "Mon, 02 Mar 2026 09:00:00 GMT",
  ])("refuses %s", (text) => {
    expect(parseIsoInstant(text)).toBeNull();
  });

  it("reads the form every event is written in exactly as Date's own writer does, and refuses dates that do not exist", () => {
    const part = (width: number, max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(width, "0"));
    const canonical = fc
      .tuple(part(4, 2500), part(2, 13), part(2, 32), part(2, 25), part(2, 61), part(2, 61), part(3, 999))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
    fc.assert(
      fc.property(canonical, (text) => {
        const ms = Date.parse(text);
        // The text names a real instant when Date writes that instant back as the same text.
        const real = !Number.isNaN(ms) && new Date(ms).toISOString() === text && ms >= Date.UTC(1970, 0, 1);
        expect(parseIsoInstant(text)).toBe(real ? ms : null);
      }),
      { numRuns: 20_000 },
    );
    for (const text of ["2024-02-29T23:59:59.999Z", "2100-02-29T00:00:00.000Z", "2000-02-29T00:00:00.000Z"]) {
      expect(parseIsoInstant(text)).toBe(new Date(text).toISOString() === text ? Date.parse(text) : null);
    }
    expect(parseIsoInstant("2026-03-02T09:00:00.000z")).toBe(Date.UTC(2026, 2, 2, 9));
    expect(parseIsoInstant("2026-03-02T09:00:0a.000Z")).toBeNull();
  });

  it("takes a date alone as its midnight UTC only when asked to", () => {
    expect(parseIsoInstant("2026-03-02", { dateOnly: true })).toBe(Date.UTC(2026, 2, 2));
    expect(parseIsoInstant("2026-02-30", { dateOnly: true })).toBeNull();
  });

  it("still reads, as Date.parse does, a createdAt stored before validation was strict", () => {
    expect(instantOf("2026-03-02T09:00:00Z")).toBe(Date.UTC(2026, 2, 2, 9));
    expect(instantOf("Mon, 02 Mar 2026 09:00:00 GMT")).toBe(Date.UTC(2026, 2, 2, 9));
    expect(instantOf("never")).toBeNaN();
  });
});
