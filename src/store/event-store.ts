/**
 * What both stores implement, role by role: the durable event log, the quarantine, and the materialised sessions
 * derived from the log. Everything above the store speaks only to these.
 */
import type { MeetingResult, MeetingStatus, RosterSummary } from "../attendance/roster.js";
import type { MeetingPlan } from "../schedule/meeting-input.js";
import type { RunningFigures } from "../attendance/running-figures.js";
import type { SessionDetail, SessionSummary } from "../attendance/types.js";
import type { SessionRows } from "./session-rows.js";

/** An event about to be appended, with what the store indexes it by. */
export interface IncomingEvent {
  id: string;
  type: string;
  /** createdAt normalised to ISO 8601 UTC with milliseconds, so that it sorts as text. */
  createdAt: string;
  receivedAt: string;
  channel: string | null;
  roomName: string | null;
  roomSessionId: string | null;
  /** The derivation unit the event belongs to (see partitionKeyOf), or null. */
  partitionKey: string | null;
  /** The request body, byte for byte. */
  body: Buffer;
}

/**
 * What appending made of one event: `true` newly stored, `false` already in the log, or refused: the store can never
 * keep this event's fields as they are (a value too large for its index, say), while the rest of its batch was stored.
 * A refusal is never an outage: that fails the whole append.
 */
export type AppendOutcome = boolean | { refused: string };

export interface StoredEvent extends IncomingEvent {
  /** Order of arrival, across the whole log. */
  seq: number;
}

/** An event's body as text, the partition it belongs to, its place in the log, and when it was received. */
export interface PartitionBody {
  partitionKey: string;
  body: string;
  seq: number;
  /** What bounds the event's createdAt in the derivation. */
  receivedAt: string;
}

/** A validly signed body that is not a usable event: kept, never silently dropped. */
export interface QuarantinedDelivery {
  receivedAt: string;
  channel: string | null;
  reason: string;
  message: string;
  body: Buffer;
}

export interface Page<T> {
  results: T[];
  cursor: string | null;
}

export interface SessionFilter {
  roomName?: string;
  from?: string;
  to?: string;
  ongoing?: boolean;
}

export interface EventFilter {
  type?: string;
  roomName?: string;
  /** Only events after this place in the log (their `seq`): what a reader that has the rest asks for. */
  afterSeq?: number;
  /** The events of one session. */
  session?: SessionScope;
}

/**
 * Which events are a session's: those of its partition, and those named here besides (the recordings and
 * transcriptions of its room that it shows; or, for a session cut from its room's log, its own events).
 */
export interface SessionScope {
  partitionKey: string | null;
  ids: readonly string[];
}

export interface PersonSessionRow {
  sessionId: string;
  roomName: string | null;
  startedAt: string;
  ongoing: boolean;
  displayName: string | null;
  connectedSeconds: number;
  attendancePercent: number | null;
}

export interface PersonMatch {
  key: string;
  displayName: string | null;
  sessions: number;
  lastSessionStartedAt: string;
}

export interface RoomRow {
  roomName: string;
  totalSessions: number;
  firstSessionStartedAt: string;
  lastSessionStartedAt: string;
  participantSeconds: number;
  billableParticipantMinutes: number;
  uniqueParticipants: number;
}

export interface UsageRow {
  startedAt: string;
  participantSeconds: number;
  billableParticipantMinutes: number;
}

/**
 * Which of a partition's events its sessions were derived from: the newest in the log, and how many. Of two
 * derivations of one partition, the one that saw more is the later; each process sees every event committed before it
 * reads, so of two reads that see the same newest event the later one sees at least as many.
 */
export interface PartitionVersion {
  partitionKey: string;
  /** The `seq` of the newest event read; 0 when there was none. */
  throughSeq: number;
  events: number;
}

/** The sessions derived from one partition's events. */
export interface DerivedPartition extends PartitionVersion {
  sessions: readonly SessionDetail[];
  /** For the sessions cut from a room's log, the ids of the events each is derived from (see StoredSession). */
  eventIds?: ReadonlyMap<string, readonly string[]>;
}

/**
 * A session's summary as saved: an ongoing one's with what brings it to any later instant (see summaryAt), so that a
 * list never reads a session's detail or events. Missing from rows saved before it was kept.
 */
export interface SavedSummary extends SessionSummary {
  running?: RunningFigures;
  /** When its last event was made: what its room's artifacts are measured from. Missing from rows saved before it was kept. */
  lastEventAt?: string;
}

