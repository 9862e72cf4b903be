import { describe, expect, it } from "vitest";
import { DEFAULT_MEETING_RULES } from "../../../src/attendance/roster.js";
import { InvalidMeeting, MAX_ROSTER, readMeeting, withRules } from "../../../src/schedule/meeting-input.js";

const lesson = {
  title: "Maths 7B",
  roomName: "/maths-7b",
  scheduledStart: "2026-03-02T09:00:00+01:00",
  scheduledEnd: "2026-03-02T09:45:00+01:00",
  expected: [
    { key: "external:t-1", displayName: "Ms Berg", role: "teacher" },
    { key: "metadata:student-7", displayName: "Ola", role: "student" },
  ],
};

function refusal(body: unknown, meetingId = "m-1"): { field: string; message: string } {
  try {
    readMeeting(meetingId, body);
  } catch (error) {
    if (error instanceof InvalidMeeting) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error("was not refused");
}

describe("a scheduled meeting as sent", () => {
  it("is kept with its times in UTC and only the rules it was given", () => {
    const plan = readMeeting("m-1", { ...lesson, rules: { lateAfterSeconds: 120 } });
    expect(plan).toEqual({
      meetingId: "m-1",
      title: "Maths 7B",
      roomName: "/maths-7b",
      scheduledStart: "2026-03-02T08:00:00.000Z",
      scheduledEnd: "2026-03-02T08:45:00.000Z",
      expected: lesson.expected,
      rules: { lateAfterSeconds: 120 },
    });
    expect(withRules(plan, DEFAULT_MEETING_RULES).rules).toEqual({ ...DEFAULT_MEETING_RULES, lateAfterSeconds: 120 });
  });

  it("needs only its times: no title, room, roster or rules", () => {
    const plan = readMeeting("m-2", { scheduledStart: "2026-03-02T09:00:00Z", scheduledEnd: "2026-03-02T09:30:00Z" });
    expect(plan).toMatchObject({ title: null, roomName: null, expected: [], rules: {} });
  });

  it("takes an empty display name or role as none", () => {
    const plan = readMeeting("m-1", { ...lesson, expected: [{ key: "external:p", displayName: "", role: null }] });
    expect(plan.expected).toEqual([{ key: "external:p", displayName: null, role: null }]);
  });

  it.each([
    [{ ...lesson, scheduledStart: undefined }, "scheduledStart"],
    [{ ...lesson, scheduledStart: "2026-03-02 09:00" }, "scheduledStart"],
    [{ ...lesson, scheduledEnd: "2026-02-30T10:00:00Z" }, "scheduledEnd"],
    [{ ...lesson, scheduledStart: "2026-03-02T09:00:00" }, "scheduledStart"],
    [{ ...lesson, scheduledEnd: "2026-03-02T07:59:00Z" }, "scheduledEnd"],
    [{ ...lesson, scheduledEnd: lesson.scheduledStart }, "scheduledEnd"],
    [{ ...lesson, expected: [...lesson.expected, { key: "external:t-1", displayName: "again" }] }, "expected[2].key"],
    [{ ...lesson, expected: [{ key: "t-1" }] }, "expected[0].key"],
    [{ ...lesson, expected: [{ key: "external:a", age: 12 }] }, "expected[0].age"],
    [{ ...lesson, expected: "everyone" }, "expected"],
    [{ ...lesson, rules: { lateAfterMinutes: 5 } }, "rules.lateAfterMinutes"],
    [{ ...lesson, rules: { lateAfterSeconds: -1 } }, "rules.lateAfterSeconds"],
    [{ ...lesson, rules: { presentAtPercent: 101 } }, "rules.presentAtPercent"],
    [{ ...lesson, rules: { noShowAfterSeconds: "900" } }, "rules.noShowAfterSeconds"],
    [{ ...lesson, meetingId: "m-other" }, "meetingId"],
    [{ ...lesson, colour: "blue" }, "colour"],
    [{ ...lesson, title: "a\u0000b" }, "title"],
    [[lesson], "body"],
    [null, "body"],
  ])("refuses %j naming %s", (body, field) => {
    expect(refusal(body).field).toBe(field);
  });

  it(`refuses a roster of more than ${MAX_ROSTER} people, and takes one of exactly that many`, () => {
    const people = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `external:s-${i}` }));
    expect(readMeeting("big", { ...lesson, expected: people(MAX_ROSTER) }).expected).toHaveLength(MAX_ROSTER);
    expect(refusal({ ...lesson, expected: people(MAX_ROSTER + 1) })).toMatchObject({ field: "expected", message: `expected must hold at most ${MAX_ROSTER} people` });
  });

  it("says what is wrong in a sentence that begins with the field", () => {
    expect(refusal({ ...lesson, scheduledEnd: "2026-03-02T07:00:00Z" }).message).toBe("scheduledEnd must be after scheduledStart");
    expect(refusal({ ...lesson, rules: { lateAfterMinutes: 5 } }).message).toBe("rules.lateAfterMinutes is not a field a meeting has");
  });
});
