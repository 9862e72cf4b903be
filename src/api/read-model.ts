/**
 * What the read routes and `meetmeter report` ask: the materialised sessions, made current. Reads wait until the
 * events acknowledged before them are derived. Ongoing sessions, the only figures that move with the clock, are brought
 * to now at read time from what was saved (see running-figures.ts), never by reading or deriving their events.
 */
import { eventIdsOfSession, partitionKeyOfSession } from "../attendance/index.js";
import { detailAt, runsAt, summaryAt } from "../attendance/running-figures.js";
import type { Artifact, SessionDetail, SessionSummary } from "../attendance/types.js";
import { eventsFromLog } from "../projection/projector.js";
import type {
  EventReads,
  Page,
  PersonSessionRow,
  SessionFilter,
  SessionQueries,
  SessionScope,
  StoredEvent,
} from "../store/event-store.js";
import { summaryOf } from "../store/session-rows.js";
import { bucketUsage, type UsageInterval, type UsageReport } from "./usage.js";

/** How long after a session's end a recording or transcription without a roomSessionId is taken as its own. */
const ARTIFACT_GRACE_MS = 2 * 60 * 60 * 1000;

export interface PersonHistory {
  key: string;
  displayName: string | null;
  sessions: Omit<PersonSessionRow, "displayName">[];
  totals: { sessions: number; connectedSeconds: number; averageAttendancePercent: number | null };
}

/**
 * Where a session's room artifacts stop: a recording or transcription that names no session belongs to the latest
 * session of its room started before it, within {@link ARTIFACT_GRACE_MS} of that session's end.
 */
interface ArtifactWindow {
  /** When the room's next session started, if one has. */
  nextStartedAt: number | null;
  /** Whether the session was cut from its room's log, so that every artifact its derivation gave it names no session. */
  cutFromRoom: boolean;
}

/**
 * The session with the room's artifacts added that it does not hold already, and, when it was cut from its room's
 * log, without those its derivation gave it that the room's next session has taken.
 */
function withArtifacts(session: SessionDetail, rows: readonly StoredEvent[], window: ArtifactWindow): SessionDetail {
  const { nextStartedAt, cutFromRoom } = window;
  const stays = (artifact: Artifact) => !cutFromRoom || nextStartedAt === null || Date.parse(artifact.createdAt) < nextStartedAt;
  const kept = { recordings: session.recordings.filter(stays), transcriptions: session.transcriptions.filter(stays) };
  const known = new Set([...kept.recordings, ...kept.transcriptions].map((a) => a.eventId));
  const fresh = rows.filter((row) => !known.has(row.id));
  const dropped = kept.recordings.length + kept.transcriptions.length < session.recordings.length + session.transcriptions.length;
  if (fresh.length === 0 && !dropped) return session;
  const recordings = [...kept.recordings];
  const transcriptions = [...kept.transcriptions];
  for (const row of fresh) {
    const body = JSON.parse(row.body.toString("utf8")) as { data?: Record<string, unknown> };
    const artifact: Artifact = { eventId: row.id, type: row.type, createdAt: row.createdAt, data: body.data ?? {} };
    (row.type.startsWith("recording.") ? recordings : transcriptions).push(artifact);
  }
  return { ...session, recordings, transcriptions };
}

/** What keeps the derived rows current: reads wait for it to catch up, and have it derive what fell silent. */
export interface Projection {
  /** Resolves once every event acknowledged before this call is derived. */
  idle(): Promise<void>;
  /** Derives these partitions again soon. */
  markDirty(partitionKeys: Iterable<string | null>): unknown;
}

