/**
 * What a scenario decides about one session before it is played: who connects when, who knocks, what else happens.
 * Times are unix milliseconds of simulated time. Playing the plan (play-session.ts) turns it into Whereby's events.
 */

import type { PlannedMeeting } from "./schedule.js";

/** A room as Whereby names it; several sessions may take place in one room, one after the other. */
export interface Room {
  roomName: string;
  meetingId: string;
  subdomain: string;
}

/** Who is behind a connection, as the app's room link and Whereby's role make them appear in events. */
export interface Identity {
  displayName: string;
  roleName: string;
  externalId: string | null;
  /** The `metadata` value of the room link: a signed subject, a plain subject, or none. */
  metadata: string | null;
  /** The subject inside `metadata`: what SPEC §5 keys a person by when there is no externalId. */
  metadataSubject: string | null;
  isDialIn: boolean;
}

/** One connection: one participantId, from join to leave. */
export interface PlannedConnection {
  who: Identity;
  joinAt: number;
  /** When the connection ended. For a crashed tab this is when Whereby lost it: no `room.client.left` is sent. */
  leaveAt: number;
  crashed: boolean;
  /** Set when the participant waited in the waiting room first and was let in at `joinAt`. */
  knockedAt?: number;
}

/** A knock that was withdrawn before anyone let the visitor in. */
export interface WithdrawnKnock {
  who: Identity;
  knockedAt: number;
  cancelledAt: number;
}

/** A recording, transcription or assistant event: at a time, or some milliseconds after Whereby reports the end. */
export interface PlannedExtra {
  type:
    | "assistant.requested"
    | "transcription.started"
    | "transcription.finished"
    | "transcription.failed"
    | "recording.finished";
  at: number | { afterEnd: number };
  fields: Record<string, unknown>;
}

/** The kinds of meeting the model knows; `chaos` is a way of delivering them, not a kind of its own. */
export type ModelledScenario = "classroom" | "telehealth" | "webinar";

/** Everything a scenario decided about one session, ready to be played. */
export interface SessionPlan {
  scenario: ModelledScenario;
  room: Room;
  connections: PlannedConnection[];
  withdrawnKnocks: WithdrawnKnock[];
  extras: PlannedExtra[];
  /** What the timetable planned for this session, when it was planned: lessons and appointments are. */
  meeting?: Omit<PlannedMeeting, "meetingId" | "roomName">;
}

