/**
 * Derived sessions as the rows the store keeps: one row a session (its summary and its whole detail as JSON) and one
 * a person. Built where sessions are derived, so that what crosses to the thread that saves them is flat rows of
 * strings and numbers, cheap to copy, rather than every session's object tree.
 */
import { runningFiguresOf } from "../attendance/running-figures.js";
import type { SessionDetail, SessionSummary } from "../attendance/types.js";
import type { DerivedPartition, PartitionVersion, SavedSummary } from "./event-store.js";
import type { SessionPeopleTable, SessionsTable } from "./schema.js";
import type { Selectable } from "kysely";

export type SessionRow = Selectable<SessionsTable>;
export type SessionPersonRow = Selectable<SessionPeopleTable>;

/** What replaces the derived rows of some partitions: every session and person of each, none when it has none left. */
export interface SessionRows {
  partitions: PartitionVersion[];
  sessions: SessionRow[];
  people: SessionPersonRow[];
}

/** The summary fields of SPEC §4, in their order. */
export function summaryOf(s: SessionSummary): SessionSummary {
  return {
    id: s.id,
    roomName: s.roomName,
    meetingId: s.meetingId,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    reportedEndedAt: s.reportedEndedAt,
    ongoing: s.ongoing,
    durationSeconds: s.durationSeconds,
    peakParticipants: s.peakParticipants,
    uniqueParticipants: s.uniqueParticipants,
    participantSeconds: s.participantSeconds,
    billableParticipantMinutes: s.billableParticipantMinutes,
  };
}

/** When an ended session's late events begin to have had their time (see SessionsTable.ends_at). */
function endsAt(s: SessionDetail): string {
  // All three are ISO 8601 UTC with milliseconds, so the latest sorts last as text.
  return [s.startedAt, s.endedAt, s.reportedEndedAt, s.lastEventAt].reduce<string>((a, b) => (b !== null && b > a ? b : a), s.startedAt);
}

export function toSessionRows(partitions: readonly DerivedPartition[]): SessionRows {
  const rows: SessionRows = { partitions: [], sessions: [], people: [] };
  for (const { partitionKey, throughSeq, events, sessions, eventIds } of partitions) {
    rows.partitions.push({ partitionKey, throughSeq, events });
    for (const s of sessions) {
      const ongoing = s.ongoing ? 1 : 0;
      const running = runningFiguresOf(s);
      const saved: SavedSummary = { ...summaryOf(s), lastEventAt: s.lastEventAt };
      const summary: SavedSummary = running === null ? saved : { ...saved, running };
      const ids = eventIds?.get(s.id);
      rows.sessions.push({
        id: s.id,
        partition_key: partitionKey,
        room_name: s.roomName,
        started_at: s.startedAt,
        ongoing,
        participant_seconds: s.participantSeconds,
        billable_minutes: s.billableParticipantMinutes,
        unique_participants: s.uniqueParticipants,
        summary: JSON.stringify(summary),
        detail: JSON.stringify(s),
        event_ids: ids === undefined ? null : JSON.stringify(ids),
        meeting_id: s.meetingId,
        ends_at: ongoing ? null : endsAt(s),
      });
      for (const person of s.participants) {
        rows.people.push({
          session_id: s.id,
          person_key: person.key,
          partition_key: partitionKey,
          room_name: s.roomName,
          started_at: s.startedAt,
          ongoing,
          display_name: person.displayName,
          connected_seconds: person.connectedSeconds,
          attendance_percent: person.attendancePercent,
        });
      }
    }
  }
  return rows;
}

/** The same rows as parts of at most `size` partitions each, every partition whole in one part. */
export function partsOf(rows: SessionRows, size: number): SessionRows[] {
  if (rows.partitions.length <= size) return [rows];
  const parts: SessionRows[] = [];
  const partOf = new Map<string, SessionRows>();
  rows.partitions.forEach((partition, i) => {
    if (i % size === 0) parts.push({ partitions: [], sessions: [], people: [] });
    const part = parts.at(-1)!;
    part.partitions.push(partition);
    partOf.set(partition.partitionKey, part);
  });
  for (const row of rows.sessions) partOf.get(row.partition_key)!.sessions.push(row);
  for (const row of rows.people) partOf.get(row.partition_key)!.people.push(row);
  return parts;
}
