/**
 * What meetmeter pushes (SPEC §10): `{"type", "timestamp", "data"}`, for a session once it is final
 * (`session.ended`) and a meeting's attendance once its last session is (`meeting.attendance`, then
 * `meeting.attendance.updated` if a late event changes it).
 */
import { createHash } from "node:crypto";
import type { SessionDetail } from "../attendance/types.js";

export const PAYLOAD_TYPES = ["session.ended", "meeting.attendance", "meeting.attendance.updated"] as const;
export type PayloadType = (typeof PAYLOAD_TYPES)[number];

/** The payload as sent, byte for byte the same on every try. */
export function payloadText(type: PayloadType, timestamp: string, data: unknown): string {
  return JSON.stringify({ type, timestamp, data });
}

/** A session's summary as the read API gives it, and its participants. */
export function sessionEndedData(detail: SessionDetail) {
  return {
    id: detail.id,
    roomName: detail.roomName,
    meetingId: detail.meetingId,
    startedAt: detail.startedAt,
    endedAt: detail.endedAt,
    reportedEndedAt: detail.reportedEndedAt,
    ongoing: detail.ongoing,
    durationSeconds: detail.durationSeconds,
    peakParticipants: detail.peakParticipants,
    uniqueParticipants: detail.uniqueParticipants,
    participantSeconds: detail.participantSeconds,
    billableParticipantMinutes: detail.billableParticipantMinutes,
    participants: detail.participants,
  };
}

/** What tells two announcements of the same thing apart: a hash of what they carry. */
export function fingerprintOf(data: unknown): string {
  return createHash("sha256").update(JSON.stringify(data)).digest("base64url");
}
