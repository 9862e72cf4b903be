import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ThrottledLog } from "../../../src/ingest/throttled-log.js";

describe("ThrottledLog", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("writes the first of a kind at once and, each minute that more came, one line with their count", () => {
    const written: string[] = [];
    const log = new ThrottledLog((kind, repeated) => written.push(`${kind} +${repeated}`), 60_000);
    const note = (kind: string) => log.note(kind, () => written.push(kind));
    for (let i = 0; i < 5; i += 1) note("missing_signature");
    note("invalid_signature");
    expect(written).toEqual(["missing_signature", "invalid_signature"]);
    vi.advanceTimersByTime(60_000);
    expect(written).toEqual(["missing_signature", "invalid_signature", "missing_signature +4"]);
    note("missing_signature");
    note("missing_signature");
    vi.advanceTimersByTime(60_000);
    expect(written.at(-1)).toBe("missing_signature +2");
    // A quiet minute closes the window: the next one is written at once again.
    vi.advanceTimersByTime(60_000);
    note("missing_signature");
    expect(written.at(-1)).toBe("missing_signature");
    note("missing_signature");
    log.flush();
    expect(written.at(-1)).toBe("missing_signature +1");
    expect(written).toHaveLength(6);
  });
});
