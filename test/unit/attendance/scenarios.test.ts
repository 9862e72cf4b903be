/**
 * Three meetings kept as fixtures (test/fixtures/scenarios, made by generate.ts there). Every expected figure below is
 * worked out by hand from the story of the meeting, with the arithmetic in the comments.
 */
import { describe, expect, it } from "vitest";
import { deriveSessions, type SessionDetail } from "../../../src/attendance/index.js";
import { onlySession, options, person, scenario } from "./helpers.js";

const pad = (n: number) => String(n).padStart(2, "0");

describe("a 50-minute class of 15 students", () => {
  const session: SessionDetail = onlySession(deriveSessions(scenario("classroom"), options));

  it("lasts from room.session.started to the teacher's leave, the last fall below two", () => {
    expect(session).toMatchObject({
      id: "9d2f7a1c-3b4e-4f5a-8c6d-7e8f9a0b1c2d",
      roomName: "/physics-9b-5c1d",
      meetingId: "90112233",
      startedAt: "2026-03-03T09:00:00.000Z",
      // the crashed tab is still counted, so the teacher's leave takes the room from 2 to 1
      endedAt: "2026-03-03T09:50:00.000Z",
      reportedEndedAt: "2026-03-03T09:51:05.000Z",
      ongoing: false,
      // 09:00:00 → 09:50:00
      durationSeconds: 3000,
      // teacher + 15 students, with student 14 back and the crashed tab still in, at 09:12:30 and 09:21:15
      peakParticipants: 16,
      // the teacher and 15 students; student 14's two participantIds are one person
      uniqueParticipants: 16,
    });
  });

  it("adds up participant seconds and billable minutes over every connection", () => {
    // teacher        08:58:00 → 09:50:00            = 3120 s            → 52 min
    // students 1-10  08:59:5(n-1) → 09:49:0n        = 2951 s each       → ceil(49.18) = 50 min each
    // student 11     08:59:59.5 → 09:49:11          = 2951.5 s          → 50 min
    // student 12     09:12:30 → 09:49:12            = 2202 s            → ceil(36.7) = 37 min
    // student 13     09:00:30 → 09:35:00            = 2070 s            → ceil(34.5) = 35 min
    // student 14     09:01:00 → 09:20:00            = 1140 s            → 19 min
    //                09:21:15 → 09:49:13            = 1678 s            → ceil(27.97) = 28 min
    // student 15     09:02:00 → 09:50:00 (inferred) = 2880 s            → 48 min
    // seconds: 3120 + 10 × 2951 + 2951.5 + 2202 + 2070 + 1140 + 1678 + 2880 = 45551.5
    expect(session.participantSeconds).toBe(45551.5);
    // minutes: 52 + 500 + 50 + 37 + 35 + 19 + 28 + 48 = 769
    expect(session.billableParticipantMinutes).toBe(769);
  });

  it("gives each student their attendance within 09:00 → 09:50", () => {
    // students 1-11 attend 09:00:00 → 09:49:0n = 2940 + n s of 3000
    const expected = [98.0, 98.1, 98.1, 98.1, 98.2, 98.2, 98.2, 98.3, 98.3, 98.3, 98.4];
    expected.forEach((percent, index) => {
      const n = index + 1;
      expect(person(session, `external:student-${pad(n)}`).attendancePercent, `student ${n}`).toBe(percent);
    });
    expect(person(session, "external:student-01").connectedSeconds).toBe(2951);
    expect(person(session, "external:student-11").connectedSeconds).toBe(2951.5);
    expect(person(session, "external:teacher-7")).toMatchObject({
      roleName: "host",
      displayName: "Ms. Rivera",
      connectedSeconds: 3120,
      // 3000 of 3000: clipped to the session, not counted before 09:00
      attendancePercent: 100,
    });
  });

  it("shows the late joiner, the early leaver, the rejoin and the crashed tab", () => {
    // late: 2202 / 3000 = 73.4 %
    expect(person(session, "external:student-12")).toMatchObject({
      firstJoinedAt: "2026-03-03T09:12:30.000Z",
      connectedSeconds: 2202,
      attendancePercent: 73.4,
    });
    // early: 2070 / 3000 = 69 %
    expect(person(session, "external:student-13")).toMatchObject({
      lastLeftAt: "2026-03-03T09:35:00.000Z",
      connectedSeconds: 2070,
      attendancePercent: 69,
    });
    // rejoin: 1140 + 1678 = 2818 s; 2818 / 3000 = 93.93 %
    const rejoined = person(session, "external:student-14");
    expect(rejoined).toMatchObject({ connectedSeconds: 2818, attendancePercent: 93.9, displayName: "Student 14" });
    expect(rejoined.connections).toEqual([
      { participantId: "p-s14-a", joinedAt: "2026-03-03T09:01:00.000Z", leftAt: "2026-03-03T09:20:00.000Z", joinInferred: false, leftInferred: false, participantIdInferred: false },
      { participantId: "p-s14-b", joinedAt: "2026-03-03T09:21:15.000Z", leftAt: "2026-03-03T09:49:13.000Z", joinInferred: false, leftInferred: false, participantIdInferred: false },
    ]);
    // crashed: closed at the effective end; 2880 / 3000 = 96 %
    expect(person(session, "external:student-15")).toMatchObject({
      lastLeftAt: "2026-03-03T09:50:00.000Z",
      connectedSeconds: 2880,
      attendancePercent: 96,
      connections: [{ participantId: "p-s15", leftAt: "2026-03-03T09:50:00.000Z", leftInferred: true, joinInferred: false }],
    });
  });

  it("keeps the transcription, and the recording that came without a session id", () => {
    expect(session.transcriptions.map((artifact) => artifact.data.transcriptionId)).toEqual(["tr-3a11"]);
    expect(session.recordings.map((artifact) => artifact.data.recordingId)).toEqual(["rec-77c2"]);
    expect(session.bots).toEqual([]);
    expect(session.knocks).toBe(0);
  });
});

