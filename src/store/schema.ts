/** The tables, as Kysely sees them. Times are ISO 8601 UTC text so that both databases sort them alike. */
import type { ColumnType, Generated } from "kysely";

export interface EventsTable {
  seq: Generated<number>;
  id: string;
  type: string;
  created_at: string;
  received_at: string;
  channel: string | null;
  room_name: string | null;
  room_session_id: string | null;
  partition_key: string | null;
  body: Buffer;
}

export interface QuarantineTable {
  seq: Generated<number>;
  received_at: string;
  channel: string | null;
  reason: string;
  message: string;
  body: Buffer;
}

/** One row per derived session; `detail` is the whole SessionDetail as JSON, so a read is one indexed lookup. */
export interface SessionsTable {
  id: string;
  partition_key: string;
  room_name: string | null;
  started_at: string;
  ongoing: ColumnType<number, number, number>;
  participant_seconds: number;
  billable_minutes: number;
  unique_participants: number;
  summary: string;
  detail: string;
  /**
   * For a session cut from its room's log, the ids of the events it is derived from (its artifacts aside), as a JSON
   * array: what its event list reads. Null for a session Whereby named, whose events are its partition's.
   */
  event_ids: string | null;
  /** Whereby's meetingId: what joins the session to a scheduled meeting (SPEC §9). */
  meeting_id: string | null;
  /**
   * When an ended session's late events begin to have had their time: the latest of its end, its reported end and its
   * last event. Null while it is ongoing (and for rows saved before it was kept).
   */
  ends_at: string | null;
}

/** Who attended which session: what /api/people reads and what counts unique participants per room. */
export interface SessionPeopleTable {
  session_id: string;
  person_key: string;
  partition_key: string;
  room_name: string | null;
  started_at: string;
  ongoing: number;
  display_name: string | null;
  connected_seconds: number;
  attendance_percent: number | null;
}

/** Which derivation each partition's saved sessions come from (see PartitionVersion). */
export interface DerivedPartitionsTable {
  partition_key: string;
  through_seq: number;
  events: number;
}

/**
 * One scheduled meeting (SPEC §9): its plan as sent (`plan`: the expected people and its own rules, as JSON), and its
 * roster result as last derived (`result`, JSON; its `status` and `counts` apart, for the list), null until derived.
 */
export interface MeetingsTable {
  meeting_id: string;
  title: string | null;
  room_name: string | null;
  scheduled_start: string;
  scheduled_end: string;
  plan: string;
  status: string | null;
  result: string | null;
  /** The result as the list shows it (RosterSummary), JSON. */
  summary: string | null;
  derived_at: string | null;
  /** 1 once a result is saved that the endpoints have not been told of; 0 once they have (SPEC §10). */
  announce_pending: ColumnType<number, number | undefined, number>;
}

/** One expected person of one scheduled meeting. */
export interface MeetingPeopleTable {
  person_key: string;
  meeting_id: string;
}

/** An endpoint deliveries go to (SPEC §10). `types`: a JSON array of payload types, null for all of them. */
export interface EndpointsTable {
  id: string;
  url: string;
  /** `whsec_<base64>`: what signs its deliveries; no read of the endpoint list returns it. */
  secret: string;
  types: string | null;
  room_name_prefix: string | null;
  created_at: string;
}

/** A meeting's attendance as last announced to the endpoints: `fingerprint` is a hash of what was sent. */
export interface AnnouncedTable {
  kind: string;
  subject_id: string;
  fingerprint: string;
}

/**
 * Every session saved ended, written in the transaction that saves it: when its late events have had their time
 * from (`ends_at`, null while it is ongoing again), and whether the endpoints were told it ended (`announced`).
 */
export interface SessionFinalsTable {
  session_id: string;
  ends_at: string | null;
  announced: number;
}

/**
 * The outbox: one row per payload and endpoint, written in the transaction that announces what caused it. `attempts`
 * is a JSON array of every try; a pending delivery is due at `next_attempt_at`, and held by a sender until
 * `locked_until`.
 */
export interface DeliveriesTable {
  seq: Generated<number>;
  id: string;
  endpoint_id: string;
  type: string;
  subject_id: string;
  room_name: string | null;
  payload: string;
  created_at: string;
  status: string;
  attempts: string;
  attempt_count: number;
  /** The try the retry schedule counts from: 0, or how many tries there were when it was last sent again by hand. */
  schedule_from: number;
  next_attempt_at: string | null;
  locked_until: string | null;
}

export interface Database {
  events: EventsTable;
  quarantine: QuarantineTable;
  sessions: SessionsTable;
  session_people: SessionPeopleTable;
  derived_partitions: DerivedPartitionsTable;
  meetings: MeetingsTable;
  meeting_people: MeetingPeopleTable;
  endpoints: EndpointsTable;
  announced: AnnouncedTable;
  session_finals: SessionFinalsTable;
  deliveries: DeliveriesTable;
}