/** A stored session: its summary, and its detail as the JSON text it was saved as. */
export interface StoredSession {
  partitionKey: string;
  summary: SavedSummary;
  detailJson: string;
  /**
   * For a session cut from its room's log, the ids of the events it is derived from, its artifacts aside; null for a
   * session Whereby named (its events are its partition's), and for one saved before they were kept.
   */
  eventIds: readonly string[] | null;
}

/** Thrown when the sessions of some partitions can never be kept as derived; the others saved with them were saved. */
export class SessionsRefusedError extends Error {
  constructor(readonly partitionKeys: string[], reasons: string[]) {
    super(`the store cannot keep the sessions of ${partitionKeys.map((key, i) => `${key} (${reasons[i]})`).join(", ")}`);
  }
}

export interface StoredRelay {
  /** Tells the other processes that events were stored here; nothing waits for it, and it cannot fail. */
  announce(): void;
  close(): Promise<void>;
}

/** Thrown for a cursor that this store did not hand out: the API answers 400. */
export class InvalidCursorError extends Error {
  constructor() {
    super("cursor is not one this server handed out");
  }
}

/** The store itself: its schema, whether it answers, and how its processes tell each other what they stored. */
export interface StoreAdmin {
  readonly kind: "sqlite" | "postgres";
  /** Brings the schema up to date. */
  migrate(): Promise<void>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  /** What the database is set up to do that this service will suffer from: each a sentence for the operator. */
  setupWarnings(): Promise<string[]>;
  /**
   * How the processes sharing this database tell each other that they stored events, so that each process's live
   * stream reads them at once rather than at its next look: `onStored` hears the others' announcements. Only
   * PostgreSQL is shared so; elsewhere the relay does nothing.
   */
  relayStored(onStored: () => void): Promise<StoredRelay>;
  close(): Promise<void>;
}

/** Appending to the event log: what ingest, import and the spool's drain do. */
export interface EventAppends {
  /**
   * Appends a batch in one transaction, first write wins. Resolves, once committed, with one outcome per event:
   * true when newly stored, false when that id was already in the log (or earlier in the same batch), or refused.
   */
  append(events: readonly IncomingEvent[]): Promise<AppendOutcome[]>;
}

/** Reading the event log: for deriving, rebuild and export, and the event list of the API. */
export interface EventReads {
  /** The body of every event of these partitions, in arrival order: all that deriving their sessions reads. */
  bodiesOfPartitions(partitionKeys: readonly string[]): Promise<PartitionBody[]>;
  /**
   * What these partitions gained after the given place in the log (by partition key, the `seq` last read): the new
   * bodies in arrival order, and how many events each partition holds up to the newest place read (its own given
   * place when nothing new came). A count greater than what was read before, plus what came new, means an event
   * committed late below that place (two transactions commit in either order): the partition must be read whole.
   */
  partitionsAfter(after: ReadonlyMap<string, number>): Promise<{ rows: PartitionBody[]; counts: Map<string, number> }>;
  /** Events in arrival order after `afterSeq`: for rebuild, export and the live stream. */
  scanEvents(afterSeq: number, limit: number): Promise<StoredEvent[]>;
  /**
   * The places (`seq`) of the newest `count` events, newest first: where the live stream starts to follow the log,
   * and which places just below its end are still empty (a transaction not yet committed may fill them).
   */
  newestSeqs(count: number): Promise<number[]>;
  countEvents(): Promise<number>;
  /**
   * Brings the query planner's statistics of the log up to date: before a rebuild, which reads every partition. A log
   * filled faster than PostgreSQL's autovacuum samples it (an import, a restore) has none yet, and PostgreSQL then
   * reads each round's partitions by scanning the whole table.
   */
  refreshStatistics(): Promise<void>;
  /** Every partition that has events: what a rebuild derives. */
  partitionKeys(): Promise<string[]>;
  /** The partitions of the newest `count` events: what a restarted service derives again. */
  recentPartitionKeys(count: number): Promise<string[]>;
  listEvents(filter: EventFilter, limit: number, cursor: string | null): Promise<Page<StoredEvent>>;
  /**
   * Artifacts (recordings, transcriptions, assistant requests) of a room that carry no roomSessionId, created within
   * [from, to], `to` null for no end.
   */
  roomArtifacts(roomName: string, from: string, to: string | null): Promise<StoredEvent[]>;
}

/** Forgetting the oldest events: only the spool does it, once they reached the primary store. */
export interface EventTrim {
  /** Removes events up to and including `seq`. */
  deleteEventsThrough(seq: number): Promise<void>;
}

