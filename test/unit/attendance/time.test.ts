import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoFormatter, secondsOf } from "../../../src/attendance/time.js";

describe("time", () => {
  it("formats any instant exactly as toISOString does", () => {
    const iso = isoFormatter();
    const instants = fc.integer({ min: -62_198_755_200_000, max: 8_640_000_000_000_000 });
    fc.assert(fc.property(instants, (ms) => iso(ms) === new Date(ms).toISOString()), { numRuns: 5000 });
    for (const ms of [0, -1, 86_399_999, 86_400_000, Date.parse("2026-03-02T23:59:59.999Z"), 253_402_300_800_000]) {
      expect(iso(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it("shows lengths in seconds with at most three decimals", () => {
    expect(secondsOf(3_181_873)).toBe(3181.873);
    expect(secondsOf(1_800_500)).toBe(1800.5);
    expect(secondsOf(0.4)).toBe(0);
  });
});
