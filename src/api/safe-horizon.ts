/**
 * How far a reader that follows the event log may say it has read, so that it never steps over an event that is
 * still to come. Each event takes its place (`seq`) when it is inserted, but on PostgreSQL transactions commit in any
 * order: a place below stored events may still be empty because its transaction has not committed yet. It may also
 * stay empty for ever, which is common (a duplicate refused by `on conflict do nothing` or a rolled back batch still
 * used up its place). So an empty place holds the reader back until it has been seen empty for `waitMs`; after that
 * it is taken as never to be filled. On SQLite one writer commits in the order of the places, and `waitMs` is 0.
 *
 * Pure: no I/O and no clock; the caller says what it read and when.
 */

/** At `at`, a read showed stored events up to place `seq`: every empty place below it was empty then. */
interface Sighting {
  seq: number;
  at: number;
}

export class SafeHorizon {
  /** The highest place seen holding an event. */
  newest: number;
  private sightings: Sighting[] = [];

  /**
   * @param value every place up to here has been read, or taken as never to be filled
   * @param waitMs how long an empty place below stored events holds the reader back
   */
  constructor(
    public value: number,
    private readonly waitMs: number,
  ) {
    this.newest = value;
  }

  /**
   * Where to start following a log whose newest places are `newestFirst` (as many as were asked for, `asked`): just
   * below the first of them still empty, as a transaction may yet fill it. When the log holds fewer events than were
   * asked for, these are all of it, and the places before the first of them are looked at too.
   *
   * @example
   * SafeHorizon.start([9, 7, 6], 3, Date.now(), 3000).value; // 7: place 8 may still be filled
   */
  static start(newestFirst: readonly number[], asked: number, now: number, waitMs: number): SafeHorizon {
    const seqs = [...newestFirst].reverse();
    const whole = seqs.length < asked;
    const horizon = new SafeHorizon(whole || seqs.length === 0 ? 0 : seqs[0]! - 1, waitMs);
    horizon.advance(seqs, now);
    return horizon;
  }

  /**
   * Takes what a read after `value` found (its places, in order) at `now`, and answers how many of them, from the
   * first, may be handed on: those before the first empty place that has not yet been empty for `waitMs`. The value
   * moves to the last of them.
   *
   * @example
   * const horizon = new SafeHorizon(4, 3000);
   * horizon.advance([5, 7, 8], 0); // 1: place 6 is empty, and may still be filled
   * horizon.advance([6, 7, 8], 500); // 3: it was
   */
  advance(seqs: readonly number[], now: number): number {
    const last = seqs.at(-1);
    if (last === undefined) return 0;
    if (last > this.newest) {
      this.newest = last;
      this.sightings.push({ seq: last, at: now });
    }
    let expected = this.value + 1;
    let passed = 0;
    for (const seq of seqs) {
      if (seq > expected && now - this.emptySince(expected, now) < this.waitMs) break;
      passed += 1;
      expected = seq + 1;
    }
    if (passed > 0) this.value = seqs[passed - 1]!;
    this.sightings = this.sightings.filter((sighting) => sighting.seq > this.value);
    return passed;
  }

  /** When the empty place just above `value` will have been empty for long enough; null when none holds it back. */
  get waitingUntil(): number | null {
    if (this.newest <= this.value) return null;
    return this.emptySince(this.value + 1, Number.POSITIVE_INFINITY) + this.waitMs;
  }

  /** The first time a place was seen empty: when a read first showed an event above it. */
  private emptySince(seq: number, otherwise: number): number {
    return this.sightings.find((sighting) => sighting.seq > seq)?.at ?? otherwise;
  }
}
