/**
 * Whereby delivers at least once and in no particular order, so the figures must be a function of the set of events:
 * any permutation and any duplication of them gives the same sessions, deep equal.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deriveSessions, type SessionDetail } from "../../../src/attendance/index.js";
import type { WherebyEvent } from "../../../src/whereby/events.js";
import { options, scenario, vector } from "./helpers.js";
import { MeetingLog } from "./meeting-log.js";

/** The same events as a store would hand them back after retries: shuffled, some several times, each a fresh copy. */
function deliveries(events: readonly WherebyEvent[]): fc.Arbitrary<WherebyEvent[]> {
  return fc
    .array(fc.constantFrom(...events), { maxLength: events.length })
    .chain((again) => {
      const all = [...events, ...again].map((event) => structuredClone(event));
      return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
    });
}

const someone = fc.record({
  externalId: fc.option(fc.constantFrom("student-1", "student-2"), { nil: null }),
  metadata: fc.option(
    fc.constantFrom(vector("fresh signed link"), vector("subject edited after signing"), vector("signed 31 days ago with a 30-day limit"), "plain-7"),
    { nil: null },
  ),
  roleName: fc.constantFrom("visitor", "visitor", "host", "recorder"),
});

const step = fc.record({
  kind: fc.constantFrom("join", "join", "leave", "leave", "knock", "cancel", "started", "ended", "recording"),
  who: fc.integer({ min: 0, max: 5 }),
  // zero keeps several events in one millisecond, where only the tie order decides
  afterMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 * 60_000 })),
});

/** Random, often inconsistent, meetings: lost events, repeated joins, knocks at any time, sessions with or without ids. */
const meetings = fc
  .record({
    roomSessionId: fc.option(fc.constantFrom("s-random"), { nil: null }),
    people: fc.array(someone, { minLength: 6, maxLength: 6 }),
    steps: fc.array(step, { minLength: 1, maxLength: 40 }),
  })
  .map(({ roomSessionId, people, steps }) => {
    const log = new MeetingLog({ roomName: "/random-room", roomSessionId, day: "2026-03-02" });
    let at = Date.parse("2026-03-02T08:00:00.000Z");
    for (const { kind, who, afterMs } of steps) {
      at += afterMs;
      const time = new Date(at).toISOString();
      const participantId = `p-${who}`;
      const identity = people[who] ?? {};
      if (kind === "join") log.join(time, participantId, identity);
      else if (kind === "leave") log.leave(time, participantId, identity);
      else if (kind === "knock") log.knock(time, participantId, identity);
      else if (kind === "cancel") log.cancel(time, participantId);
      else if (kind === "started") log.started(time);
      else if (kind === "ended") log.ended(time);
      else log.artifact("recording.finished", time, { recordingId: `rec-${at}` }, false);
    }
    return log.events();
  });

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
