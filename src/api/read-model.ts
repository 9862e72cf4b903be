/**
 * What the read routes and `meetmeter report` ask: the materialised sessions, made current. Reads wait until the
 * events acknowledged before them are derived, and then only read what was saved: ongoing sessions, the only figures
 * that move with the clock, are brought to now from their running figures (see running-figures.ts), and a session's
 * room artifacts are added by attendance's rule (see room-artifacts.ts), never by reading or deriving its events.
 */
import {
  artifactWindow,
  artifactsUntil,
  partitionKeyOfSession,
  roomArtifactSpan,
  sessionPartitionKey,
  storedArtifact,
  withRoomArtifacts,
  type ArtifactWindow,
} from "../attendance/index.js";
import { detailAt, runsAt, summaryAt } from "../attendance/running-figures.js";
import type { Artifact, SessionDetail, SessionSummary } from "../attendance/types.js";
import type {
  EventReads,
  Page,
  PersonSessionRow,
  SavedSummary,
  SessionFilter,
  SessionQueries,
  SessionScope,
  StoredEvent,
  StoredMeeting,
  StoredSession,
  Meetings,
} from "../store/event-store.js";
import type { MeetingStatus, RosterStatus } from "../attendance/roster.js";
import { summaryOf } from "../store/session-rows.js";
import { bucketUsage, type UsageInterval, type UsageReport } from "./usage.js";

/** A scheduled meeting that expected the person, and how they stood in it as last derived. */
export interface ExpectedMeeting {
  meetingId: string;
  title: string | null;
  scheduledStart: string;
  /** The meeting's status as last derived; null before it was. */
  meetingStatus: MeetingStatus | null;
  /** The person's status in it; null before the meeting was derived. */
  status: RosterStatus | null;
  attendancePercent: number | null;
}

export interface PersonHistory {
  key: string;
  displayName: string | null;
  sessions: Omit<PersonSessionRow, "displayName">[];
  /** The scheduled meetings that expected the person, latest first (at most {@link MEETINGS_OF_PERSON}). */
  meetings: ExpectedMeeting[];
  totals: {
    sessions: number;
    connectedSeconds: number;
    averageAttendancePercent: number | null;
    /** Of the meetings that expected the person and are over (held or a no-show), how many, and how many they came to. */
    meetingsExpected: number;
    meetingsAttended: number;
    /** meetingsAttended as a share of meetingsExpected, one decimal; null when none is over. */
    meetingAttendancePercent: number | null;
  };
}

/** Most meetings a person's history lists. */
export const MEETINGS_OF_PERSON = 500;

function expectedMeeting({ plan, result }: StoredMeeting, key: string): ExpectedMeeting {
  const entry = result?.roster.find((r) => r.key === key);
  return {
    meetingId: plan.meetingId,
    title: plan.title,
    scheduledStart: plan.scheduledStart,
    meetingStatus: result?.status ?? null,
    status: entry?.status ?? null,
    attendancePercent: entry?.attendancePercent ?? null,
  };
}

/** What keeps the derived rows current: reads wait for it to catch up, and have it derive what fell silent. */
export interface Projection {
  /** Resolves once every event acknowledged before this call is derived. */
  idle(): Promise<void>;
  /** Derives these partitions again soon. */
  markDirty(partitionKeys: Iterable<string | null>): unknown;
}

/** The session's room artifacts as its detail shows them: where they stop, and those its saved detail may lack. */
interface RoomArtifacts {
  window: ArtifactWindow;
  artifacts: Artifact[];
}

/** When the session's last event was made; only a row saved before that was kept lacks it (see ReadModel.outdated). */
function lastEventAtOf(summary: SavedSummary): string {
  return summary.lastEventAt ?? summary.endedAt ?? summary.startedAt;
}

