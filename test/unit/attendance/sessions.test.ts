import { describe, expect, it } from "vitest";
import { deriveSessions } from "../../../src/attendance/index.js";
import { NOON, onlySession, options, person } from "./helpers.js";
import { MeetingLog } from "./meeting-log.js";

const day = "2026-03-02";

/** A teacher and two students from 09:00 to 09:45, Whereby's end reported 70 s after the last fall below two. */
function lesson(roomSessionId: string | null = "s-lesson"): MeetingLog {
  return new MeetingLog({ roomName: "/math-101", roomSessionId, day })
    .join("09:00:00", "p-teacher", { roleName: "host", externalId: "teacher-7" })
    .join("09:01:00", "p-ana", { externalId: "student-1" })
    .started("09:01:00.500")
    .join("09:02:00", "p-ben", { externalId: "student-2" })
    .leave("09:40:00", "p-ana")
    .leave("09:44:00", "p-ben")
    .leave("09:45:00", "p-teacher")
    .ended("09:46:10");
}

describe("session times", () => {
  it("starts at room.session.started and ends at the last fall below two, not at Whereby's late end", () => {
    const session = onlySession(deriveSessions(lesson().events(), options));
    expect(session).toMatchObject({
      id: "s-lesson",
      roomName: "/math-101",
      meetingId: "87385993",
      startedAt: "2026-03-02T09:01:00.500Z",
      // numClients after each leave: 2 (09:40), 1 (09:44: fell below two), 0 (09:45)
      endedAt: "2026-03-02T09:44:00.000Z",
      reportedEndedAt: "2026-03-02T09:46:10.000Z",
      ongoing: false,
      // 09:01:00.5 → 09:44:00 = 42 min 59.5 s
      durationSeconds: 2579.5,
      peakParticipants: 3,
      uniqueParticipants: 3,
    });
  });

  it("falls back to the first join that made two, then to the first join", () => {
    const withoutStarted = lesson()
      .events()
      .filter((event) => event.type !== "room.session.started");
    expect(onlySession(deriveSessions(withoutStarted, options)).startedAt).toBe("2026-03-02T09:01:00.000Z");

    const alone = new MeetingLog({ roomName: "/math-101", roomSessionId: "s-alone", day })
      .join("09:00:00", "p-teacher", { roleName: "host" })
      .leave("09:10:00", "p-teacher")
      .ended("09:11:00");
    const session = onlySession(deriveSessions(alone.events(), options));
    expect(session.startedAt).toBe("2026-03-02T09:00:00.000Z");
    // never two in the room, so nothing fell below two: the reported end stands
    expect(session.endedAt).toBe("2026-03-02T09:11:00.000Z");
  });

  it("counts a leave to one as the fall below two even when that person's join was lost", () => {
    const log = new MeetingLog({ roomName: "/math-101", roomSessionId: "s-lost-join", day })
      .join("09:00:00", "p-teacher", { roleName: "host" })
      .started("09:00:30")
      // Ben's join never arrived; his leave says two were there
      .leave("09:10:00", "p-ben", { numClients: 1 })
      .leave("09:20:00", "p-teacher", { numClients: 0 })
      .ended("09:21:00");
    const session = onlySession(deriveSessions(log.events(), options));
    expect(session).toMatchObject({ endedAt: "2026-03-02T09:10:00.000Z", durationSeconds: 570 });
    expect(person(session, "participant:p-teacher").attendancePercent).toBe(100);
  });

  it("ends a visit that never held two people when the room empties: Whereby never starts nor ends it", () => {
    for (const roomSessionId of ["s-no-show", null]) {
      const log = new MeetingLog({ roomName: "/clinic-3", roomSessionId, day })
        .join("09:00:00", "p-doctor", { roleName: "host" })
        .knock("09:02:00", "p-patient")
        .cancel("09:03:00", "p-patient")
        .leave("09:10:00", "p-doctor");
      const session = onlySession(deriveSessions(log.events(), options));
      expect(session).toMatchObject({
        startedAt: "2026-03-02T09:00:00.000Z",
        endedAt: "2026-03-02T09:10:00.000Z",
        reportedEndedAt: null,
        ongoing: false,
        durationSeconds: 600,
        knocks: 1,
        knocksCancelled: 1,
      });
      // Still waiting alone, it goes on.
      const waiting = new MeetingLog({ roomName: "/clinic-3", roomSessionId, day }).join("09:00:00", "p-doctor");
      expect(onlySession(deriveSessions(waiting.events(), options))).toMatchObject({ ongoing: true, endedAt: null });
    }
  });

  it("keeps the reported end when the last leaves were lost, never a fall from before the start", () => {
    const log = new MeetingLog({ roomName: "/math-101", roomSessionId: "s-lost", day })
      .join("09:00:00", "p-teacher", { roleName: "host" })
      .join("09:01:00", "p-ana")
      .leave("09:01:20", "p-ana")
      .started("09:01:30")
      .join("09:05:00", "p-ben")
      // the teacher's and Ben's leaves never arrived
      .ended("09:41:00");
    const session = onlySession(deriveSessions(log.events(), options));
    expect(session.endedAt).toBe("2026-03-02T09:41:00.000Z");
    // 09:01:30 → 09:41:00
    expect(session.durationSeconds).toBe(2370);
  });

  it("room.session.ended delivered before the last left events gives the same session as in order", () => {
    const inOrder = lesson().events();
    const ended = inOrder.filter((event) => event.type === "room.session.ended");
    const lefts = inOrder.filter((event) => event.type === "room.client.left");
    const rest = inOrder.filter((event) => event.type !== "room.session.ended" && event.type !== "room.client.left");
    const endFirst = [...rest, ...ended, ...lefts.reverse()];

    const early = onlySession(deriveSessions(endFirst, options));
    expect(early).toEqual(onlySession(deriveSessions(inOrder, options)));
    expect(early.endedAt).toBe("2026-03-02T09:44:00.000Z");
    expect(person(early, "external:teacher-7").connections[0]?.leftInferred).toBe(false);
  });

  it("keeps someone who stayed alone after Whereby's end in the session until they leave", () => {
    const log = new MeetingLog({ roomName: "/math-101", roomSessionId: null, day })
      .join("09:00:00", "p-teacher", { roleName: "host", externalId: "teacher-7" })
      .join("09:01:00", "p-ana", { externalId: "student-1" })
      .started("09:01:01")
      .leave("09:40:00", "p-ana")
      .ended("09:41:05")
      .leave("09:52:00", "p-teacher");
    const session = onlySession(deriveSessions(log.events(), options));
    expect(session.endedAt).toBe("2026-03-02T09:40:00.000Z");
    const teacher = person(session, "external:teacher-7");
    expect(teacher.connections).toEqual([
      {
        participantId: "p-teacher",
        joinedAt: "2026-03-02T09:00:00.000Z",
        leftAt: "2026-03-02T09:52:00.000Z",
        joinInferred: false,
        leftInferred: false,
        participantIdInferred: false,
      },
    ]);
    // 09:00 → 09:52 = 52 min = 3120 s; attended within [09:01:01, 09:40:00] = all of it
    expect(teacher.connectedSeconds).toBe(3120);
    expect(teacher.attendancePercent).toBe(100);
  });

  it("an ongoing session counts up to now and leaves its open connections open", () => {
    const log = new MeetingLog({ roomName: "/math-101", roomSessionId: "s-live", day })
      .join("11:00:00", "p-teacher", { roleName: "host", externalId: "teacher-7" })
      .join("11:10:00", "p-ana", { externalId: "student-1" })
      .started("11:10:01")
      .join("11:20:00", "p-ben", { externalId: "student-2" })
      .leave("11:50:00", "p-ben");
    const session = onlySession(deriveSessions(log.events(), options));
    expect(session).toMatchObject({
      ongoing: true,
      endedAt: null,
      reportedEndedAt: null,
      // now is 12:00:00; 11:10:01 → 12:00:00 = 49 min 59 s
      durationSeconds: 2999,
      // teacher 11:00 → now 3600 s + ana 11:10 → now 3000 s + ben 11:20 → 11:50 1800 s
      participantSeconds: 8400,
      // 60 + 50 + 30
      billableParticipantMinutes: 140,
    });
    const ana = person(session, "external:student-1");
    expect(ana.lastLeftAt).toBeNull();
    expect(ana.connections[0]).toMatchObject({ leftAt: null, leftInferred: false });
    // clipped to [11:10:01, 12:00:00]: 2999 of 2999
    expect(ana.attendancePercent).toBe(100);
    // 11:20 → 11:50 within 2999 s: 1800 / 2999 = 60.02 %
    expect(person(session, "external:student-2").attendancePercent).toBe(60);

    const later = onlySession(deriveSessions(log.events(), { ...options, now: NOON + 600_000 }));
    expect(later.durationSeconds).toBe(3599);
    expect(later.participantSeconds).toBe(8400 + 600 + 600);
  });

  it("an event of a session that arrives after the session ended (a late retry) takes its place in it", () => {
    const all = lesson().events();
    const late = all.find((event) => event.type === "room.client.left" && event.data.participantId === "p-ben");
    if (late === undefined) throw new Error("the lesson has Ben's leave");
    const before = onlySession(deriveSessions(all.filter((event) => event !== late), options));
    // without Ben's leave: 3 → 2 at 09:40 and the teacher's leave at 09:45 reports 1, a fall from 2
    expect(before.endedAt).toBe("2026-03-02T09:45:00.000Z");
    expect(person(before, "external:student-2").connections[0]?.leftInferred).toBe(true);

    const after = onlySession(deriveSessions([...all.filter((event) => event !== late), late, late], options));
    expect(after).toEqual(onlySession(deriveSessions(all, options)));
    expect(after.id).toBe(before.id);
    expect(after.endedAt).toBe("2026-03-02T09:44:00.000Z");
    expect(person(after, "external:student-2").connections[0]).toMatchObject({
      leftAt: "2026-03-02T09:44:00.000Z",
      leftInferred: false,
    });
  });

  it("ignores unknown event types and events whose data does not have the documented shape", () => {
    const plain = lesson();
    const noisy = lesson()
      .other("room.client.raisedHand", "09:10:00", { roomName: "/math-101", roomSessionId: "s-lesson", participantId: "p-ana" })
      .other("room.client.joined", "09:11:00", { roomName: "/math-101", roomSessionId: "s-lesson", participantId: 42 })
      .other("room.session.paused", "09:12:00", { roomName: "/math-101" });
    const noisyEvents = noisy.events();
    expect(noisyEvents.filter((event) => "unrecognised" in event)).toHaveLength(3);
    expect(deriveSessions(noisyEvents, options)).toEqual(deriveSessions(plain.events(), options));

    const onlyUnknown = new MeetingLog({ roomName: "/math-101", roomSessionId: "s-x", day })
      .other("room.client.raisedHand", "09:10:00", { roomName: "/math-101", roomSessionId: "s-x" });
    expect(deriveSessions(onlyUnknown.events(), options)).toEqual([]);
  });
});