/** Validly signed bodies that are not usable events. */
export interface QuarantineLog {
  quarantine(deliveries: readonly QuarantinedDelivery[]): Promise<void>;
  listQuarantine(limit: number, cursor: string | null): Promise<Page<QuarantinedDelivery & { seq: number }>>;
}

/** Saving what is derived from the log. */
export interface SessionWrites {
  /**
   * Replaces every session derived from each of these partitions, all in one transaction; a partition already saved
   * from a later derivation (by another process sharing the database) is left as it is. Partitions whose rows the
   * store can never keep fail alone, with a SessionsRefusedError once the others are saved.
   */
  replaceSessions(rows: SessionRows): Promise<void>;
  /** Removes every derived row: the first step of a rebuild. */
  clearSessions(): Promise<void>;
}

/** Reading what is derived: sessions, and the people, rooms and usage added up from them. */
export interface SessionQueries {
  listSessions(filter: SessionFilter, limit: number, cursor: string | null): Promise<Page<SavedSummary>>;
  /** A session as stored: its summary, and its detail as the JSON text it was saved as, unparsed. */
  getSession(id: string): Promise<StoredSession | null>;
  sessionsOfPerson(key: string): Promise<PersonSessionRow[]>;
  /** Rooms by name, a page at a time. */
  rooms(limit: number, cursor: string | null): Promise<Page<RoomRow>>;
  findPeople(text: string, limit: number): Promise<PersonMatch[]>;
  usage(from: string | null, to: string | null): Promise<UsageRow[]>;
}

/** A scheduled meeting as kept: its plan, and its roster result as last derived (null until it is). */
export interface StoredMeeting {
  plan: MeetingPlan;
  result: MeetingResult | null;
}

/** A meeting as a list shows it: its own fields, and its result as last derived, summed up (null until derived). */
export interface ListedMeeting {
  plan: Omit<MeetingPlan, "expected" | "rules">;
  summary: RosterSummary | null;
}

export interface MeetingFilter {
  /** scheduledStart within [from, to], ISO 8601 UTC. */
  from: string | null;
  to: string | null;
  roomName: string | null;
  /** The status as last derived (see Meetings.saveResults). */
  status: MeetingStatus | null;
}

/** Scheduled meetings (SPEC §9): their plans, their results as last derived, and the sessions each was held in. */
export interface Meetings {
  /** Creates or replaces each plan, all in one transaction; answers the ids that were there before. */
  putMeetings(plans: readonly MeetingPlan[]): Promise<Set<string>>;
  getMeeting(meetingId: string): Promise<StoredMeeting | null>;
  /** Forgets the plan; the events and sessions stay. False when there was none. */
  deleteMeeting(meetingId: string): Promise<boolean>;
  /** By scheduledStart, latest first. */
  listMeetings(filter: MeetingFilter, limit: number, cursor: string | null): Promise<Page<ListedMeeting>>;
  /** Keeps each meeting's result, as derived at `derivedAt`; a meeting no longer planned is left alone. */
  saveMeetingResults(results: ReadonlyArray<{ meetingId: string; result: MeetingResult }>, derivedAt: string): Promise<void>;
  /** The saved sessions of each of these meetings (those whose meetingId it is), by meetingId as asked. */
  sessionsOfMeetings(meetingIds: readonly string[]): Promise<Map<string, StoredSession[]>>;
  /** The meetings that expect this person, latest first, at most `limit`. */
  meetingsOfPerson(key: string, limit: number): Promise<StoredMeeting[]>;
  /** Of these meetingIds, the meetings a plan is kept for. */
  getMeetings(meetingIds: readonly string[]): Promise<StoredMeeting[]>;
  /**
   * The meetings whose saved status the clock alone may have changed by `now`: in progress, scheduled to have begun,
   * or not derived yet.
   */
  liveMeetingIds(now: string): Promise<string[]>;
}

/** An endpoint as listed: never with its secret (SPEC §10). */
export interface Endpoint {
  id: string;
  url: string;
  /** The payload types it takes; null for every type. */
  types: string[] | null;
  /** Only deliveries about rooms whose name begins so; null for every room. */
  roomNamePrefix: string | null;
  createdAt: string;
}

export interface EndpointWithSecret extends Endpoint {
  secret: string;
}

/** One try of a delivery: when, the HTTP status answered (null for none), and why it failed. */
export interface DeliveryAttempt {
  at: string;
  status: number | null;
  error: string | null;
  durationMs: number;
}

