/**
 * Whereby delivers at least once and in no particular order, so the figures must be a function of the set of events:
 * any permutation and any duplication of them gives the same sessions, deep equal.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deriveSessions, type SessionDetail } from "../../../src/attendance/index.js";
import { deliveries, meetings } from "./arbitraries.js";
import { options, scenario } from "./helpers.js";

function sane(sessions: SessionDetail[]): void {
  for (const session of sessions) {
    expect(session.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(session.uniqueParticipants).toBe(session.participants.length);
    for (const who of [...session.participants, ...session.bots]) {
      expect(who.connectedSeconds).toBeGreaterThanOrEqual(0);
      if (who.attendancePercent !== null) {
        expect(who.attendancePercent).toBeGreaterThanOrEqual(0);
        expect(who.attendancePercent).toBeLessThanOrEqual(100);
      }
      for (const connection of who.connections) {
        if (connection.leftAt !== null) expect(connection.leftAt >= connection.joinedAt).toBe(true);
      }
    }
  }
}

describe("order and repetition do not matter", () => {
  for (const name of ["classroom", "telehealth", "webinar"]) {
    it(`for the ${name} scenario`, () => {
      const events = scenario(name);
      const expected = deriveSessions(events, options);
      fc.assert(
        fc.property(deliveries(events), (delivered) => {
          expect(deriveSessions(delivered, options)).toEqual(expected);
        }),
        { numRuns: name === "webinar" ? 20 : 100 },
      );
    });
  }

  it("for the three scenarios delivered together", () => {
    const events = [...scenario("classroom"), ...scenario("telehealth"), ...scenario("webinar")];
    const expected = deriveSessions(events, options);
    expect(expected.map((session) => session.startedAt)).toEqual([
      "2026-03-05T16:00:00.000Z",
      "2026-03-04T14:05:31.000Z",
      "2026-03-03T09:00:00.000Z",
    ]);
    fc.assert(
      fc.property(deliveries(events), (delivered) => {
        expect(deriveSessions(delivered, options)).toEqual(expected);
      }),
      { numRuns: 10 },
    );
  });

  it("for random meetings, however inconsistent, whose figures stay within their bounds", () => {
    fc.assert(
      fc.property(
        meetings.chain((events) => fc.tuple(fc.constant(events), deliveries(events))),
        ([events, delivered]) => {
          const expected = deriveSessions(events, options);
          sane(expected);
          expect(deriveSessions(delivered, options)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
