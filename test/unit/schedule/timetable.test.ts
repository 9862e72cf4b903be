import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readTimetable, TimetableError } from "../../../src/schedule/timetable.js";

const HEADER = "meeting_id,title,room_name,scheduled_start,scheduled_end,key,display_name,role";

describe("a timetable export", () => {
  it("gives one plan per meeting, its people in the order of their rows, wherever the rows are", async () => {
    const csv = [
      HEADER,
      "m-1,Maths 7B,/maths-7b,2026-03-02T09:00:00+01:00,2026-03-02T09:45:00+01:00,external:t-1,Ms Berg,teacher",
      "m-2,Check-up,/clinic-1,2026-03-02T10:00:00Z,2026-03-02T10:20:00Z,external:p-9,Kari,patient",
      'm-1,Maths 7B,/maths-7b,2026-03-02T09:00:00+01:00,2026-03-02T09:45:00+01:00,metadata:s-7,"Nordmann, Ola",student',
    ].join("\n");
    const { plans, refused, rows } = await readTimetable(csv);
    expect(refused).toEqual([]);
    expect(rows).toBe(3);
    expect(plans.map((p) => p.meetingId)).toEqual(["m-1", "m-2"]);
    expect(plans[0]).toMatchObject({
      title: "Maths 7B",
      roomName: "/maths-7b",
      scheduledStart: "2026-03-02T08:00:00.000Z",
      expected: [
        { key: "external:t-1", displayName: "Ms Berg", role: "teacher" },
        { key: "metadata:s-7", displayName: "Nordmann, Ola", role: "student" },
      ],
    });
  });

  it("takes what a spreadsheet writes: a byte order mark, CRLF, quoted fields, columns in its own order", async () => {
    const csv = `\uFEFF"role","key","meeting_id","scheduled_start","scheduled_end"\r\n"teacher","external:t-1","m-1","2026-03-02T09:00:00Z","2026-03-02T10:00:00Z"\r\n`;
    const { plans, refused } = await readTimetable(Readable.from([Buffer.from(csv)]));
    expect(refused).toEqual([]);
    expect(plans).toEqual([
      { meetingId: "m-1", title: null, roomName: null, scheduledStart: "2026-03-02T09:00:00.000Z", scheduledEnd: "2026-03-02T10:00:00.000Z", expected: [{ key: "external:t-1", displayName: null, role: "teacher" }], rules: {} },
    ]);
  });

  it("keeps a meeting with no expected people when its only row has no key", async () => {
    const { plans } = await readTimetable(`${HEADER}\nm-3,Open hour,,2026-03-02T12:00:00Z,2026-03-02T13:00:00Z,,,\n`);
    expect(plans).toMatchObject([{ meetingId: "m-3", expected: [] }]);
  });

  it("numbers a row by the line it begins on, past blank lines, CRLF ends and names that run over several lines", async () => {
    const csv = [
      "",
      HEADER,
      'm-1,Maths,,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,external:a,"Ana\r\nof two lines",student',
      "",
      "m-1,Maths,,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,bob,B,student",
      'm-1,Maths,,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,external:c,"C\nD\nE",student',
      ",Maths,,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,external:f,F,student",
      "m-1,Maths,,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,external:g,G,student",
    ].join("\r\n");
    const { plans, refused, rows } = await readTimetable(csv);
    expect(rows).toBe(5);
    // The first row's person refused, the meeting is still read from it, without that person.
    expect(plans[0]!.expected.map((p) => p.key)).toEqual(["external:g"]);
    expect(refused.map((r) => r.line)).toEqual([3, 6, 7, 10]);
    expect(refused[0]!.reason).toMatch(/^meeting m-1: display_name must not hold control characters/);
  });

  it("refuses a row it cannot use, by line number, and keeps the rest of its meeting", async () => {
    const csv = [
      HEADER,
      "m-1,Maths,,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,external:a,A,student",
      "m-1,Maths,,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,bob,B,student",
      "m-1,Maths,,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,external:a,A again,student",
      ",Maths,,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,external:c,C,student",
      "m-1,Maths,,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,external:d,D,student",
    ].join("\n");
    const { plans, refused } = await readTimetable(csv);
    expect(plans[0]!.expected.map((p) => p.key)).toEqual(["external:a", "external:d"]);
    expect(refused.map((r) => r.line)).toEqual([3, 4, 5]);
    expect(refused[0]!.reason).toMatch(/^meeting m-1: key must be a person key/);
    expect(refused[1]!.reason).toMatch(/^meeting m-1: key repeats/);
    expect(refused[2]!.reason).toBe("meeting_id is empty");
  });

  it("refuses a whole meeting whose times cannot be read, or whose rows disagree on them", async () => {
    const csv = [
      HEADER,
      "m-1,Maths,,2026-03-02T09:00,2026-03-02T10:00:00Z,external:a,A,student",
      "m-1,Maths,,2026-03-02T09:00,2026-03-02T10:00:00Z,external:b,B,student",
      "m-2,Art,,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,external:a,A,student",
      "m-2,Art,,2026-03-02T09:15:00Z,2026-03-02T10:00:00Z,external:b,B,student",
      "m-3,Music,,2026-03-02T11:00:00Z,2026-03-02T10:00:00Z,external:b,B,student",
      "m-4,Drama,,2026-03-02T11:00:00Z,2026-03-02T12:00:00Z,external:b,B,student",
    ].join("\n");
    const { plans, refused } = await readTimetable(csv);
    expect(plans.map((p) => p.meetingId)).toEqual(["m-4"]);
    expect(refused.map((r) => r.line)).toEqual([2, 3, 4, 5, 6]);
    expect(refused[0]!.reason).toMatch(/^meeting m-1: scheduled_start must be an ISO 8601 time/);
    expect(refused[2]!.reason).toBe("meeting m-2: its title, room or times differ from line 4's on line 5");
    expect(refused[4]!.reason).toBe("meeting m-3: scheduled_end must be after scheduledStart");
  });

  it("counts rows as they are read", async () => {
    const lines = Array.from({ length: 250 }, (_, i) => `m-${i % 10},,,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,external:s-${i},,student`);
    const seen: number[] = [];
    const { plans, rows } = await readTimetable([HEADER, ...lines].join("\n"), (n) => seen.push(n));
    expect(rows).toBe(250);
    expect(seen.at(-1)).toBe(250);
    expect(plans).toHaveLength(10);
    expect(plans.every((p) => p.expected.length === 25)).toBe(true);
  });

  it.each([
    ["", "the header"],
    ["meeting_id,key\nm-1,external:a\n", "scheduled_start"],
    [`${HEADER}\nm-1,"unclosed,,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,external:a,A,student\n`, "not CSV"],
  ])("cannot read %j at all", async (csv, named) => {
    await expect(readTimetable(csv)).rejects.toThrow(TimetableError);
    await expect(readTimetable(csv)).rejects.toThrow(named);
  });
});
