/**
 * The attendance derivation (SPEC §3): from Whereby's events, in any order and with duplicates, to sessions with
 * their connections, persons, bots, timeline, knocks and participant minutes. Pure: no I/O, no clock, no store.
 *
 * @example
 * import { deriveSessions, partitionKeyOf } from "./attendance/index.js";
 * const sessions = deriveSessions(eventsOfPartition, { now: Date.now(), metadataSecrets: [] });
 */
export { deriveSessions, detailsOf, eventIdsBySession, foldSessions, type DeriveOptions } from "./derive-sessions.js";
export { SessionFold } from "./derive-session.js";
export {
  partitionKeyOf,
  partitionKeyOfSession,
  roomNameOf,
  roomPartitionKey,
  sessionIdOf,
  sessionPartitionKey,
} from "./partition.js";
export {
  ARTIFACT_GRACE_MS,
  ARTIFACT_TYPES,
  artifactWindow,
  artifactsUntil,
  roomArtifactSpan,
  storedArtifact,
  withRoomArtifacts,
  type ArtifactWindow,
} from "./room-artifacts.js";
export { compareTimed, derivationNote, readEvent, type DerivationNote, type TimedEvent } from "./event-order.js";
export type * from "./types.js";
