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
    "Mon, 02 Mar 2026 09:00:00 GMT",
  ])("refuses %s", (text) => {
    expect(parseIsoInstant(text)).toBeNull();
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
