/**
 * What the derivation produces from the event log (SPEC §3 and §4). Field names are the API's.
 * Times are ISO 8601 UTC strings with milliseconds; durations are seconds with up to three decimals.
 */

export interface Connection {
  participantId: string;
  joinedAt: string;
  /** null while the session is ongoing and this connection has not left. */
  leftAt: string | null;
  joinInferred: boolean;
  leftInferred: boolean;
  /**
   * Whereby sent no participantId (as in its own published examples): the join and leave were paired by the
   * participant's role and name within the session instead, and `participantId` is that stand-in (`inferred:…`).
   */
  participantIdInferred: boolean;
}

export interface Person {
  /** `external:<externalId>`, `metadata:<subject>` or `participant:<participantId>`. */
  key: string;
  displayName: string | null;
  roleName: string | null;
  externalId: string | null;
  /** The raw metadata value as Whereby passed it. */
  metadata: string | null;
  metadataSubject: string | null;
  /** true when signed and genuine, false when tampered or expired, null when unsigned or absent. */
  metadataVerified: boolean | null;
  metadataProblem: "tampered" | "expired" | null;
  firstJoinedAt: string | null;
  lastLeftAt: string | null;
  connectedSeconds: number;
  attendancePercent: number | null;
  waitedSeconds: number | null;
  connections: Connection[];
}

export interface TimelinePoint {
  at: string;
  numClients: number;
  numClientsByRoleName: Record<string, number>;
}

export interface Knock {
  participantId: string;
  displayName: string | null;
  knockedAt: string;
  /** When the knock ended: admitted (next join), cancelled, or null while still waiting. */
  outcome: "admitted" | "cancelled" | "waiting";
  resolvedAt: string | null;
}

export interface Artifact {
  eventId: string;
  type: string;
  createdAt: string;
  data: Record<string, unknown>;
}

export interface SessionSummary {
  id: string;
  roomName: string | null;
  meetingId: string | null;
  startedAt: string;
  endedAt: string | null;
  reportedEndedAt: string | null;
  ongoing: boolean;
  durationSeconds: number;
  peakParticipants: number;
  uniqueParticipants: number;
  participantSeconds: number;
  billableParticipantMinutes: number;
}

export interface SessionDetail extends SessionSummary {
  /**
   * The session is over without a `room.session.ended`: it fell silent for 12 hours, another session followed in its
   * room, or it never held two and emptied. `endedAt` was then read from its own events.
   */
  endInferred: boolean;
  /** When its last event was made: a session still ongoing is over once it has been silent for 12 hours since. */
  lastEventAt: string;
  participants: Person[];
  bots: Person[];
  timeline: TimelinePoint[];
  knocks: number;
  knocksCancelled: number;
  /** Each knock in time order (beyond the SPEC's counts: what the dashboard shades as waiting-room time). */
  knockList: Knock[];
  recordings: Artifact[];
  transcriptions: Artifact[];
}
