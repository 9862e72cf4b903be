/**
 * One bad clock must not inflate the bill, and a session whose end never comes must not count forever: an event dated
 * more than CLOCK_SKEW_MS after its receipt is placed at its receipt, a silence of SILENCE_MS cuts a session, and a
 * session silent that long before now is over at its last event.
 */
import { describe, expect, it } from "vitest";
import { deriveSessions, readEvent } from "../../../src/attendance/index.js";
import type { WherebyEvent } from "../../../src/whereby/events.js";
import { NOON, onlySession, options, person } from "./helpers.js";
import { MeetingLog } from "./meeting-log.js";

const day = "2026-03-02";

/** Each event received a second after it is dated, except those given. */
function receipts(events: readonly WherebyEvent[], late: Record<string, string> = {}): Map<string, number> {
  return new Map(events.map((event) => [event.id, Date.parse(late[event.id] ?? event.createdAt) + 1000]));
}

/** Ana (host) 09:00–09:40, Ben 09:01–09:30; the session started 09:01 and Whereby ended it 09:41. */
function lesson(roomSessionId: string | null, benLeftAt = "09:30:00"): MeetingLog {
  return new MeetingLog({ roomName: "/clock-room", roomSessionId, day })
    .join("09:00:00", "p-ana", { roleName: "host" })
    .join("09:01:00", "p-ben")
    .started("09:01:00")
    .leave(benLeftAt, "p-ben", { numClients: 1 })
    .leave("09:40:00", "p-ana", { numClients: 0 })
    .ended("09:41:00");
}

describe("an event whose createdAt lies far from its receipt", () => {
  it("is placed at its receipt when dated more than 5 minutes after it: a leave dated 3000 ends at 09:30", () => {
    const events = lesson("s-clock", "3000-01-01T00:00:00.000Z").events();
    const benLeft = events.find((e) => e.type === "room.client.left" && e.data.participantId === "p-ben")!;
    const receivedAt = receipts(events, { [benLeft.id]: "2026-03-02T09:29:59.000Z" });
    const session = onlySession(deriveSessions(events, { ...options, receivedAt }));
    // Ben 09:01:00 → 09:30:00 (his receipt) = 1740 s; Ana 09:00 → 09:40 = 2400 s.
    expect(person(session, "participant:p-ben").connections[0]).toMatchObject({
      joinedAt: "2026-03-02T09:01:00.000Z",
      leftAt: "2026-03-02T09:30:00.000Z",
    });
    expect(session).toMatchObject({
      // The fall below two is Ben's leave, as received.
      endedAt: "2026-03-02T09:30:00.000Z",
      durationSeconds: 1740,
      participantSeconds: 1740 + 2400,
      billableParticipantMinutes: 29 + 40,
    });
    expect(readEvent(benLeft, { receivedAt })).toMatchObject({ usable: true, timed: { clockAhead: true } });
  });

  it("keeps its own time when within 5 minutes of its receipt", () => {
    const events = lesson("s-skew").events();
    const benLeft = events.find((e) => e.type === "room.client.left" && e.data.participantId === "p-ben")!;
    // Received 4 min 59 s before it says it was made: a clock a little fast, within the tolerance.
    const receivedAt = receipts(events, { [benLeft.id]: "2026-03-02T09:25:00.000Z" });
    const session = onlySession(deriveSessions(events, { ...options, receivedAt }));
    expect(person(session, "participant:p-ben").connections[0]?.leftAt).toBe("2026-03-02T09:30:00.000Z");
    expect(readEvent(benLeft, { receivedAt })).toEqual({ usable: true, timed: { at: Date.parse(benLeft.createdAt), event: benLeft } });
  });

  it("makes no connection of decades when a join is dated decades back, with or without a roomSessionId", () => {
    for (const roomSessionId of ["s-old-join", null]) {
      const log = lesson(roomSessionId).join("1971-01-01T00:00:00.000Z", "p-cy", { numClients: 3 });
      log.leave("09:20:00", "p-cy", { numClients: 2 });
      // A transcription dated as wrongly: a leave without its join would open at it.
      log.artifact("transcription.started", "1971-01-01T00:00:00.000Z", { transcriptionId: "tr-1971" });
      const events = log.events();
      const sessions = deriveSessions(events, { ...options, receivedAt: receipts(events) });
      const today = sessions.find((s) => s.startedAt.startsWith(day))!;
      // Cy's join lies 55 years before the rest: it plays no part, so her leave opens at the session's first event.
      expect(person(today, "participant:p-cy").connections[0]).toMatchObject({
        joinedAt: "2026-03-02T09:00:00.000Z",
        leftAt: "2026-03-02T09:20:00.000Z",
        joinInferred: true,
      });
      // Ana 2400 s, Ben 1740 s, Cy 1200 s; over every session of the room, nothing more.
      expect(today.participantSeconds).toBe(2400 + 1740 + 1200);
      expect(sessions.reduce((sum, s) => sum + s.billableParticipantMinutes, 0)).toBe(40 + 29 + 20);
      expect(sessions.every((s) => s.durationSeconds < 3600)).toBe(true);
    }
  });
});