export type DeliveryStatus = "pending" | "delivered" | "failed";

/** A delivery as the API lists it. */
export interface Delivery {
  id: string;
  endpointId: string;
  type: string;
  subjectId: string;
  roomName: string | null;
  createdAt: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  nextAttemptAt: string | null;
}

/** A delivery a sender holds until `lockedUntil`: with its payload, and where and how it goes. */
export interface DueDelivery extends Delivery {
  payload: string;
  url: string;
  secret: string;
  scheduleFrom: number;
  lockedUntil: string;
}

/** A delivery about to be put in the outbox. */
export interface NewDelivery {
  id: string;
  endpointId: string;
  type: string;
  subjectId: string;
  roomName: string | null;
  payload: string;
  createdAt: string;
}

/**
 * Something that may be announced to the endpoints: a final session or a meeting's attendance. Its deliveries are
 * written with the record that it was announced, in one transaction, so that it is announced once and never lost.
 */
export interface Announcement {
  kind: "session" | "meeting";
  subjectId: string;
  /** What was announced: a meeting whose result has another fingerprint is announced again. */
  fingerprint: string;
  /** A meeting's result as looked at (its derivedAt): once announced, it is looked at again only when derived anew. */
  version: string | null;
  /** The deliveries when announced for the first time. */
  first: NewDelivery[];
  /** The deliveries when announced before with another fingerprint. */
  changed: NewDelivery[];
}

/** What a try came to: delivered, pending again at `nextAttemptAt`, or failed. */
export interface TriedDelivery {
  id: string;
  /** The lock it was taken with: a sender whose lock was lost records nothing. */
  lockedUntil: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  nextAttemptAt: string | null;
}

export interface DeliveryFilter {
  status: DeliveryStatus | null;
  endpointId: string | null;
}

/** Endpoints, what has been announced to them, and the outbox of deliveries (SPEC §10). */
export interface Outbox {
  addEndpoint(endpoint: EndpointWithSecret): Promise<void>;
  listEndpoints(): Promise<Endpoint[]>;
  /** With their secrets: what announcing reads. */
  endpointsWithSecrets(): Promise<EndpointWithSecret[]>;
  /** Forgets the endpoint; its pending deliveries fail. False when there was none. */
  deleteEndpoint(id: string, now: string): Promise<boolean>;
  /**
   * Sessions saved ended and not announced whose late events have had their time by `endedBy` (see
   * SessionsTable.ends_at): the earliest first, at most `limit`, each with that time.
   */
  dueSessions(endedBy: string, limit: number): Promise<Array<{ sessionId: string; endsAt: string }>>;
  /**
   * Meetings that may be announced: a result saved since they were last announced, held or a no-show, scheduled to
   * end by `endedBy`, and every session of theirs announced.
   */
  meetingsToAnnounce(endedBy: string, limit: number): Promise<Array<{ meetingId: string; derivedAt: string }>>;
  /**
   * Records each as announced and writes its deliveries, in one transaction; answers how many deliveries were written.
   * Each decides by what is there when it runs, so that of several processes announcing one thing, one does.
   */
  announce(announcements: readonly Announcement[]): Promise<number>;
  /** Takes up to `limit` deliveries due by `now` that no sender holds, holding them until `lockedUntil`. */
  claimDue(now: string, lockedUntil: string, limit: number): Promise<DueDelivery[]>;
  /** Records what each try came to, in one transaction. */
  recordTries(tries: readonly TriedDelivery[]): Promise<void>;
  listDeliveries(filter: DeliveryFilter, limit: number, cursor: string | null): Promise<Page<Delivery>>;
  getDelivery(id: string): Promise<Delivery | null>;
  /** Sends one delivery again from now, whatever came of it; false when there is none, or its endpoint is gone. */
  retryDelivery(id: string, now: string): Promise<boolean>;
  /** Sends again every failed delivery created at or after `since`; answers how many. */
  retryFailedSince(since: string, now: string): Promise<number>;
  /** Deliveries pending: the outbox's depth. */
  pendingDeliveries(): Promise<number>;
  /** When the earliest pending delivery that no sender holds at `now` is due; null when none is. */
  nextDue(now: string): Promise<string | null>;
}

/** Every role at once, as both stores implement them: each consumer asks only for the roles it uses. */
export interface EventStore
  extends StoreAdmin,
    EventAppends,
    EventReads,
    EventTrim,
    QuarantineLog,
    SessionWrites,
    SessionQueries,
    Meetings,
    Outbox {}
