import { describe, expect, it } from "vitest";
import { deriveSessions } from "../../../src/attendance/index.js";
import { onlySession, options, person } from "./helpers.js";
import { MeetingLog } from "./meeting-log.js";

describe("the waiting room", () => {
  const log = () =>
    new MeetingLog({ roomName: "/clinic-7", roomSessionId: "s-visit", day: "2026-03-02" })
      .join("10:00:00", "p-doctor", { roleName: "host", externalId: "dr-okafor" })
      .knock("10:01:15", "p-patient", { displayName: "J. Doe", externalId: "patient-9f3a" })
      .knock("10:02:00", "p-stranger", { displayName: "Wrong room" })
      .cancel("10:02:40", "p-stranger")
      .join("10:05:15", "p-patient", { externalId: "patient-9f3a" })
      .started("10:05:16")
      .knock("10:20:00", "p-relative", { displayName: "Relative" });

  it("measures the wait from a knock until admission", () => {
    const session = onlySession(deriveSessions(log().leave("10:25:00", "p-patient").ended("10:26:00").events(), options));
    const patient = person(session, "external:patient-9f3a");
    // 10:01:15 → 10:05:15
    expect(patient.waitedSeconds).toBe(240);
    expect(person(session, "external:dr-okafor").waitedSeconds).toBeNull();
    expect(session.knocks).toBe(3);
    expect(session.knocksCancelled).toBe(1);
    expect(session.knockList).toEqual([
      {
        participantId: "p-patient",
        displayName: "J. Doe",
        knockedAt: "2026-03-02T10:01:15.000Z",
        outcome: "admitted",
        resolvedAt: "2026-03-02T10:05:15.000Z",
      },
      {
        participantId: "p-stranger",
        displayName: "Wrong room",
        knockedAt: "2026-03-02T10:02:00.000Z",
        outcome: "cancelled",
        resolvedAt: "2026-03-02T10:02:40.000Z",
      },
      {
        participantId: "p-relative",
        displayName: "Relative",
        knockedAt: "2026-03-02T10:20:00.000Z",
        outcome: "waiting",
        resolvedAt: null,
      },
    ]);
    // knocking alone does not make a participant
    expect(session.uniqueParticipants).toBe(2);
  });

  it("counts the wait from the first knock, across a withdrawn one, to the join under a new participantId", () => {
    const session = onlySession(
      deriveSessions(
        new MeetingLog({ roomName: "/clinic-7", roomSessionId: "s-again", day: "2026-03-02" })
          .join("10:00:00", "p-doctor", { roleName: "host" })
          .knock("10:01:00", "p-tab-1", { externalId: "patient-1" })
          .cancel("10:02:00", "p-tab-1")
          .knock("10:03:00", "p-tab-2", { externalId: "patient-1" })
          .join("10:04:30", "p-tab-2")
          .started("10:04:31")
          .events(),
        options,
      ),
    );
    // 10:01:00 → 10:04:30
    expect(person(session, "external:patient-1").waitedSeconds).toBe(210);
    expect(session.knockList.map((knock) => knock.outcome)).toEqual(["cancelled", "admitted"]);
  });
});
