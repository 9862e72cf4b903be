import { describe, expect, it } from "vitest";
import { deriveSessions } from "../../../src/attendance/index.js";
import { onlySession, options, person } from "./helpers.js";
import { MeetingLog } from "./meeting-log.js";

function classroom(): MeetingLog {
  return new MeetingLog({ roomName: "/math-101", roomSessionId: "s-1", day: "2026-03-02" })
    .join("09:00:00", "p-teacher", { roleName: "host", externalId: "teacher-7" })
    .join("09:01:00", "p-ana", { externalId: "student-1" })
    .started("09:01:00.500");
}

describe("connections", () => {
  it("closes a tab that crashed and never sent left at the session's effective end", () => {
    const log = classroom()
      .join("09:02:00", "p-ben", { externalId: "student-2" })
      .leave("09:40:00", "p-ana")
      // Ben's tab crashed: no leave ever came, and Whereby went on counting him
      .leave("09:45:00", "p-teacher")
      .ended("09:46:10");
    const session = onlySession(deriveSessions(log.events(), options));
    // numClients after the leaves: 2 at 09:40, 1 at 09:45 (teacher gone, Ben's ghost still counted)
    expect(session.endedAt).toBe("2026-03-02T09:45:00.000Z");
    const ben = person(session, "external:student-2");
    expect(ben.connections).toEqual([
      {
        participantId: "p-ben",
        joinedAt: "2026-03-02T09:02:00.000Z",
        leftAt: "2026-03-02T09:45:00.000Z",
        joinInferred: false,
        leftInferred: true,
        participantIdInferred: false,
      },
    ]);
    expect(ben.lastLeftAt).toBe("2026-03-02T09:45:00.000Z");
    // 09:02 → 09:45 = 43 min
    expect(ben.connectedSeconds).toBe(2580);
    // teacher 45 min + Ana 39 min + Ben 43 min = 127 min
    expect(session.participantSeconds).toBe(7620);
    expect(session.billableParticipantMinutes).toBe(127);
  });

  it("opens a left whose joined never arrived at the session's first event", () => {
    const full = classroom()
      .join("09:05:00", "p-ben", { externalId: "student-2" })
      .leave("09:30:00", "p-ben")
      .leave("09:40:00", "p-ana")
      .leave("09:45:00", "p-teacher")
      .ended("09:46:10")
      .events();
    const withoutBensJoin = full.filter(
      (event) => !(event.type === "room.client.joined" && event.data.participantId === "p-ben"),
    );
    const ben = person(onlySession(deriveSessions(withoutBensJoin, options)), "external:student-2");
    expect(ben.connections).toEqual([
      {
        participantId: "p-ben",
        // the session's first event: the teacher's join
        joinedAt: "2026-03-02T09:00:00.000Z",
        leftAt: "2026-03-02T09:30:00.000Z",
        joinInferred: true,
        leftInferred: false,
        participantIdInferred: false,
      },
    ]);
    expect(ben.connectedSeconds).toBe(1800);
    // counted within [09:01:00.5, 09:40:00] (Ana's leave at 09:40 made 1): 09:01:00.5 → 09:30 = 1739.5 of 2339.5 s = 74.35 %
    expect(ben.attendancePercent).toBe(74.4);
  });

  it("opens such a left at the session's first event even when that is a transcription, not a join", () => {
    // Every join before Ben's leave was lost; the live transcription Whereby reported at 08:58 is the first sign of
    // the session, so SPEC §3 opens his stay there.
    const log = new MeetingLog({ roomName: "/math-101", roomSessionId: "s-2", day: "2026-03-02" })
      .artifact("transcription.started", "08:58:00", { transcriptionId: "tr-1" })
      .leave("09:30:00", "p-ben", { externalId: "student-2", numClients: 1 })
      .ended("09:31:00");
    const session = onlySession(deriveSessions(log.events(), options));
    expect(person(session, "external:student-2").connections).toEqual([
      { participantId: "p-ben", joinedAt: "2026-03-02T08:58:00.000Z", leftAt: "2026-03-02T09:30:00.000Z", joinInferred: true, leftInferred: false, participantIdInferred: false },
    ]);
    // 08:58 → 09:30 = 32 min
    expect(session.participantSeconds).toBe(1920);
  });

  it("takes a join repeated while already in, or a leave repeated after leaving, as the same stay", () => {
    const log = classroom()
      .join("09:05:00", "p-ben", { externalId: "student-2" })
      .join("09:06:00", "p-ben", { numClients: 3 })
      .leave("09:30:00", "p-ben")
      .leave("09:31:00", "p-ben", { numClients: 2 })
      .leave("09:40:00", "p-ana")
      .leave("09:45:00", "p-teacher")
      .ended("09:46:10");
    const ben = person(onlySession(deriveSessions(log.events(), options)), "external:student-2");
    expect(ben.connections).toMatchObject([
      { joinedAt: "2026-03-02T09:05:00.000Z", leftAt: "2026-03-02T09:30:00.000Z", joinInferred: false, leftInferred: false },
    ]);
  });
});

