/**
 * The gap rule of the live stream's tail: an empty place below stored events holds the reader back until it has been
 * seen empty for the wait, so that a transaction that commits late is not stepped over; after that it is taken as
 * never to be filled. Each case is a list of reads: what the read found after the horizon, when, and how many of
 * those may be handed on.
 */
import { describe, expect, it } from "vitest";
import { SafeHorizon } from "../../../src/api/safe-horizon.js";

interface Read {
  /** The places a read after the horizon found, in order. */
  found: number[];
  at: number;
  /** How many of them, from the first, may be handed on. */
  passed: number;
  /** Where the horizon is afterwards. */
  value: number;
}

const WAIT = 3000;

const cases: Array<{ name: string; start: number; waitMs?: number; reads: Read[] }> = [
  {
    name: "places without gaps are handed on at once",
    start: 0,
    reads: [{ found: [1, 2, 3], at: 0, passed: 3, value: 3 }],
  },
  {
    name: "a late commit below the horizon's next place within the wait is handed on, in order, before what was held",
    start: 4,
    reads: [
      { found: [5, 7, 8], at: 0, passed: 1, value: 5 },
      { found: [7, 8], at: 1000, passed: 0, value: 5 },
      { found: [6, 7, 8], at: 2000, passed: 3, value: 8 },
    ],
  },
  {
    name: "a place empty for the whole wait is taken as never to be filled",
    start: 4,
    reads: [
      { found: [6, 7], at: 0, passed: 0, value: 4 },
      { found: [6, 7], at: WAIT - 1, passed: 0, value: 4 },
      { found: [6, 7, 8], at: WAIT, passed: 3, value: 8 },
    ],
  },
  {
    name: "the wait runs from when the place was first seen empty, not from each read",
    start: 0,
    reads: [
      { found: [2], at: 100, passed: 0, value: 0 },
      { found: [2, 3, 4], at: 2000, passed: 0, value: 0 },
      { found: [2, 3, 4], at: 100 + WAIT, passed: 3, value: 4 },
    ],
  },
  {
    name: "a gap partly filled keeps the time its first empty place was seen",
    start: 0,
    reads: [
      { found: [4], at: 0, passed: 0, value: 0 },
      { found: [2, 4], at: 1000, passed: 0, value: 0 },
      { found: [2, 4], at: WAIT, passed: 2, value: 4 },
    ],
  },
  {
    name: "a second gap first seen later waits its own time",
    start: 0,
    reads: [
      { found: [2], at: 0, passed: 0, value: 0 },
      { found: [2, 4], at: 2000, passed: 0, value: 0 },
      // Place 1 has waited long enough; place 3 was first seen empty at 2000.
      { found: [2, 4], at: WAIT + 10, passed: 1, value: 2 },
      { found: [4], at: 2000 + WAIT, passed: 1, value: 4 },
    ],
  },
  {
    name: "with no wait (SQLite, which commits in order) a gap is stepped over at once",
    start: 0,
    waitMs: 0,
    reads: [{ found: [2, 5, 9], at: 0, passed: 3, value: 9 }],
  },
  {
    name: "a read that found nothing changes nothing",
    start: 7,
    reads: [{ found: [], at: 0, passed: 0, value: 7 }],
  },
];

describe("SafeHorizon.advance", () => {
  it.each(cases)("$name", ({ start, waitMs, reads }) => {
    const horizon = new SafeHorizon(start, waitMs ?? WAIT);
    for (const read of reads) {
      expect(horizon.advance(read.found, read.at), `at ${read.at}`).toBe(read.passed);
      expect(horizon.value, `at ${read.at}`).toBe(read.value);
    }
  });

  it("says when the place holding it back will have waited long enough, and nothing when none does", () => {
    const horizon = new SafeHorizon(0, WAIT);
    expect(horizon.waitingUntil).toBeNull();
    horizon.advance([2, 3], 500);
    expect(horizon.waitingUntil).toBe(500 + WAIT);
    horizon.advance([1, 2, 3], 600);
    expect(horizon.waitingUntil).toBeNull();
  });
});

describe("SafeHorizon.start", () => {
  const starts: Array<{ name: string; newestFirst: number[]; asked: number; waitMs: number; value: number; newest: number }> = [
    { name: "an empty log", newestFirst: [], asked: 10, waitMs: WAIT, value: 0, newest: 0 },
    { name: "a log without gaps", newestFirst: [3, 2, 1], asked: 10, waitMs: WAIT, value: 3, newest: 3 },
    {
      name: "a gap among the newest places holds it just below",
      newestFirst: [9, 7, 6],
      asked: 3,
      waitMs: WAIT,
      value: 7,
      newest: 9,
    },
    {
      name: "the whole log read, its first place still empty",
      newestFirst: [3, 2],
      asked: 10,
      waitMs: WAIT,
      value: 0,
      newest: 3,
    },
    { name: "SQLite: at the newest place whatever the gaps", newestFirst: [9, 7, 2], asked: 10, waitMs: 0, value: 9, newest: 9 },
  ];

  it.each(starts)("$name", ({ newestFirst, asked, waitMs, value, newest }) => {
    const horizon = SafeHorizon.start(newestFirst, asked, 0, waitMs);
    expect(horizon.value).toBe(value);
    expect(horizon.newest).toBe(newest);
  });
});
