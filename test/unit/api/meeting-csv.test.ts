import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import type { Attendance, MeetingResult } from "../../../src/attendance/roster.js";
import { MEETING_CSV_HEADER, meetingAttendanceCsv } from "../../../src/api/csv.js";

const meeting = {
  meetingId: "m-1",
  title: "=HYPERLINK(\"http://x\")",
  roomName: "/maths",
  scheduledStart: "2026-03-02T09:00:00.000Z",
  scheduledEnd: "2026-03-02T10:00:00.000Z",
  expected: [],
};

function person(key: string, overrides: Partial<Attendance> = {}): Attendance {
  return {
    key,
    displayName: "Ola Nordmann",
    role: "student",
    flags: ["present"],
    firstJoinedAt: "2026-03-02T09:01:00.000Z",
    lastLeftAt: "2026-03-02T10:00:00.000Z",
    lateSeconds: 60,
    leftEarlySeconds: 0,
    connectedSeconds: 3540,
    connectedOutsideSeconds: 0,
    attendancePercent: 98.3,
    waitedSeconds: null,
    ...overrides,
  };
}

const result: Pick<MeetingResult, "roster" | "unexpected"> = {
  roster: [
    { ...person("external:s-1", { flags: ["late", "partial"] }), status: "late" },
    { ...person("external:s-2", { flags: ["absent"], firstJoinedAt: null, lastLeftAt: null, lateSeconds: null, leftEarlySeconds: null, connectedSeconds: 0, attendancePercent: 0 }), status: "absent" },
  ],
  unexpected: [person("participant:9f", { displayName: "-1+1, a guest\nsecond line", role: "visitor" })],
};

describe("a meeting's attendance CSV", () => {
  it("has a row per expected person in order, then the unexpected ones, that a CSV reader gives back", () => {
    const text = meetingAttendanceCsv(meeting, result);
    expect(text.endsWith("\r\n")).toBe(true);
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0]!)).toEqual([...MEETING_CSV_HEADER]);
    expect(rows.map((r) => [r.key, r.status, r.flags])).toEqual([
      ["external:s-1", "late", "late partial"],
      ["external:s-2", "absent", "absent"],
      ["participant:9f", "unexpected", "present"],
    ]);
    expect(rows[1]!.first_joined_at).toBe("");
    expect(rows[0]!.attendance_percent).toBe("98.3");
  });

  it("guards cells a spreadsheet would run as formulas, and keeps line breaks inside their cell", () => {
    const rows = parse(meetingAttendanceCsv(meeting, result), { columns: true }) as Array<Record<string, string>>;
    expect(rows[0]!.title).toBe(`'=HYPERLINK("http://x")`);
    expect(rows[2]!.display_name).toBe("'-1+1, a guest\nsecond line");
  });
});
