/**
 * A session folded forward an event at a time gives what deriving it whole gives, or says it cannot: the cases where
 * only a whole derivation is right, each by hand. (The property over random traffic is in projector.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { deriveSessions, foldSessions, readEvent, type TimedEvent } from "../../../src/attendance/index.js";
import { parseEvent, type WherebyEvent } from "../../../src/whereby/events.js";
import { options } from "./helpers.js";
import { MeetingLog } from "./meeting-log.js";

const log = () => new MeetingLog({ roomName: "/fold", roomSessionId: "s-fold", day: "2026-03-02" });

function events(meeting: MeetingLog): WherebyEvent[] {
  return meeting.events().map((body) => {
    const parsed = parseEvent(body);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.event;
  });
}

function timed(event: WherebyEvent): TimedEvent {
  const reading = readEvent(event, {});
  if (!reading.usable) throw new Error(reading.message);
  return reading.timed;
}

/** Folds the events after the first `split` into the session of those before; null when the fold says it cannot. */
function foldForward(all: WherebyEvent[], split: number) {
  const [fold] = foldSessions(all.slice(0, split), options);
  for (const event of all.slice(split)) if (!fold!.extend(timed(event))) return null;
  return [fold!.detail(options.now)];
}

describe("a session folded forward", () => {
  it("equals the session derived whole, an event at a time from its first", () => {
    const all = events(
      log()
        .knock("08:59:00", "p-sam", { displayName: "Sam" })
        .join("09:00:00", "p-teacher", { roleName: "host", externalId: "teacher-7" })
        .join("09:01:00", "p-sam", { displayName: "Sam" })
        .started("09:01:00.001")
        .leave("09:20:00", "p-sam")
        .join("09:22:00", "p-sam-2", { displayName: "Sam" })
        .artifact("recording.finished", "09:40:00", { recordingId: "r-1" })
        .leave("09:45:00", "p-sam-2")
        .leave("09:46:00", "p-teacher")
        .ended("09:47:00"),
    );
    for (let split = 1; split < all.length; split += 1) {
      expect(foldForward(all, split)).toEqual(deriveSessions(all, options));
    }
  });

  it("refuses an event earlier than one it holds", () => {
    const all = events(log().join("09:00:00", "p-a").join("09:01:00", "p-b"));
    const [fold] = foldSessions([all[1]!], options);
    expect(fold!.extend(timed(all[0]!))).toBe(false);
  });

  it("refuses the first join after recordings that a silence of 12 hours may leave out", () => {
    const all = events(log().artifact("recording.finished", "2026-03-01T18:00:00Z", { recordingId: "r-old" }).join("09:00:00", "p-a"));
    expect(foldForward(all, 1)).toBeNull();
    expect(deriveSessions(all, options)[0]!.recordings).toEqual([]);
  });

  it("refuses an event after 12 hours of silence, which cuts the session there", () => {
    const all = events(log().join("2026-03-01T18:00:00Z", "p-a").join("09:00:00", "p-b"));
    expect(foldForward(all, 1)).toBeNull();
  });

  it("refuses an event that gives a participant with earlier events a person key of its own", () => {
    const all = events(log().knock("08:59:00", "p-a").join("09:00:00", "p-a", { externalId: "student-1" }));
    expect(foldForward(all, 1)).toBeNull();
    expect(deriveSessions(all, options)[0]!.participants[0]!.waitedSeconds).toBe(60);
  });
});
