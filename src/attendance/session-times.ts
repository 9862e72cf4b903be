/**
 * When a session began and ended (SPEC §3). Whereby reports the end about a minute late, so the effective end is
 * read from the leaves: the last time fewer than two remained.
 */
import type { TimedEvent } from "./event-order.js";

/**
 * How long a session may go without an event of its own before it is taken as over. Whereby sends a room's events
 * only until an hour after the room's end, and ends a session about a minute after fewer than two remain: twelve
 * hours in which nobody joined or left is no meeting still going, but one whose end was lost. It is then over as
 * though Whereby had reported its end at its last event, and the same silence between two of its events cuts it
 * (see session-events.ts and room-sessions.ts).
 */
export const SILENCE_MS = 12 * 3_600_000;

export interface SessionTimes {
  /** The session's first event of any kind: where a leave whose join never came is opened. */
  firstAt: number;
  /** Its last event: {@link SILENCE_MS} after it, with no event since, the session is over. */
  lastAt: number;
  startedAt: number;
  reportedEndedAt: number | null;
  /** null while ongoing. */
  endedAt: number | null;
  ongoing: boolean;
  /** Over without a `room.session.ended`: silent for {@link SILENCE_MS}, followed by another session, or emptied alone. */
  endInferred: boolean;
  /** `endedAt`, or `now` while ongoing: where figures stop counting. */
  countedUntil: number;
}

/**
 * What the times are read from, gathered one event at a time in derivation order (joins, leaves, start and end as
 * `add`, recordings and transcriptions as `addArtifact`): a session's times follow from these whatever came before.
 */
export class TimesFold {
  private firstEventAt: number | undefined;
  private lastEventAt: number | undefined;
  private firstArtifactAt: number | undefined;
  private lastArtifactAt: number | undefined;
  private started: number | undefined;
  private firstJoin: number | undefined;
  private firstJoinOfTwo: number | undefined;
  private reportedEndedAt: number | null = null;
  private everTwo = false;
  /** The last reported count, and when. */
  private count: { at: number; numClients: number } | undefined;
  /** The count before the latest join or leave that reported one. */
  private before: number | undefined;
  /** The latest leave that took the room from two or more to fewer than two (see {@link TimesFold.add}). */
  private lastFall: number | null = null;
  /** The latest such leave up to the last `room.session.ended`. */
  private fallBeforeEnd: number | null = null;

  /**
   * A leave's `numClients` is the count after it, and a leave takes one client away: one left means two were there,
   * whatever the events before it say (its join may be lost). A leave to none fell from two only if the count before
   * it says so.
   */
  add({ at, event }: TimedEvent): void {
    this.firstEventAt ??= at;
    this.lastEventAt = at;
    if (event.type === "room.session.started") this.started ??= at;
    else if (event.type === "room.session.ended") {
      this.reportedEndedAt = at;
      // Within one millisecond every leave comes before the end (see event-order.ts): each fall so far is up to it.
      this.fallBeforeEnd = this.lastFall;
    } else if (event.type === "room.client.joined" || event.type === "room.client.left") {
      const { numClients } = event.data;
      if (event.type === "room.client.joined") {
        this.firstJoin ??= at;
        if ((numClients ?? 0) >= 2) this.firstJoinOfTwo ??= at;
      }
      if (numClients === undefined) return;
      this.count = { at, numClients };
      const left = event.type === "room.client.left";
      if (numClients >= 2 || (left && numClients === 1)) this.everTwo = true;
      if (left && (numClients === 1 || (numClients < 2 && (this.before ?? numClients + 1) >= 2))) this.lastFall = at;
      this.before = numClients;
    }
  }

  addArtifact({ at }: TimedEvent): void {
    this.firstArtifactAt ??= at;
    this.lastArtifactAt = at;
  }

  /** When the session's last event came (its last artifact's when it has no other); undefined before any. */
  get lastAt(): number | undefined {
    return this.lastEventAt ?? this.lastArtifactAt;
  }

  /**
   * - startedAt: see {@link startOfEvents}; else the first event.
   * - reportedEndedAt: the last `room.session.ended`, or null.
   * - endedAt: the last fall below two between startedAt and reportedEndedAt; reportedEndedAt if there is none; for a
   *   session closed without a report, the last fall after startedAt or else its last event.
   * - ongoing: no `room.session.ended` yet, except for a room that never held two (Whereby never starts, so never
   *   ends, such a session) and was last reported empty: it ended when the last one left; and except for a session
   *   silent for {@link SILENCE_MS} before `now`, which ended as though its end had been reported at its last event.
   *
   * @example
   * fold.timesAt(Date.now(), false).endedAt; // 1772445161873, the last leave before the late `ended`
   */
  timesAt(now: number, closedWithoutReport: boolean): SessionTimes {
    // A transcription under way before any join that arrived shows the session was: SPEC §3 counts every event of it.
    const firstAt = Math.min(this.firstEventAt ?? now, this.firstArtifactAt ?? now);
    const lastAt = this.lastAt ?? firstAt;
    const startedAt = this.started ?? this.firstJoinOfTwo ?? this.firstJoin ?? firstAt;
    const { reportedEndedAt, count } = this;
    const emptiedAlone = this.started === undefined && !this.everTwo && count?.numClients === 0 ? count.at : null;
    const silent = now - lastAt >= SILENCE_MS;
    const ongoing = reportedEndedAt === null && !closedWithoutReport && emptiedAlone === null && !silent;
    let endedAt: number | null = null;
    if (emptiedAlone !== null && reportedEndedAt === null) endedAt = emptiedAlone;
    else if (!ongoing) {
      // The last fall within [startedAt, reportedEndedAt ?? lastAt].
      const upToEnd = reportedEndedAt === null ? this.lastFall : this.fallBeforeEnd;
      const fall = upToEnd !== null && upToEnd >= startedAt ? upToEnd : null;
      endedAt = fall ?? reportedEndedAt ?? lastAt;
    }
    const endInferred = !ongoing && reportedEndedAt === null;
    return { firstAt, lastAt, startedAt, reportedEndedAt, endedAt, ongoing, endInferred, countedUntil: endedAt ?? now };
  }
}

/**
 * When the session started, as SPEC §3 reads it: its `room.session.started`; else the first join that made
 * `numClients` ≥ 2; else its first join. Undefined when it has none of these.
 */
export function startOfEvents(events: readonly TimedEvent[]): number | undefined {
  let firstJoin: number | undefined;
  let firstJoinOfTwo: number | undefined;
  for (const { at, event } of events) {
    if (event.type === "room.session.started") return at;
    if (event.type === "room.client.joined") {
      firstJoin ??= at;
      if ((event.data.numClients ?? 0) >= 2) firstJoinOfTwo ??= at;
    }
  }
  return firstJoinOfTwo ?? firstJoin;
}
