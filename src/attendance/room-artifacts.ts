/**
 * Recordings, transcriptions and assistant requests that Whereby sent without a roomSessionId still belong to a
 * session of their room: the latest one started before them, up to {@link ARTIFACT_GRACE_MS} after its last event.
 * Deriving a room's log gives them to the sessions cut from it (see session-events.ts); a session Whereby named is
 * derived from its own events alone, and a session cut from a room's log without those of the sessions Whereby named
 * there, so both are completed by the same rule as they are read.
 */
import { EVENT_TYPES } from "../whereby/events.js";
import { isArtifactType } from "./event-kinds.js";
import { sessionPartitionKey } from "./partition.js";
import type { Artifact, SessionDetail } from "./types.js";

/**
 * How long after a session's last event a recording, transcription or assistant request that names no session may still
 * be its own: they are processed after the meeting, sometimes well after.
 */
export const ARTIFACT_GRACE_MS = 2 * 3_600_000;

/** The event types that are artifacts (see event-kinds.ts): what a room's log is searched for. */
export const ARTIFACT_TYPES: readonly string[] = EVENT_TYPES.filter(isArtifactType);

/**
 * The last instant at which an artifact that names no session may be this session's: the grace after its last
 * event, and no end while it may still go on.
 *
 * @example
 * artifactsUntil(Date.parse("2026-03-02T13:00:00.000Z"), false); // 15:00 that day
 */
export function artifactsUntil(lastEventAt: number, ongoing: boolean): number {
  return ongoing ? Number.POSITIVE_INFINITY : lastEventAt + ARTIFACT_GRACE_MS;
}

/** What the rule needs of a session, all of it saved with the session. */
export interface ArtifactSession {
  startedAt: string;
  lastEventAt: string;
  ongoing: boolean;
}

/** What the rule needs of the session's room: the sessions saved beside this one. */
export interface ArtifactWindow {
  /** When the room's next session started, if one has: from then on, an artifact is that session's. */
  nextStartedAt: number | null;
  /** Whether the session was cut from its room's log, so that every artifact its derivation gave it names no session. */
  cutFromRoom: boolean;
}

/**
 * Where the session stands among its room's saved sessions (those started after it, at least).
 *
 * @example
 * artifactWindow({ id: "rs-1", startedAt: "…T09:01:00.000Z", partitionKey: "session:rs-1" }, laterSessions);
 */
export function artifactWindow(
  session: { id: string; startedAt: string; partitionKey: string },
  roomSessions: readonly { startedAt: string }[],
): ArtifactWindow {
  const start = Date.parse(session.startedAt);
  const later = roomSessions.map(({ startedAt }) => Date.parse(startedAt)).filter((at) => at > start);
  return {
    nextStartedAt: later.length === 0 ? null : Math.min(...later),
    cutFromRoom: session.partitionKey !== sessionPartitionKey(session.id),
  };
}

/**
 * Which of the room's artifacts that name no session are this session's, by when they were made: within [from, to],
 * `to` null for no end; null when none can be.
 *
 * @example
 * roomArtifactSpan(session, { nextStartedAt: null, cutFromRoom: false }); // { from: "…T09:01:00.000Z", to: "…T11:31:00.000Z" }
 */
export function roomArtifactSpan(session: ArtifactSession, window: ArtifactWindow): { from: string; to: string | null } | null {
  let end = artifactsUntil(Date.parse(session.lastEventAt), session.ongoing);
  if (window.nextStartedAt !== null) end = Math.min(end, window.nextStartedAt - 1);
  if (end < Date.parse(session.startedAt)) return null;
  return { from: session.startedAt, to: Number.isFinite(end) ? new Date(end).toISOString() : null };
}

/**
 * An artifact as the log stored it.
 *
 * @example
 * storedArtifact(row); // { eventId: "…", type: "recording.finished", createdAt: "…", data: { recordingId: "rec-1", … } }
 */
export function storedArtifact(row: { id: string; type: string; createdAt: string; body: Buffer }): Artifact {
  const body = JSON.parse(row.body.toString("utf8")) as { data?: Record<string, unknown> };
  return { eventId: row.id, type: row.type, createdAt: row.createdAt, data: body.data ?? {} };
}

/**
 * Artifacts as a session lists them: recordings apart, and an assistant request with the transcriptions, as both are
 * what was made of the meeting's words.
 */
export function splitArtifacts(artifacts: readonly Artifact[]): Pick<SessionDetail, "recordings" | "transcriptions"> {
  return {
    recordings: artifacts.filter(({ type }) => type === "recording.finished"),
    transcriptions: artifacts.filter(({ type }) => type !== "recording.finished"),
  };
}

/**
 * The session with those of its room's artifacts added that it does not hold already (`roomArtifacts`, found within
 * its {@link roomArtifactSpan}), and, when it was cut from its room's log, without those its derivation gave it that
 * the room's next session has taken.
 *
 * @example
 * withRoomArtifacts(saved, roomArtifacts.map(storedArtifact), window).recordings;
 */
export function withRoomArtifacts(
  session: SessionDetail,
  roomArtifacts: readonly Artifact[],
  window: ArtifactWindow,
): SessionDetail {
  const { nextStartedAt, cutFromRoom } = window;
  const stays = ({ createdAt }: Artifact) => !cutFromRoom || nextStartedAt === null || Date.parse(createdAt) < nextStartedAt;
  const recordings = session.recordings.filter(stays);
  const transcriptions = session.transcriptions.filter(stays);
  const known = new Set([...recordings, ...transcriptions].map(({ eventId }) => eventId));
  const fresh = roomArtifacts.filter(({ eventId }) => !known.has(eventId));
  const dropped = recordings.length + transcriptions.length < session.recordings.length + session.transcriptions.length;
  if (fresh.length === 0 && !dropped) return session;
  const added = splitArtifacts(fresh);
  return {
    ...session,
    recordings: [...recordings, ...added.recordings],
    transcriptions: [...transcriptions, ...added.transcriptions],
  };
}