describe("sessions without a roomSessionId", () => {
  const room = "/yoga-1";
  function morningAndAfternoon(): MeetingLog {
    return new MeetingLog({ roomName: room, roomSessionId: null, day })
      .join("09:00:00", "p-coach", { roleName: "host", externalId: "coach" })
      .join("09:02:00", "p-kim", { externalId: "kim" })
      .started("09:02:01")
      .leave("09:45:00", "p-kim")
      .leave("09:45:30", "p-coach")
      .ended("09:46:05")
      .artifact("recording.finished", "09:58:00", { recordingId: "rec-am" }, false)
      .knock("13:58:00", "p-lee", { externalId: "lee" })
      .join("14:00:00", "p-coach-2", { roleName: "host", externalId: "coach" })
      .join("14:01:00", "p-lee", { externalId: "lee" })
      .started("14:01:01")
      .leave("14:50:00", "p-lee")
      .leave("14:50:10", "p-coach-2")
      .ended("14:51:15")
      .artifact("recording.finished", "15:20:00", { recordingId: "rec-pm" }, false);
  }

  it("cuts two sessions of one room on one day at room.session.ended, with stable derived ids", () => {
    const sessions = deriveSessions(morningAndAfternoon().events(), options);
    expect(sessions).toHaveLength(2);
    const [afternoon, morning] = sessions as [(typeof sessions)[number], (typeof sessions)[number]];
    expect(afternoon.startedAt).toBe("2026-03-02T14:01:01.000Z");
    expect(morning.startedAt).toBe("2026-03-02T09:02:01.000Z");
    for (const session of sessions) {
      expect(session.id).toMatch(/^derived-[0-9a-f]{16}$/);
      expect(session.roomName).toBe(room);
      expect(session.ongoing).toBe(false);
    }
    expect(afternoon.id).not.toBe(morning.id);
    expect(morning.participants.map((who) => who.key)).toEqual(["external:coach", "external:kim"]);
    expect(afternoon.participants.map((who) => who.key)).toEqual(["external:coach", "external:lee"]);
    // a knock after the morning's end waits for the afternoon
    expect([morning.knocks, afternoon.knocks]).toEqual([0, 1]);
    expect(person(afternoon, "external:lee").waitedSeconds).toBe(180);
    expect(morning.recordings.map((artifact) => artifact.data.recordingId)).toEqual(["rec-am"]);
    expect(afternoon.recordings.map((artifact) => artifact.data.recordingId)).toEqual(["rec-pm"]);

    const again = deriveSessions(morningAndAfternoon().events().reverse(), options);
    expect(again.map((session) => session.id)).toEqual(sessions.map((session) => session.id));
  });

  it("starts a new session after a quarter of an hour of empty room when Whereby's end never came", () => {
    // (Without the second room.session.started, which would open a session of its own: see the next test.)
    const log = new MeetingLog({ roomName: room, roomSessionId: null, day })
      .join("09:00:00", "p-coach", { roleName: "host" })
      .join("09:02:00", "p-kim")
      .started("09:02:01")
      .leave("09:45:00", "p-kim")
      .leave("09:45:30", "p-coach")
      .join("10:00:29", "p-lee")
      .join("10:00:40", "p-coach-2", { roleName: "host" })
      .leave("10:30:00", "p-lee")
      .leave("10:30:10", "p-coach-2")
      .ended("10:31:15");
    // 09:45:30 → 10:00:29 is 14 min 59 s: too short a silence to split
    const merged = onlySession(deriveSessions(log.events(), options));
    expect(merged.participants).toHaveLength(4);
    expect(merged.startedAt).toBe("2026-03-02T09:02:01.000Z");

    const later = new MeetingLog({ roomName: room, roomSessionId: null, day })
      .join("09:00:00", "p-coach", { roleName: "host" })
      .join("09:02:00", "p-kim")
      .started("09:02:01")
      .leave("09:45:00", "p-kim")
      .leave("09:45:30", "p-coach")
      .join("10:00:30", "p-lee")
      .join("10:00:40", "p-coach-2", { roleName: "host" })
      .started("10:00:41")
      .leave("10:30:00", "p-lee")
      .leave("10:30:10", "p-coach-2")
      .ended("10:31:15");
    const sessions = deriveSessions(later.events(), options);
    expect(sessions.map((session) => session.startedAt)).toEqual(["2026-03-02T10:00:41.000Z", "2026-03-02T09:02:01.000Z"]);
    // the first was cut off by the second: over, ended at its fall below two (09:45:00), never reported
    expect(sessions[1]).toMatchObject({ ongoing: false, reportedEndedAt: null, endedAt: "2026-03-02T09:45:00.000Z" });
  });

  it("opens a new session at a second room.session.started, however soon: the first one's end was lost", () => {
    const log = new MeetingLog({ roomName: room, roomSessionId: null, day })
      .join("09:00:00", "p-coach", { roleName: "host" })
      .join("09:02:00", "p-kim")
      .started("09:02:01")
      .leave("09:45:00", "p-kim")
      .join("09:50:00", "p-lee")
      .started("09:50:01")
      .leave("10:20:00", "p-lee")
      .leave("10:20:30", "p-coach")
      .ended("10:21:30");
    const [second, first] = deriveSessions(log.events(), options);
    expect(first).toMatchObject({ startedAt: "2026-03-02T09:02:01.000Z", endedAt: "2026-03-02T09:45:00.000Z", ongoing: false });
    expect(second).toMatchObject({ startedAt: "2026-03-02T09:50:01.000Z", endedAt: "2026-03-02T10:20:00.000Z", ongoing: false });
    // The coach stayed through both: closed at the first one's end, opened at the second one's first event.
    expect(person(first!, "participant:p-coach").connectedSeconds).toBe(45 * 60);
  });

  it("opens a new session at a join that found the room empty a day later, though a crashed tab left the count at one", () => {
    const log = new MeetingLog({ roomName: room, roomSessionId: null, day })
      .join("09:00:00", "p-ana")
      .join("09:01:00", "p-ben")
      .started("09:01:00.500")
      .leave("09:30:00", "p-ben")
      // Ana's tab crashed: no leave, and Whereby's end was lost too.
      .join("2026-03-03T09:00:00Z", "p-cleo", { numClients: 1 })
      .join("2026-03-03T09:01:00Z", "p-dan", { numClients: 2 })
      .started("2026-03-03T09:01:00.500Z")
      .leave("2026-03-03T09:30:00Z", "p-dan", { numClients: 1 })
      .leave("2026-03-03T09:31:00Z", "p-cleo", { numClients: 0 })
      .ended("2026-03-03T09:32:00Z");
    const [second, first] = deriveSessions(log.events(), { ...options, now: Date.parse("2026-03-04T00:00:00Z") });
    // 09:01:00.5 → 09:30; Ana's open connection closes there too: 30 min + 28 min 59.5 s
    expect(first).toMatchObject({ endedAt: "2026-03-02T09:30:00.000Z", ongoing: false, durationSeconds: 1739.5 });
    expect(first!.participantSeconds).toBe(1800 + 1740);
    expect(second).toMatchObject({ startedAt: "2026-03-03T09:01:00.500Z", endedAt: "2026-03-03T09:30:00.000Z" });
    expect(second!.participantSeconds).toBe(1860 + 1740);
  });

  it("keeps a derived session's id when one of its earlier events arrives late", () => {
    const log = () =>
      new MeetingLog({ roomName: room, roomSessionId: null, day })
        .knock("08:58:00", "p-kim")
        .join("09:00:00", "p-coach", { roleName: "host" })
        .join("09:02:00", "p-kim")
        .started("09:02:01")
        .leave("09:45:00", "p-kim")
        .leave("09:45:30", "p-coach")
        .ended("09:46:30");
    const all = onlySession(deriveSessions(log().events(), options));
    // Before the knock and the coach's join came (their first deliveries failed), the same session had the same id.
    const early = log().events().slice(2);
    expect(onlySession(deriveSessions(early, options)).id).toBe(all.id);
  });

  it("lets a knock soon after Whereby's end open the next session", () => {
    const log = new MeetingLog({ roomName: room, roomSessionId: null, day })
      .join("09:00:00", "p-coach", { roleName: "host" })
      .join("09:02:00", "p-kim")
      .started("09:02:01")
      .leave("09:30:00", "p-kim")
      .ended("09:31:05")
      .knock("09:33:00", "p-lee")
      .join("09:34:00", "p-lee")
      .started("09:34:01")
      .leave("09:50:00", "p-lee")
      .leave("09:50:30", "p-coach")
      .ended("09:51:35");
    const [next, first] = deriveSessions(log.events(), options);
    expect(first?.knocks).toBe(0);
    expect(next?.knockList.map((knock) => [knock.participantId, knock.outcome])).toEqual([["p-lee", "admitted"]]);
    // the coach stayed through both: closed at the first one's end, opened at the second one's first event
    expect(first?.participants[0]?.connections[0]).toMatchObject({ leftAt: "2026-03-02T09:30:00.000Z", leftInferred: true });
    expect(next?.participants.find((who) => who.key === "participant:p-coach")?.connections[0]).toMatchObject({
      joinedAt: "2026-03-02T09:33:00.000Z",
      joinInferred: true,
    });
  });

  it("never makes a session of a recording alone, and leaves out one that fits no session", () => {
    const log = new MeetingLog({ roomName: room, roomSessionId: null, day })
      .artifact("recording.finished", "08:00:00", { recordingId: "rec-orphan" }, false)
      .join("09:00:00", "p-coach", { roleName: "host" })
      .join("09:02:00", "p-kim")
      .started("09:02:01")
      .leave("09:45:00", "p-kim")
      .leave("09:45:30", "p-coach")
      .ended("09:46:05")
      // last event 09:46:05 + 2 h grace = 11:46:05
      .artifact("transcription.finished", "11:46:05", { transcriptionId: "tr-in" }, false)
      .artifact("transcription.finished", "11:46:06", { transcriptionId: "tr-out" }, false);
    const session = onlySession(deriveSessions(log.events(), options));
    expect(session.recordings).toEqual([]);
    expect(session.transcriptions.map((artifact) => artifact.data.transcriptionId)).toEqual(["tr-in"]);
    expect(deriveSessions(log.events().filter((event) => event.type === "recording.finished"), options)).toEqual([]);
  });

  it("attaches a recording without a session id to the room's named session", () => {
    const log = lesson()
      .artifact("recording.finished", "10:05:44", { recordingId: "rec-91c0" }, false)
      .artifact("transcription.finished", "10:02:17", { transcriptionId: "tr-5e1a" })
      .artifact("assistant.requested", "09:10:00");
    const session = onlySession(deriveSessions(log.events(), options));
    expect(session.recordings).toMatchObject([{ type: "recording.finished", createdAt: "2026-03-02T10:05:44.000Z" }]);
    expect(session.transcriptions.map((artifact) => artifact.type)).toEqual(["assistant.requested", "transcription.finished"]);
  });
});
