/**
 * The writes, each defined once as a Kysely query: the store runs them as they are, and SQLite's fast path
 * (sqlite/prepared-writes.ts) compiles each once for a single row and runs it as a prepared statement.
 */
import { sql, type Kysely, type Selectable, type SqlBool } from "kysely";
import type { PartitionVersion } from "../event-store.js";
import type { Database, EventsTable } from "../schema.js";
import type { SessionPersonRow, SessionRow, SessionRows } from "../session-rows.js";

/** Rows per statement: well under SQLite's 32766 bound variables at 12 columns a row. */
export const INSERT_CHUNK = 500;

/** An event as inserted. */
export type EventRow = Omit<Selectable<EventsTable>, "seq">;

/**
 * The two writes that run all the time, each in one transaction, for a database that can do them faster than a query
 * built anew for every batch of rows (SQLite, with statements prepared once). Both run the queries below.
 */
export interface PreparedWrites {
  /** Inserts events, skipping ids already there; one flag per row, true where it was new. */
  insertEvents(rows: readonly EventRow[]): Promise<boolean[]>;
  /** Replaces every session and attendance row of the partitions it claims (see claimPartitions). */
  replaceSessions(rows: SessionRows): Promise<void>;
}

/** Inserts events; an id already in the log is skipped: the first write wins. */
export function insertEvents(db: Kysely<Database>, rows: readonly EventRow[]) {
  return db
    .insertInto("events")
    .values(rows)
    .onConflict((oc) => oc.column("id").doNothing());
}

/**
 * Records which derivation each partition is saved from, where it saw at least what the saved one did (see
 * PartitionVersion): a partition whose row is left as it was is not the caller's to replace.
 */
export function claimPartitions(db: Kysely<Database>, partitions: readonly PartitionVersion[]) {
  return db
    .insertInto("derived_partitions")
    .values(partitions.map((p) => ({ partition_key: p.partitionKey, through_seq: p.throughSeq, events: p.events })))
    .onConflict((oc) =>
      oc
        .column("partition_key")
        .doUpdateSet((eb) => ({ through_seq: eb.ref("excluded.through_seq"), events: eb.ref("excluded.events") }))
        .where(
          sql<SqlBool>`(derived_partitions.through_seq, derived_partitions.events) <= (excluded.through_seq, excluded.events)`,
        ),
    );
}

/** Removes the sessions of these partitions. */
export function deleteSessions(db: Kysely<Database>, partitionKeys: readonly string[]) {
  return db.deleteFrom("sessions").where("partition_key", "in", partitionKeys);
}

/** Removes the attendance rows of these partitions. */
export function deletePeople(db: Kysely<Database>, partitionKeys: readonly string[]) {
  return db.deleteFrom("session_people").where("partition_key", "in", partitionKeys);
}

/** Inserts sessions. Two partitions can claim one id only if a roomSessionId collides with a derived id: the later wins. */
export function upsertSessions(db: Kysely<Database>, rows: readonly SessionRow[]) {
  return db
    .insertInto("sessions")
    .values(rows)
    .onConflict((oc) =>
      oc.column("id").doUpdateSet((eb) => ({
        partition_key: eb.ref("excluded.partition_key"),
        room_name: eb.ref("excluded.room_name"),
        started_at: eb.ref("excluded.started_at"),
        ongoing: eb.ref("excluded.ongoing"),
        participant_seconds: eb.ref("excluded.participant_seconds"),
        billable_minutes: eb.ref("excluded.billable_minutes"),
        unique_participants: eb.ref("excluded.unique_participants"),
        summary: eb.ref("excluded.summary"),
        detail: eb.ref("excluded.detail"),
        event_ids: eb.ref("excluded.event_ids"),
        meeting_id: eb.ref("excluded.meeting_id"),
        ends_at: eb.ref("excluded.ends_at"),
      })),
    );
}

/**
 * Keeps, beside each saved session, when it ends for the outbox (see SessionFinalsTable): a session not yet announced
 * takes its end as saved now; one already announced stays so.
 */
export function trackFinals(db: Kysely<Database>, rows: ReadonlyArray<Pick<SessionRow, "id" | "ends_at">>) {
  return db
    .insertInto("session_finals")
    .values(rows.map((row) => ({ session_id: row.id, ends_at: row.ends_at, announced: sql.lit(0) })))
    .onConflict((oc) =>
      oc
        .column("session_id")
        .doUpdateSet((eb) => ({ ends_at: eb.ref("excluded.ends_at") }))
        .where("session_finals.announced", "=", sql.lit(0)),
    );
}

/** Inserts attendance rows, a person once per session. */
export function insertPeople(db: Kysely<Database>, rows: readonly SessionPersonRow[]) {
  return db
    .insertInto("session_people")
    .values(rows)
    .onConflict((oc) => oc.columns(["person_key", "session_id"]).doNothing());
}