export class ReadModel {
  constructor(
    private readonly store: SessionQueries & EventReads,
    private readonly projection: Projection,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Resolves once every event acknowledged before this call is derived. */
  async current(): Promise<void> {
    await this.projection.idle();
  }

  /**
   * A session saved ongoing that has since fallen silent is over (see runsAt): its figures are no longer the saved ones
   * run on, so it is derived again, off this thread, before it is read. The projection does that within 30 s anyway; a
   * read that meets one first asks for it and waits. Answers whether any was.
   */
  private async settleSilent(sessions: readonly { id: string; roomName: string | null }[]): Promise<boolean> {
    if (sessions.length === 0) return false;
    await this.projection.markDirty(sessions.map(partitionKeyOfSession));
    await this.projection.idle();
    return true;
  }

  /**
   * Summaries as saved, an ongoing one's brought to now from its running figures: a list never reads or derives a
   * session's detail or events, so one session's size does not slow it. (A row saved before running figures were
   * kept shows its saved figures until its session is derived again: within 30 s.)
   */
  async listSessions(filter: SessionFilter, limit: number, cursor: string | null): Promise<Page<SessionSummary>> {
    await this.current();
    let page = await this.store.listSessions(filter, limit, cursor);
    let now = this.clock();
    const silent = page.results.filter(({ ongoing, running }) => ongoing && running && !runsAt(running, now));
    if (await this.settleSilent(silent)) {
      page = await this.store.listSessions(filter, limit, cursor);
      now = this.clock();
    }
    const results = page.results.map(({ running, ...saved }) =>
      saved.ongoing && running ? summaryAt(summaryOf(saved), running, now) : summaryOf(saved),
    );
    return { results, cursor: page.cursor };
  }

  /**
   * A session as the API answers it, as JSON. An ended session with nothing to add is answered with the text it was
   * stored as: parsing its detail and writing it out again would cost every read most of its time and garbage.
   */
  async sessionJson(id: string): Promise<string | null> {
    await this.current();
    let found = await this.store.getSession(id);
    if (!found) return null;
    const { ongoing, running } = found.summary;
    if (ongoing && running && !runsAt(running, this.clock()) && (await this.settleSilent([found.summary]))) {
      found = await this.store.getSession(id);
      if (!found) return null;
    }
    const window = await this.artifactWindowOf(found.summary, found.partitionKey);
    if (!found.summary.ongoing) {
      const artifacts = await this.roomArtifactsOf(found.summary, window);
      if (artifacts.length === 0 && (!window.cutFromRoom || window.nextStartedAt === null)) return found.detailJson;
      return JSON.stringify(withArtifacts(JSON.parse(found.detailJson) as SessionDetail, artifacts, window));
    }
    const detail = detailAt(JSON.parse(found.detailJson) as SessionDetail, this.clock());
    return JSON.stringify(withArtifacts(detail, await this.roomArtifactsOf(detail, window), window));
  }

  async session(id: string): Promise<SessionDetail | null> {
    const json = await this.sessionJson(id);
    return json === null ? null : (JSON.parse(json) as SessionDetail);
  }

  private graceEndOf(session: SessionSummary): number {
    return (session.endedAt === null ? this.clock() : Date.parse(session.endedAt)) + ARTIFACT_GRACE_MS;
  }

  private async artifactWindowOf(session: SessionSummary, partitionKey: string): Promise<ArtifactWindow> {
    const cutFromRoom = partitionKey !== `session:${session.id}`;
    if (session.roomName === null) return { nextStartedAt: null, cutFromRoom };
    // Only a session started within the grace can take this one's artifacts: a handful at most.
    const from = new Date(Date.parse(session.startedAt) + 1).toISOString();
    const to = new Date(this.graceEndOf(session) + 1).toISOString();
    const later = await this.store.listSessions({ roomName: session.roomName, from, to }, 500, null);
    const starts = later.results.filter((s) => s.id !== session.id).map((s) => Date.parse(s.startedAt));
    return { nextStartedAt: starts.length === 0 ? null : Math.min(...starts), cutFromRoom };
  }

  /**
   * Recordings and transcriptions that Whereby sent without a roomSessionId belong to the room's session then: from
   * its start to the grace after its end, and only until the room's next session started.
   */
  private async roomArtifactsOf(session: SessionSummary, window: ArtifactWindow): Promise<StoredEvent[]> {
    if (session.roomName === null) return [];
    let end = this.graceEndOf(session);
    if (window.nextStartedAt !== null) end = Math.min(end, window.nextStartedAt - 1);
    if (end < Date.parse(session.startedAt)) return [];
    return this.store.roomArtifacts(session.roomName, session.startedAt, new Date(end).toISOString());
  }

  /** The raw events, oldest first; a session's are those its detail is made of, recordings and transcripts too. */
  async events(
    filter: { type?: string; roomName?: string; sessionId?: string },
    limit: number,
    cursor: string | null,
  ): Promise<Page<StoredEvent>> {
    const { sessionId, ...rest } = filter;
    if (sessionId === undefined) return this.store.listEvents(rest, limit, cursor);
    await this.current();
    return this.store.listEvents({ ...rest, session: await this.scopeOf(sessionId) }, limit, cursor);
  }

  private async scopeOf(id: string): Promise<SessionScope> {
    const own = `session:${id}`;
    const found = await this.store.getSession(id);
    // Events of a session not derived (yet, or ever: a lone knock) are still its own.
    if (!found) return { partitionKey: own, ids: [] };
    // The recordings and transcripts of its room that its detail shows (see sessionJson).
    const window = await this.artifactWindowOf(found.summary, found.partitionKey);
    const artifacts = (await this.roomArtifactsOf(found.summary, window)).map((row) => row.id);
    if (found.partitionKey === own) return { partitionKey: own, ids: artifacts };
    // A session cut from its room's log shares its partition with the room's other sessions: which events are its
    // own, the derivation says.
    const rows = await this.store.bodiesOfPartitions([found.partitionKey]);
    const { events, receivedAt } = eventsFromLog(rows);
    const ids = eventIdsOfSession(events, id, { now: this.clock(), receivedAt }, window.nextStartedAt ?? Infinity);
    return { partitionKey: null, ids: [...ids, ...artifacts] };
  }

  async person(key: string): Promise<PersonHistory | null> {
    await this.current();
    const rows = await this.store.sessionsOfPerson(key);
    if (rows.length === 0) return null;
    const percents = rows.map((r) => r.attendancePercent).filter((p): p is number => p !== null);
    return {
      key,
      displayName: rows[0]?.displayName ?? null,
      sessions: rows.map(({ displayName: _name, ...row }) => row),
      totals: {
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
