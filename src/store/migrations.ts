/**
 * Schema migrations, applied in name order by Kysely's Migrator. Both databases share them; the few types that
 * differ come from `dialect`.
 */
import { sql, type Kysely, type Migration } from "kysely";
import type { SqlDialect } from "./sql/dialect.js";
import { rosterSummary, type MeetingResult } from "../attendance/roster.js";
import { storable } from "./storable-text.js";

export function migrations(dialect: SqlDialect): Record<string, Migration> {
  const bytes = dialect.bytesType;
  return {
    "0001_event_log": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("events")
          .addColumn("seq", dialect.seqColumn.type, dialect.seqColumn.define)
          .addColumn("id", "text", (c) => c.notNull().unique())
          .addColumn("type", "text", (c) => c.notNull())
          .addColumn("created_at", "text", (c) => c.notNull())
          .addColumn("received_at", "text", (c) => c.notNull())
          .addColumn("channel", "text")
          .addColumn("room_name", "text")
          .addColumn("room_session_id", "text")
          .addColumn("partition_key", "text")
          .addColumn("body", sql.raw(bytes), (c) => c.notNull())
          .execute();
        await db.schema.createIndex("events_partition").on("events").columns(["partition_key", "seq"]).execute();
        await db.schema.createIndex("events_room").on("events").columns(["room_name", "created_at"]).execute();
        await db.schema.createIndex("events_type").on("events").columns(["type", "seq"]).execute();
        await db.schema.createIndex("events_session").on("events").columns(["room_session_id", "seq"]).execute();

        await db.schema
          .createTable("quarantine")
          .addColumn("seq", dialect.seqColumn.type, dialect.seqColumn.define)
          .addColumn("received_at", "text", (c) => c.notNull())
          .addColumn("channel", "text")
          .addColumn("reason", "text", (c) => c.notNull())
          .addColumn("message", "text", (c) => c.notNull())
          .addColumn("body", sql.raw(bytes), (c) => c.notNull())
          .execute();
      },
    },
    "0002_sessions": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("sessions")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("partition_key", "text", (c) => c.notNull())
          .addColumn("room_name", "text")
          .addColumn("started_at", "text", (c) => c.notNull())
          .addColumn("ongoing", "integer", (c) => c.notNull())
          .addColumn("participant_seconds", "double precision", (c) => c.notNull())
          .addColumn("billable_minutes", "integer", (c) => c.notNull())
          .addColumn("unique_participants", "integer", (c) => c.notNull())
          .addColumn("summary", "text", (c) => c.notNull())
          .addColumn("detail", "text", (c) => c.notNull())
          .execute();
        await db.schema.createIndex("sessions_started").on("sessions").columns(["started_at", "id"]).execute();
        await db.schema.createIndex("sessions_room").on("sessions").columns(["room_name", "started_at", "id"]).execute();
        await db.schema.createIndex("sessions_partition").on("sessions").column("partition_key").execute();
        await db.schema.createIndex("sessions_ongoing").on("sessions").columns(["ongoing", "partition_key"]).execute();

        await db.schema
          .createTable("session_people")
          .addColumn("session_id", "text", (c) => c.notNull())
          .addColumn("person_key", "text", (c) => c.notNull())
          .addColumn("partition_key", "text", (c) => c.notNull())
          .addColumn("room_name", "text")
          .addColumn("started_at", "text", (c) => c.notNull())
          .addColumn("ongoing", "integer", (c) => c.notNull())
          .addColumn("display_name", "text")
          .addColumn("connected_seconds", "double precision", (c) => c.notNull())
          .addColumn("attendance_percent", "double precision")
          .addPrimaryKeyConstraint("session_people_pk", ["person_key", "session_id"])
          .execute();
        await db.schema.createIndex("session_people_partition").on("session_people").column("partition_key").execute();
        await db.schema.createIndex("session_people_room").on("session_people").columns(["room_name", "person_key"]).execute();
      },
    },
    // Every event of a roomSessionId is in the partition `session:<id>`, so events_partition answers what this index
    // did; each index costs every commit its pages.
    "0003_drop_events_session_index": {
      async up(db: Kysely<unknown>) {
        await db.schema.dropIndex("events_session").ifExists().execute();
      },
    },
    // Usage reads three small columns of every session in a period: from this index alone, never the wide rows.
    "0004_sessions_usage_index": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createIndex("sessions_usage")
          .on("sessions")
          .columns(["started_at", "participant_seconds", "billable_minutes"])
          .execute();
      },
    },
    // A session's detail (its JSON, about 18 kB for a class of 24) is compressed by PostgreSQL as it is stored. lz4
    // does that at a fraction of the default pglz's cost, and reads back faster; rows stored before keep pglz, which
    // reads as ever. Only where the server was built with lz4 (PostgreSQL 14 on): elsewhere nothing changes.
    "0005_sessions_detail_lz4": {
      async up(db: Kysely<unknown>) {
        if (dialect.kind !== "postgres") return;
        const { rows } = await sql<{ lz4: boolean }>`select coalesce(bool_or('lz4' = any(enumvals)), false) as lz4
          from pg_settings where name = 'default_toast_compression'`.execute(db);
        if (rows[0]?.lz4) await sql`alter table sessions alter column detail set compression lz4`.execute(db);
      },
    },
    // `/api/events?roomName=` pages a room's events in log order. By (room_name, created_at) every page read and
    // sorted all of the room's events: 2.2 ms for a room of 10,000 on SQLite, and ten times that for a room ten times
    // larger. In log order a page reads its own rows. Made before the old one goes, so the log is never without one.
    // PostgreSQL holds inserts into the log while it builds the index: 1.3 s for a million events on a small machine.
    "0006_events_room_in_log_order": {
      async up(db: Kysely<unknown>) {
        await db.schema.createIndex("events_room_seq").ifNotExists().on("events").columns(["room_name", "seq"]).execute();
        await db.schema.dropIndex("events_room").ifExists().execute();
      },
    },
    // Several processes may derive one partition at once: each save says which events it was derived from, so that
    // an older derivation saved last cannot replace a newer one.
    "0007_derived_partitions": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("derived_partitions")
          .addColumn("partition_key", "text", (c) => c.primaryKey())
          .addColumn("through_seq", "bigint", (c) => c.notNull())
          .addColumn("events", "integer", (c) => c.notNull())
          .execute();
      },
    },
    // Which events a session cut from its room's log is made of, saved as it is derived: a read of its events then
    // reads them, rather than deriving its room's log again on the thread that answers requests.
    "0008_sessions_event_ids": {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable("sessions").addColumn("event_ids", "text").execute();
      },
    },
    // Scheduled meetings (SPEC §9) with the people each expects, and the meetingId of each session, by which a meeting finds its sessions: taken
    // from the saved details of the sessions already there.
    "0009_meetings": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("meetings")
          .addColumn("meeting_id", "text", (c) => c.primaryKey())
          .addColumn("title", "text")
          .addColumn("room_name", "text")
          .addColumn("scheduled_start", "text", (c) => c.notNull())
          .addColumn("scheduled_end", "text", (c) => c.notNull())
          .addColumn("plan", "text", (c) => c.notNull())
          .addColumn("status", "text")
          .addColumn("result", "text")
          .addColumn("derived_at", "text")
          .execute();
        await db.schema.createIndex("meetings_start").on("meetings").columns(["scheduled_start", "meeting_id"]).execute();
        await db.schema.createIndex("meetings_room_start").on("meetings").columns(["room_name", "scheduled_start"]).execute();
        // Who each meeting expects, by person: what a person's page reads their expected meetings from.
        await db.schema
          .createTable("meeting_people")
          .addColumn("person_key", "text", (c) => c.notNull())
          .addColumn("meeting_id", "text", (c) => c.notNull())
          .addPrimaryKeyConstraint("meeting_people_pk", ["person_key", "meeting_id"])
          .execute();
        await db.schema.createIndex("meeting_people_meeting").on("meeting_people").column("meeting_id").execute();
        await db.schema.alterTable("sessions").addColumn("meeting_id", "text").execute();
        await db.schema.createIndex("sessions_meeting").on("sessions").column("meeting_id").execute();
        // Read in JavaScript: a detail may hold escapes (\u0000) that PostgreSQL's JSON functions refuse.
        const sessions = db as unknown as Kysely<{ sessions: { id: string; detail: string; meeting_id: string | null } }>;
        let after = "";
        for (;;) {
          const rows = await sessions.selectFrom("sessions").select(["id", "detail"]).where("id", ">", after).orderBy("id").limit(500).execute();
          if (rows.length === 0) break;
          for (const { id, detail } of rows) {
            const { meetingId } = JSON.parse(detail) as { meetingId?: unknown };
            if (typeof meetingId !== "string") continue;
            await sessions.updateTable("sessions").set({ meeting_id: storable(meetingId) }).where("id", "=", id).execute();
          }
          after = rows.at(-1)!.id;
        }
      },
    },
    // What the list of meetings shows of each result, kept beside it: a page of the list read every roster whole.
    "0010_meeting_summaries": {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable("meetings").addColumn("summary", "text").execute();
        const meetings = db as unknown as Kysely<{ meetings: { meeting_id: string; result: string | null; summary: string | null } }>;
        let after = "";
        for (;;) {
          const rows = await meetings
            .selectFrom("meetings")
            .select(["meeting_id", "result"])
            .where("meeting_id", ">", after)
            .where("result", "is not", null)
            .orderBy("meeting_id")
            .limit(500)
            .execute();
          if (rows.length === 0) break;
          for (const { meeting_id, result } of rows) {
            const summary = JSON.stringify(rosterSummary(JSON.parse(result!) as MeetingResult));
            await meetings.updateTable("meetings").set({ summary }).where("meeting_id", "=", meeting_id).execute();
          }
          after = rows.at(-1)!.meeting_id;
        }
      },
    },
    "0011_outbox": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("endpoints")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("url", "text", (c) => c.notNull())
          .addColumn("secret", "text", (c) => c.notNull())
          .addColumn("types", "text")
          .addColumn("room_name_prefix", "text")
          .addColumn("created_at", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("announced")
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("subject_id", "text", (c) => c.notNull())
          .addColumn("fingerprint", "text", (c) => c.notNull())
          .addPrimaryKeyConstraint("announced_pk", ["kind", "subject_id"])
          .execute();
        // What is to be announced is found by these, never by reading every session or meeting. Sessions and meetings
        // kept before are history: they are not announced.
        await db.schema.alterTable("sessions").addColumn("ends_at", "text").execute();
        await db.schema
          .createTable("session_finals")
          .addColumn("session_id", "text", (c) => c.primaryKey())
          .addColumn("ends_at", "text")
          .addColumn("announced", "integer", (c) => c.notNull())
          .execute();
        await db.schema.createIndex("session_finals_due").on("session_finals").columns(["announced", "ends_at"]).execute();
        await db.schema.alterTable("meetings").addColumn("announce_pending", "integer", (c) => c.notNull().defaultTo(0)).execute();
        await db.schema.createIndex("meetings_announce").on("meetings").columns(["announce_pending", "scheduled_end"]).execute();
        await db.schema
          .createTable("deliveries")
          .addColumn("seq", dialect.seqColumn.type, dialect.seqColumn.define)
          .addColumn("id", "text", (c) => c.notNull().unique())
          .addColumn("endpoint_id", "text", (c) => c.notNull())
          .addColumn("type", "text", (c) => c.notNull())
          .addColumn("subject_id", "text", (c) => c.notNull())
          .addColumn("room_name", "text")
          .addColumn("payload", "text", (c) => c.notNull())
          .addColumn("created_at", "text", (c) => c.notNull())
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("attempts", "text", (c) => c.notNull())
          .addColumn("attempt_count", "integer", (c) => c.notNull())
          .addColumn("schedule_from", "integer", (c) => c.notNull())
          .addColumn("next_attempt_at", "text")
          .addColumn("locked_until", "text")
          .execute();
        await db.schema.createIndex("deliveries_due").on("deliveries").columns(["status", "next_attempt_at"]).execute();
        await db.schema.createIndex("deliveries_endpoint").on("deliveries").columns(["endpoint_id", "seq"]).execute();
        await db.schema.createIndex("deliveries_created").on("deliveries").columns(["created_at"]).execute();
      },
    },
  };
}
