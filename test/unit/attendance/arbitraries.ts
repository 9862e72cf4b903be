/** Random Whereby traffic for property tests: meetings however inconsistent, and their events as delivered. */
import fc from "fast-check";
import type { WherebyEvent } from "../../../src/whereby/events.js";
import { vector } from "./helpers.js";
import { MeetingLog } from "./meeting-log.js";

/** The same events as a store would hand them back after retries: shuffled, some several times, each a fresh copy. */
export function deliveries(events: readonly WherebyEvent[]): fc.Arbitrary<WherebyEvent[]> {
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
  // zero keeps several events in one millisecond, where only the tie order decides; now and then a silence of 13
  // hours cuts the session (SILENCE_MS)
  afterMs: fc.oneof(
    { weight: 10, arbitrary: fc.constant(0) },
    { weight: 10, arbitrary: fc.integer({ min: 1, max: 20 * 60_000 }) },
    { weight: 1, arbitrary: fc.constant(13 * 3_600_000) },
  ),
});

/** Random, often inconsistent, meetings: lost events, repeated joins, knocks at any time, sessions with or without ids. */
export const meetings = fc
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

