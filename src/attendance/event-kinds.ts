/**
 * What part each event type plays in a session. The table is exhaustive over the known types, so a type Whereby adds
 * later must be placed here before the project compiles.
 */
import type { KnownEvent, KnownEventType } from "../whereby/events.js";

type Kind = "client" | "knock" | "session" | "artifact";

const KIND_OF = {
  "room.client.joined": "client",
  "room.client.left": "client",
  "room.client.knocked": "knock",
  "room.client.knockCancelled": "knock",
  "room.session.started": "session",
  "room.session.ended": "session",
  "transcription.started": "artifact",
  "transcription.finished": "artifact",
  "transcription.failed": "artifact",
  "recording.finished": "artifact",
  "assistant.requested": "artifact",
} as const satisfies Record<KnownEventType, Kind>;

type TypesOfKind<K extends Kind> = { [T in KnownEventType]: (typeof KIND_OF)[T] extends K ? T : never }[KnownEventType];

/** A join or a leave: the events that carry `numClients`. */
export type ClientEvent = Extract<KnownEvent, { type: TypesOfKind<"client"> }>;
/** A knock or a withdrawn knock in the waiting room. */
export type KnockEvent = Extract<KnownEvent, { type: TypesOfKind<"knock"> }>;
/** Something made of a meeting: a recording, a transcription, an assistant request. */
export type ArtifactEvent = Extract<KnownEvent, { type: TypesOfKind<"artifact"> }>;
/** Any event that names a participant. */
export type ParticipantEvent = ClientEvent | KnockEvent;

/**
 * Artifacts follow a session rather than shape it: they never start one and never move its times.
 *
 * @example
 * isArtifact(recordingFinished); // true
 */
export function isArtifact(event: KnownEvent): event is ArtifactEvent {
  return isArtifactType(event.type);
}

/**
 * @example
 * EVENT_TYPES.filter(isArtifactType); // ["transcription.started", …, "assistant.requested"]
 */
export function isArtifactType(type: KnownEventType): type is ArtifactEvent["type"] {
  return KIND_OF[type] === "artifact";
}

/**
 * @example
 * if (isParticipantEvent(event)) event.data.participantId;
 */
export function isParticipantEvent(event: KnownEvent): event is ParticipantEvent {
  const kind = KIND_OF[event.type];
  return kind === "client" || kind === "knock";
}