describe("a telehealth appointment where the patient waits 4 minutes", () => {
  const session: SessionDetail = onlySession(deriveSessions(scenario("telehealth"), options));

  it("is a session of its own without a roomSessionId", () => {
    expect(session.id).toMatch(/^derived-[0-9a-f]{16}$/);
    expect(session).toMatchObject({
      roomName: "/clinic-okafor-2b7e",
      startedAt: "2026-03-04T14:05:31.000Z",
      // the patient's leave takes the room from 2 to 1
      endedAt: "2026-03-04T14:27:10.000Z",
      reportedEndedAt: "2026-03-04T14:28:11.000Z",
      // 14:05:31 → 14:27:10 = 21 min 39 s
      durationSeconds: 1299,
      peakParticipants: 2,
      uniqueParticipants: 2,
      // patient 14:05:30 → 14:27:10 = 1300 s; doctor 14:00:00 → 14:28:00 = 1680 s
      participantSeconds: 2980,
      // ceil(21.67) = 22 + 28 = 50
      billableParticipantMinutes: 50,
      knocks: 2,
      knocksCancelled: 1,
    });
  });

  it("measures the patient's wait from knock to admission, and their verified identity", () => {
    expect(person(session, "metadata:patient-9f3a")).toMatchObject({
      displayName: "J. Doe",
      metadataSubject: "patient-9f3a",
      // signed at 13:00, used at 14:01:30: well within 30 days
      metadataVerified: true,
      metadataProblem: null,
      // 14:01:30 → 14:05:30
      waitedSeconds: 240,
      connectedSeconds: 1300,
      // 14:05:31 → 14:27:10 attended: 1299 of 1299
      attendancePercent: 100,
    });
    expect(person(session, "external:dr-okafor")).toMatchObject({ waitedSeconds: null, connectedSeconds: 1680, attendancePercent: 100 });
    expect(session.knockList.map((knock) => [knock.displayName, knock.outcome, knock.resolvedAt])).toEqual([
      ["J. Doe", "admitted", "2026-03-04T14:05:30.000Z"],
      ["Wrong room", "cancelled", "2026-03-04T14:10:45.000Z"],
    ]);
  });
});

describe("a webinar with 300 viewers", () => {
  const session: SessionDetail = onlySession(deriveSessions(scenario("webinar"), options));

  it("counts the viewers, keeps the recorder apart, and ends at the recorder's leave", () => {
    expect(session).toMatchObject({
      startedAt: "2026-03-05T16:00:00.000Z",
      // after the viewers, presenter + recorder = 2; the recorder's leave makes 1
      endedAt: "2026-03-05T17:00:00.000Z",
      durationSeconds: 3600,
      // presenter + 300 viewers + recorder, from 16:05:00 until the first viewer leaves at 16:33:20.5
      peakParticipants: 302,
      uniqueParticipants: 301,
    });
    expect(session.bots).toHaveLength(1);
    // 16:05:00 → 17:00:00
    expect(session.bots[0]).toMatchObject({ key: "participant:p-recorder", roleName: "recorder", connectedSeconds: 3300 });
    expect(session.recordings).toHaveLength(1);
    expect(session.timeline).toHaveLength(2 * 302);
  });

  it("adds up participant seconds and billable minutes", () => {
    // viewers 1-200: 16:00:00 + (n-1) s → 16:55:00 + (n-1) s        = 3300 s   → 55 min
    // viewers 201-300: 16:00:00 + (n-1) s → 16:30:00.5 + (n-1) s    = 1800.5 s → ceil(30.008) = 31 min
    // presenter: 15:50:00 → 17:00:30                                 = 4230 s   → ceil(70.5) = 71 min
    // seconds: 200 × 3300 + 100 × 1800.5 + 4230 = 660000 + 180050 + 4230 = 844280
    expect(session.participantSeconds).toBe(844280);
    // minutes: 200 × 55 + 100 × 31 + 71 = 11000 + 3100 + 71 = 14171
    expect(session.billableParticipantMinutes).toBe(14171);
  });

  it("gives each viewer their attendance", () => {
    // 3300 / 3600 = 91.67 %; 1800.5 / 3600 = 50.01 %
    for (const n of [1, 137, 200]) {
      expect(person(session, `metadata:viewer-${String(n).padStart(3, "0")}`).attendancePercent).toBe(91.7);
    }
    for (const n of [201, 300]) {
      expect(person(session, `metadata:viewer-${String(n).padStart(3, "0")}`)).toMatchObject({
        connectedSeconds: 1800.5,
        attendancePercent: 50,
        metadataVerified: null,
      });
    }
    // 16:00 → 17:00 of 15:50 → 17:00:30
    expect(person(session, "external:presenter-1")).toMatchObject({ connectedSeconds: 4230, attendancePercent: 100 });
  });
});
