/**
 * A session list brings an ongoing session's saved summary to now without its events, and a session's detail its saved
 * detail: the result must be what deriving the events at that instant gives, for any meeting and any two instants.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deriveSessions } from "../../../src/attendance/index.js";
import { detailAt, runningFiguresOf, runsAt, summaryAt } from "../../../src/attendance/running-figures.js";
import { summaryOf } from "../../../src/store/session-rows.js";
import { options } from "./helpers.js";
import { MeetingLog } from "./meeting-log.js";

const step = fc.record({
  kind: fc.constantFrom("join", "join", "join", "leave", "leave", "knock", "started", "ended"),
  who: fc.integer({ min: 0, max: 5 }),
  afterMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 * 60_000 })),
});
const roles = ["visitor", "host", "recorder", "visitor", "visitor", "host"];
const START = Date.parse("2026-03-02T08:00:00.000Z");

const meetings = fc.array(step, { minLength: 1, maxLength: 30 }).map((steps) => {
  const log = new MeetingLog({ roomName: "/running", roomSessionId: "s-running", day: "2026-03-02" });
  let at = START;
  for (const { kind, who, afterMs } of steps) {
    at += afterMs;
    const time = new Date(at).toISOString();
    const identity = { roleName: roles[who] ?? "visitor" };
    if (kind === "join") log.join(time, `p-${who}`, identity);
    else if (kind === "leave") log.leave(time, `p-${who}`, identity);
    else if (kind === "knock") log.knock(time, `p-${who}`, identity);
    else if (kind === "started") log.started(time);
    else log.ended(time);
  }
  return log.events();
});

// Instants during and long after the meetings, at any millisecond. (A derivation before a session's first event is no
// place to start from: it opens a leave without a join at that instant rather than at the first event.)
const instant = fc.integer({ min: START, max: START + 30 * 3_600_000 });

describe("running figures", () => {
  it("bring a saved ongoing summary to any later instant exactly as deriving its events then would, until it falls silent", () => {
    let ongoing = 0;
    let silent = 0;
    fc.assert(
      fc.property(meetings, instant, fc.integer({ min: 0, max: 20 * 3_600_000 }), (events, at, later) => {
        const savedAt = Math.max(at, Date.parse(events[0]!.createdAt));
        const saved = deriveSessions(events, { ...options, now: savedAt });
        const now = deriveSessions(events, { ...options, now: savedAt + later });
        for (const session of saved) {
          const running = runningFiguresOf(session);
          const expected = summaryOf(now.find((s) => s.id === session.id)!);
          if (running === null) {
            expect(session.ongoing).toBe(false);
            continue;
          }
          ongoing += 1;
          if (!runsAt(running, savedAt + later)) {
            // Fallen silent since: over, and its figures are its events derived again, not the saved ones run on.
            silent += 1;
            expect(expected.ongoing).toBe(false);
            continue;
          }
          expect(summaryAt(summaryOf(session), running, savedAt + later)).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
    expect(ongoing).toBeGreaterThan(30);
    expect(silent).toBeGreaterThan(10);
  });

  it("bring a saved ongoing detail to any later instant exactly as deriving its events then would", () => {
    let ongoing = 0;
    fc.assert(
      fc.property(meetings, instant, fc.integer({ min: 0, max: 20 * 3_600_000 }), (events, at, later) => {
        const savedAt = Math.max(at, Date.parse(events[0]!.createdAt));
        const saved = deriveSessions(events, { ...options, now: savedAt });
        const now = deriveSessions(events, { ...options, now: savedAt + later });
        for (const session of saved) {
          const expected = now.find((s) => s.id === session.id)!;
          const running = runningFiguresOf(session);
          if (running !== null) ongoing += 1;
          if (running !== null && !runsAt(running, savedAt + later)) {
            expect(expected.ongoing).toBe(false);
            continue;
          }
          expect(detailAt(session, savedAt + later)).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
    expect(ongoing).toBeGreaterThan(30);
  });
});