describe("persons", () => {
  it("merges a rejoin under a new participantId into one person by externalId", () => {
    const log = classroom()
      .leave("09:20:00", "p-ana")
      .join("09:22:30", "p-ana-again", { externalId: "student-1", displayName: "Ana (phone)" })
      .leave("09:40:00", "p-ana-again")
      .leave("09:45:00", "p-teacher")
      .ended("09:46:10");
    const session = onlySession(deriveSessions(log.events(), options));
    expect(session.uniqueParticipants).toBe(2);
    const ana = person(session, "external:student-1");
    expect(ana.connections.map((connection) => connection.participantId)).toEqual(["p-ana", "p-ana-again"]);
    expect(ana.displayName).toBe("p-ana");
    expect(ana.firstJoinedAt).toBe("2026-03-02T09:01:00.000Z");
    expect(ana.lastLeftAt).toBe("2026-03-02T09:40:00.000Z");
    // 09:01 → 09:20 = 1140 s, 09:22:30 → 09:40 = 1050 s
    expect(ana.connectedSeconds).toBe(2190);
    // 19 + ceil(17.5) = 37 minutes for Ana, 45 for the teacher
    expect(session.billableParticipantMinutes).toBe(82);
  });

  it("merges a rejoin under a new participantId into one person by signed metadata", () => {
    const signed = "student-2231,1772442000,0671660cf3227a72e6840cdbbcc4d5d4c746e14e0d25d35d1c403bc866a4e1c0";
    const log = classroom()
      .join("09:03:00", "p-sam", { metadata: signed, displayName: "Sam" })
      .leave("09:10:00", "p-sam")
      .join("09:12:00", "p-sam-2", { metadata: signed, displayName: "Sam" })
      .leave("09:40:00", "p-sam-2")
      .leave("09:41:00", "p-ana")
      .leave("09:45:00", "p-teacher")
      .ended("09:46:10");
    const session = onlySession(deriveSessions(log.events(), options));
    expect(session.uniqueParticipants).toBe(3);
    const sam = person(session, "metadata:student-2231");
    expect(sam).toMatchObject({ metadataSubject: "student-2231", metadataVerified: true, metadataProblem: null });
    expect(sam.connections.map((connection) => connection.participantId)).toEqual(["p-sam", "p-sam-2"]);
    // 7 min + 28 min
    expect(sam.connectedSeconds).toBe(2100);
  });

  it("counts two tabs of one person at once once", () => {
    const log = classroom()
      .join("09:10:00", "p-ana-tab-2", { externalId: "student-1" })
      .leave("09:30:00", "p-ana-tab-2")
      .leave("09:40:00", "p-ana")
      .leave("09:45:00", "p-teacher")
      .ended("09:46:10");
    const session = onlySession(deriveSessions(log.events(), options));
    expect(session.uniqueParticipants).toBe(2);
    const ana = person(session, "external:student-1");
    expect(ana.connections).toHaveLength(2);
    // the union of 09:01 → 09:40 and 09:10 → 09:30 is 09:01 → 09:40 = 39 min
    expect(ana.connectedSeconds).toBe(2340);
    // ended at 09:40 (Ana's last tab left, 2 → 1); 09:01:00.5 → 09:40 = 2339.5 s, all of it attended
    expect(ana.attendancePercent).toBe(100);
    // participant seconds add every connection: teacher 2700 + Ana 2340 + 1200
    expect(session.participantSeconds).toBe(6240);
  });

  it("keeps bots apart from every participant figure, but not from Whereby's headcount", () => {
    const log = classroom()
      .join("09:02:00", "p-recorder", { roleName: "recorder", displayName: "Recorder" })
      .join("09:03:00", "p-captions", { roleName: "captioner" })
      .leave("09:40:00", "p-ana")
      .leave("09:41:00", "p-recorder")
      .leave("09:42:00", "p-captions")
      .leave("09:45:00", "p-teacher")
      .ended("09:46:10");
    const session = onlySession(deriveSessions(log.events(), options));
    expect(session.participants.map((who) => who.key)).toEqual(["external:teacher-7", "external:student-1"]);
    expect(session.bots.map((bot) => [bot.key, bot.roleName])).toEqual([
      ["participant:p-recorder", "recorder"],
      ["participant:p-captions", "captioner"],
    ]);
    expect(session.bots[0]?.connectedSeconds).toBe(2340);
    expect(session.uniqueParticipants).toBe(2);
    // teacher 09:00 → 09:45 = 2700 s, Ana 09:01 → 09:40 = 2340 s
    expect(session.participantSeconds).toBe(5040);
    expect(session.billableParticipantMinutes).toBe(84);
    expect(session.peakParticipants).toBe(4);
    // 4 → 3 (Ana) → 2 (recorder) → 1 (captioner at 09:42): the fall below two
    expect(session.endedAt).toBe("2026-03-02T09:42:00.000Z");
    expect(session.timeline.map((point) => point.numClients)).toEqual([1, 2, 3, 4, 3, 2, 1, 0]);
    expect(session.timeline[3]).toEqual({
      at: "2026-03-02T09:03:00.000Z",
      numClients: 4,
      numClientsByRoleName: { host: 1, visitor: 1, recorder: 1, captioner: 1 },
    });
  });
});