export class ReadModel {
  constructor(
    private readonly store: SessionQueries & EventReads & Pick<Meetings, "meetingsOfPerson">,
    private readonly projection: Projection,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Resolves once every event acknowledged before this call is derived. */
  async current(): Promise<void> {
    await this.projection.idle();
  }

  /** Has the projection derive these partitions again, off this thread, and waits until it has. */
  private async settle(partitionKeys: readonly string[]): Promise<void> {
    await this.projection.markDirty(partitionKeys);
    await this.projection.idle();
  }

  /**
   * Summaries as saved, an ongoing one's brought to now from its running figures: a list never reads or derives a
   * session's detail or events, so one session's size does not slow it. A session saved ongoing that has since fallen
   * silent is over (see runsAt): its figures are no longer the saved ones run on, so it is derived again first. The
   * projection does that within 30 s anyway; a read that meets one first asks for it and waits. (A row saved before
   * running figures were kept shows its saved figures until its session is derived again: within 30 s.)
   */
  async listSessions(filter: SessionFilter, limit: number, cursor: string | null): Promise<Page<SessionSummary>> {
    await this.current();
    let page = await this.store.listSessions(filter, limit, cursor);
    let now = this.clock();
    const silent = page.results.filter(({ ongoing, running }) => ongoing && running && !runsAt(running, now));
    if (silent.length > 0) {
      await this.settle(silent.map(partitionKeyOfSession));
      page = await this.store.listSessions(filter, limit, cursor);
      now = this.clock();
    }
    const results = page.results.map(({ running, ...saved }) =>
      saved.ongoing && running ? summaryAt(summaryOf(saved), running, now) : summaryOf(saved),
    );
    return { results, cursor: page.cursor };
  }

  /**
   * Whether a saved session no longer serves a read as it is: saved ongoing and fallen silent since (see
   * listSessions), or saved before its row kept what a read needs (when its last event was made; for a session cut
   * from its room's log, which events are its own).
   */
  private outdated({ summary, partitionKey, eventIds }: StoredSession): boolean {
    const { ongoing, running } = summary;
    if (ongoing && running && !runsAt(running, this.clock())) return true;
    return summary.lastEventAt === undefined || (partitionKey !== sessionPartitionKey(summary.id) && eventIds === null);
  }

  /** A session as saved, derived again first when it is {@link outdated}. */
  private async storedSession(id: string): Promise<StoredSession | null> {
    const found = await this.store.getSession(id);
    if (!found || !this.outdated(found)) return found;
    await this.settle([found.partitionKey]);
    return this.store.getSession(id);
  }

  /**
   * A session as the API answers it, as JSON. An ended session with nothing to add is answered with the text it was
   * stored as: parsing its detail and writing it out again would cost every read most of its time and garbage.
   */
  async sessionJson(id: string): Promise<string | null> {
    await this.current();
    const found = await this.storedSession(id);
    if (!found) return null;
    const room = await this.roomArtifactsOf(found);
    const unchanged = room.artifacts.length === 0 && (!room.window.cutFromRoom || room.window.nextStartedAt === null);
    if (!found.summary.ongoing && unchanged) return found.detailJson;
    const saved = JSON.parse(found.detailJson) as SessionDetail;
    return JSON.stringify(withRoomArtifacts(detailAt(saved, this.clock()), room.artifacts, room.window));
  }

  async session(id: string): Promise<SessionDetail | null> {
    const json = await this.sessionJson(id);
    return json === null ? null : (JSON.parse(json) as SessionDetail);
  }

  /**
   * The recordings, transcriptions and assistant requests that Whereby sent without a roomSessionId and that are this
   * session's by attendance's rule (see room-artifacts.ts), read from its room's log and the sessions saved beside it.
   */
  private async roomArtifactsOf({ summary, partitionKey }: StoredSession): Promise<RoomArtifacts> {
    const session = { ...summary, partitionKey, lastEventAt: lastEventAtOf(summary) };
    if (summary.roomName === null) return { window: artifactWindow(session, []), artifacts: [] };
    // Only a session started before this one's artifacts stop can take them from it: a handful at most.
    const until = artifactsUntil(Date.parse(session.lastEventAt), session.ongoing);
    const later = await this.store.listSessions(
      {
        roomName: summary.roomName,
        from: new Date(Date.parse(summary.startedAt) + 1).toISOString(),
        ...(Number.isFinite(until) ? { to: new Date(until + 1).toISOString() } : {}),
      },
      500,
      null,
    );
    const window = artifactWindow(session, later.results);
    const span = roomArtifactSpan(session, window);
    if (span === null) return { window, artifacts: [] };
    const rows = await this.store.roomArtifacts(summary.roomName, span.from, span.to);
    return { window, artifacts: rows.map(storedArtifact) };
  }

  /**
   * The raw events, oldest first; a session's are those its detail is made of, recordings and transcripts too; with
   * `afterSeq`, only those after that place in the log.
   */
  async events(
    filter: { type?: string; roomName?: string; sessionId?: string; afterSeq?: number },
    limit: number,
    cursor: string | null,
  ): Promise<Page<StoredEvent>> {
    const { sessionId, ...rest } = filter;
    if (sessionId === undefined) return this.store.listEvents(rest, limit, cursor);
    await this.current();
    return this.store.listEvents({ ...rest, session: await this.scopeOf(sessionId) }, limit, cursor);
  }

  private async scopeOf(id: string): Promise<SessionScope> {
    const own = sessionPartitionKey(id);
    const found = await this.storedSession(id);
    // Events of a session not derived (yet, or ever: a lone knock) are still its own.
    if (!found) return { partitionKey: own, ids: [] };
    // The recordings and transcripts of its room that its detail shows (see sessionJson).
    const room = await this.roomArtifactsOf(found);
    if (!room.window.cutFromRoom) return { partitionKey: own, ids: room.artifacts.map(({ eventId }) => eventId) };
    // A session cut from its room's log shares its partition with the room's other sessions: its own events are those
    // saved with it, and its artifacts all those its detail shows.
    const detail = withRoomArtifacts(JSON.parse(found.detailJson) as SessionDetail, room.artifacts, room.window);
    const shown = [...detail.recordings, ...detail.transcriptions].map(({ eventId }) => eventId);
    return { partitionKey: null, ids: [...(found.eventIds ?? []), ...shown] };
  }

  /** A person's sessions and the meetings that expected them; null for a key that is in neither. */
  async person(key: string): Promise<PersonHistory | null> {
    await this.current();
    const rows = await this.store.sessionsOfPerson(key);
    const planned = await this.store.meetingsOfPerson(key, MEETINGS_OF_PERSON);
    const meetings = planned.map((m) => expectedMeeting(m, key));
    if (rows.length === 0 && meetings.length === 0) return null;
    const percents = rows.map((r) => r.attendancePercent).filter((p): p is number => p !== null);
    const over = meetings.filter((m) => m.meetingStatus === "held" || m.meetingStatus === "no_show");
    const attended = over.filter((m) => m.status !== null && m.status !== "absent").length;
    return {
      key,
      displayName: rows[0]?.displayName ?? planned[0]?.plan.expected.find((p) => p.key === key)?.displayName ?? null,
      sessions: rows.map(({ displayName: _name, ...row }) => row),
      meetings,
      totals: {
        meetingsExpected: over.length,
        meetingsAttended: attended,
        meetingAttendancePercent: over.length === 0 ? null : Math.round((attended * 1000) / over.length) / 10,
        sessions: rows.length,
        connectedSeconds: Math.round(rows.reduce((sum, r) => sum + r.connectedSeconds, 0) * 1000) / 1000,
        averageAttendancePercent:
          percents.length === 0 ? null : Math.round((percents.reduce((a, b) => a + b, 0) / percents.length) * 10) / 10,
      },
    };
  }

  /** People whose key or display name contains the text, most sessions first. */
  async findPeople(text: string, limit: number) {
    await this.current();
    return this.store.findPeople(text, limit);
  }

  async rooms(limit: number, cursor: string | null) {
    await this.current();
    return this.store.rooms(limit, cursor);
  }

  async usage(options: { from: string | null; to: string | null; interval: UsageInterval; tz: string }): Promise<UsageReport> {
    await this.current();
    return bucketUsage(await this.store.usage(options.from, options.to), options);
  }
}
