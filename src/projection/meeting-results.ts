/**
 * Keeps each scheduled meeting's roster result (SPEC §9) current: derived from its plan and the saved sessions that
 * carry its meetingId, brought to now, whenever one of those sessions is saved, the plan changes, or the clock alone
 * may have moved its status. The list reads what is kept here; a meeting's own page derives it afresh.
 */
import { detailAt } from "../attendance/running-figures.js";
import { deriveRoster, type MeetingResult, type MeetingRules } from "../attendance/roster.js";
import type { SessionDetail } from "../attendance/types.js";
import { withRules, type MeetingPlan } from "../schedule/meeting-input.js";
import type { Meetings } from "../store/event-store.js";

export interface DerivedMeeting {
  plan: MeetingPlan;
  result: MeetingResult;
}

/** A meeting as the API and `meetmeter report meeting` answer it: its own fields (rules filled in), then its result. */
export function meetingAnswer({ plan, result }: DerivedMeeting, rules: MeetingRules) {
  const { facts: _facts, ...figures } = result;
  return { ...withRules(plan, rules), ...figures };
}

export class MeetingResults {
  constructor(
    private readonly store: Meetings,
    /** The service's rules, for what a plan does not say itself. */
    private readonly rules: MeetingRules,
  ) {}

  /** The meeting's result as of `now`, from what is saved; null when no meeting is planned under this id. */
  async derive(meetingId: string, now: number): Promise<DerivedMeeting | null> {
    const [derived] = await this.deriveAll([meetingId], now);
    return derived ?? null;
  }

  /** The results of those of these meetings that are planned, as of `now`: their plans and sessions read together. */
  private async deriveAll(meetingIds: readonly string[], now: number): Promise<DerivedMeeting[]> {
    const planned = await this.store.getMeetings(meetingIds);
    const sessionsOf = await this.store.sessionsOfMeetings(planned.map(({ plan }) => plan.meetingId));
    return planned.map(({ plan }) => {
      const saved = sessionsOf.get(plan.meetingId) ?? [];
      const sessions = saved.map(({ detailJson }) => detailAt(JSON.parse(detailJson) as SessionDetail, now));
      return { plan, result: deriveRoster(withRules(plan, this.rules), sessions, now) };
    });
  }

  /** Derives and keeps the results of those of these meetings that are planned. */
  async refresh(meetingIds: Iterable<string | null>, now: number): Promise<void> {
    const asked = [...new Set([...meetingIds].filter((id): id is string => id !== null))];
    if (asked.length === 0) return;
    const derived = await this.deriveAll(asked, now);
    const results = derived.map(({ plan, result }) => ({ meetingId: plan.meetingId, result }));
    await this.store.saveMeetingResults(results, new Date(now).toISOString());
  }

  /** Derives and keeps every meeting's result, a page at a time: after the sessions were rebuilt. */
  async refreshAll(now: number): Promise<number> {
    const all = { from: null, to: null, roomName: null, status: null };
    let cursor: string | null = null;
    let count = 0;
    do {
      const page: Awaited<ReturnType<Meetings["listMeetings"]>> = await this.store.listMeetings(all, 500, cursor);
      await this.refresh(page.results.map(({ plan }) => plan.meetingId), now);
      count += page.results.length;
      cursor = page.cursor;
    } while (cursor !== null);
    return count;
  }

  /** Derives again the meetings whose status the clock alone may have changed. */
  async refreshLive(now: number): Promise<void> {
    await this.refresh(await this.store.liveMeetingIds(new Date(now).toISOString()), now);
  }
}