describe("a session whose end never comes", () => {
  /** Ana and Ben in, the session started, then nothing: both tabs lost, and Whereby's end with them. */
  const silent = (roomSessionId: string | null) =>
    new MeetingLog({ roomName: "/silent-room", roomSessionId, day })
      .join("09:00:00", "p-ana", { roleName: "host" })
      .join("09:01:00", "p-ben")
      .started("09:01:30");

  it("runs to now for 12 hours after its last event", () => {
    const now = Date.parse("2026-03-02T21:01:29.000Z");
    const session = onlySession(deriveSessions(silent("s-silent").events(), { ...options, now }));
    // 09:01:30 → 21:01:29 = 43199 s
    expect(session).toMatchObject({ ongoing: true, endedAt: null, endInferred: false, durationSeconds: 43_199 });
  });

  it("is over 12 hours after its last event, ended at that event and marked inferred, with or without a roomSessionId", () => {
    for (const roomSessionId of ["s-silent", null]) {
      for (const now of [Date.parse("2026-03-02T21:01:30.000Z"), Date.parse("2026-12-05T07:00:00.000Z")]) {
        const session = onlySession(deriveSessions(silent(roomSessionId).events(), { ...options, now }));
        expect(session).toMatchObject({
          ongoing: false,
          startedAt: "2026-03-02T09:01:30.000Z",
          endedAt: "2026-03-02T09:01:30.000Z",
          reportedEndedAt: null,
          endInferred: true,
          durationSeconds: 0,
          // Ana 09:00:00 → 09:01:30 = 90 s, Ben 09:01:00 → 09:01:30 = 30 s, both closed at the end, inferred.
          participantSeconds: 120,
          billableParticipantMinutes: 2 + 1,
        });
        expect(person(session, "participant:p-ben").connections[0]).toMatchObject({ leftInferred: true });
      }
    }
  });

  it("counts a lone join from March nothing in December", () => {
    const log = new MeetingLog({ roomName: "/march", roomSessionId: "s-march", day: "2026-03-10" }).join("10:00:00", "p-one");
    const session = onlySession(deriveSessions(log.events(), { ...options, now: Date.parse("2026-12-05T07:00:00Z") }));
    expect(session).toMatchObject({ ongoing: false, endInferred: true, durationSeconds: 0, participantSeconds: 0, billableParticipantMinutes: 0 });
  });

  it("takes no recording made after its end and grace, though Whereby named no session for either", () => {
    const log = silent(null)
      .artifact("recording.finished", "10:30:00", { recordingId: "rec-soon" }, false)
      .artifact("recording.finished", "2026-03-03T09:00:00.000Z", { recordingId: "rec-next-day" }, false);
    const session = onlySession(deriveSessions(log.events(), { ...options, now: Date.parse("2026-03-04T12:00:00Z") }));
    // Ended 09:01:30: the grace of two hours holds the first, not the one of the next day.
    expect(session.recordings.map((r) => r.data.recordingId)).toEqual(["rec-soon"]);
  });

  it("marks a reported end as not inferred", () => {
    const session = onlySession(deriveSessions(lesson("s-reported").events(), options));
    expect(session).toMatchObject({ ongoing: false, endInferred: false, endedAt: "2026-03-02T09:30:00.000Z" });
    expect(NOON).toBeGreaterThan(Date.parse(session.reportedEndedAt!));
  });
});
