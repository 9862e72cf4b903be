/**
 * Finds what is final and writes its deliveries to the outbox (SPEC §10): a session once it has ended and its late
 * events have had `finalAfterSeconds` to arrive (`session.ended`), and a meeting's attendance once it is held or a
 * no-show, past its scheduled end by as long, with every session of it final (`meeting.attendance`; again as
 * `meeting.attendance.updated` when its result changes later). What is due is found through what the store keeps as
 * it saves sessions and results (SessionFinalsTable, MeetingsTable.announce_pending), never by reading every session.
 * Each is recorded as announced in the transaction that writes its deliveries (Outbox.announce), so several processes
 * announcing at once announce each thing once.
 */
import { createHash } from "node:crypto";
import type { MeetingRules } from "../attendance/roster.js";
import type { SessionDetail } from "../attendance/types.js";
import { meetingAnswer } from "../projection/meeting-results.js";
import type { Announcement, Endpoint, Meetings, NewDelivery, Outbox, SessionQueries } from "../store/event-store.js";
import { accepts } from "./endpoint-rules.js";
import { fingerprintOf, payloadText, sessionEndedData, type PayloadType } from "./payloads.js";

/** Sessions or meetings looked at per read. */
const PAGE = 500;

/**
 * A session that ended longer ago than this when it is saved (history imported, or a store rebuilt) is recorded as
 * announced without being sent: endpoints hear of what happens, not of the past.
 */
const HISTORY_MS = 7 * 86_400_000;

export interface AnnouncerSettings {
  finalAfterSeconds: number;
  /** The service's meeting rules, for what a plan does not say itself. */
  rules: MeetingRules;
}

/**
 * A delivery's id, its `webhook-id`: the same on every try, and the same if the announcement is ever made again (its
 * transaction taken back by a power cut after the delivery went out), so that a receiver can drop the repeat.
 */
function deliveryId(endpointId: string, type: PayloadType, subjectId: string, fingerprint: string): string {
  const hash = createHash("sha256").update([endpointId, type, subjectId, fingerprint].join("\n")).digest("hex");
  return `msg_${hash.slice(0, 32)}`;
}

export class Announcer {
  constructor(
    private readonly store: Outbox & Pick<SessionQueries, "getSession"> & Pick<Meetings, "getMeetings">,
    private readonly settings: AnnouncerSettings,
  ) {}

  /** Announces what is final by `now`; answers how many deliveries were written. */
  async run(now: number): Promise<number> {
    const createdAt = new Date(now).toISOString();
    // An endpoint takes what becomes final after it was registered.
    const endpoints = (await this.store.listEndpoints()).filter((e) => e.createdAt <= createdAt);
    return (await this.announceSessions(endpoints, now)) + (await this.announceMeetings(endpoints, now));
  }

  private deliveries(
    endpoints: readonly Endpoint[],
    type: PayloadType,
    subject: { id: string; roomName: string | null; fingerprint: string },
    data: unknown,
    createdAt: string,
  ): NewDelivery[] {
    const payload = payloadText(type, createdAt, data);
    const { id: subjectId, roomName, fingerprint } = subject;
    return endpoints
      .filter((endpoint) => accepts(endpoint, type, roomName))
      .map((endpoint) => ({ id: deliveryId(endpoint.id, type, subjectId, fingerprint), endpointId: endpoint.id, type, subjectId, roomName, payload, createdAt }));
  }

  private async announceSessions(endpoints: readonly Endpoint[], now: number): Promise<number> {
    const createdAt = new Date(now).toISOString();
    const endedBy = new Date(now - this.settings.finalAfterSeconds * 1000).toISOString();
    const history = new Date(now - HISTORY_MS).toISOString();
    let written = 0;
    for (;;) {
      const due = await this.store.dueSessions(endedBy, PAGE);
      const announcements: Announcement[] = [];
      for (const { sessionId, endsAt } of due) {
        const stored = endsAt < history ? null : await this.store.getSession(sessionId);
        // Ongoing again: a later save made it so, and it is due only once it ends again.
        if (stored?.summary.ongoing) continue;
        const { roomName } = stored?.summary ?? { roomName: null };
        const takers = stored ? endpoints.filter((endpoint) => accepts(endpoint, "session.ended", roomName)) : [];
        const first =
          stored && takers.length > 0
            ? this.deliveries(
                takers,
                "session.ended",
                { id: sessionId, roomName, fingerprint: "" },
                sessionEndedData(JSON.parse(stored.detailJson) as SessionDetail),
                createdAt,
              )
            : [];
        announcements.push({ kind: "session", subjectId: sessionId, fingerprint: "", version: null, first, changed: [] });
      }
      written += await this.store.announce(announcements);
      if (due.length < PAGE || announcements.length === 0) return written;
    }
  }

  private async announceMeetings(endpoints: readonly Endpoint[], now: number): Promise<number> {
    const createdAt = new Date(now).toISOString();
    const endedBy = new Date(now - this.settings.finalAfterSeconds * 1000).toISOString();
    let written = 0;
    for (;;) {
      const found = await this.store.meetingsToAnnounce(endedBy, PAGE);
      const seen = new Map(found.map(({ meetingId, derivedAt }) => [meetingId, derivedAt]));
      const meetings = await this.store.getMeetings([...seen.keys()]);
      const announcements: Announcement[] = meetings.flatMap(({ plan, result }) => {
        if (result === null) return [];
        const data = meetingAnswer({ plan, result }, this.settings.rules);
        const { meetingId, roomName } = plan;
        const fingerprint = fingerprintOf(data);
        const version = seen.get(meetingId)!;
        // Its result as derived then: a result that changes back and forth is announced each time.
        const subject = { id: meetingId, roomName, fingerprint: `${fingerprint}\n${version}` };
        return [
          {
            kind: "meeting" as const,
            subjectId: meetingId,
            fingerprint,
            version,
            first: this.deliveries(endpoints, "meeting.attendance", subject, data, createdAt),
            changed: this.deliveries(endpoints, "meeting.attendance.updated", subject, data, createdAt),
          },
        ];
      });
      written += await this.store.announce(announcements);
      if (found.length < PAGE || announcements.length === 0) return written;
    }
  }
}
