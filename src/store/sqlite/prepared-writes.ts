/**
 * The writes SQLite does all the time, as statements prepared once: a query built and compiled for every batch cost
 * more than the rows themselves. Each call is one transaction, and does exactly what SqlEventStore's Kysely queries do.
 */
import type { Database } from "better-sqlite3";
import type { PartitionVersion } from "../event-store.js";
import type { SessionPersonRow, SessionRow, SessionRows } from "../session-rows.js";
import type { EventRow } from "../sql-store.js";

export interface SqliteWrites {
  insertEvents(rows: readonly EventRow[]): boolean[];
  replaceSessions(rows: SessionRows): void;
}

export function preparedWrites(database: Database): SqliteWrites {
  const insertEvent = database.prepare<EventRow>(
    `insert into events (id, type, created_at, received_at, channel, room_name, room_session_id, partition_key, body)
     values (@id, @type, @created_at, @received_at, @channel, @room_name, @room_session_id, @partition_key, @body)
     on conflict (id) do nothing`,
  );
  const deleteSessions = database.prepare<[string]>("delete from sessions where partition_key = ?");
  const deletePeople = database.prepare<[string]>("delete from session_people where partition_key = ?");
  // Two partitions can claim one id only if a roomSessionId collides with a derived id: the later wins.
  const upsertSession = database.prepare<SessionRow>(
    `insert into sessions (id, partition_key, room_name, started_at, ongoing, participant_seconds, billable_minutes,
       unique_participants, summary, detail, event_ids)
     values (@id, @partition_key, @room_name, @started_at, @ongoing, @participant_seconds, @billable_minutes,
       @unique_participants, @summary, @detail, @event_ids)
     on conflict (id) do update set partition_key = excluded.partition_key, room_name = excluded.room_name,
       started_at = excluded.started_at, ongoing = excluded.ongoing, participant_seconds = excluded.participant_seconds,
       billable_minutes = excluded.billable_minutes, unique_participants = excluded.unique_participants,
       summary = excluded.summary, detail = excluded.detail, event_ids = excluded.event_ids`,
  );
  const insertPerson = database.prepare<SessionPersonRow>(
    `insert into session_people (session_id, person_key, partition_key, room_name, started_at, ongoing, display_name,
       connected_seconds, attendance_percent)
     values (@session_id, @person_key, @partition_key, @room_name, @started_at, @ongoing, @display_name,
       @connected_seconds, @attendance_percent)
     on conflict (person_key, session_id) do nothing`,
  );
  // A partition is saved only from a derivation that saw at least what the saved one did (see PartitionVersion).
  const claimPartition = database.prepare<PartitionVersion>(
    `insert into derived_partitions (partition_key, through_seq, events) values (@partitionKey, @throughSeq, @events)
     on conflict (partition_key) do update set through_seq = excluded.through_seq, events = excluded.events
     where (derived_partitions.through_seq, derived_partitions.events) <= (excluded.through_seq, excluded.events)`,
  );
  return {
    insertEvents: database.transaction((rows: readonly EventRow[]) => rows.map((row) => insertEvent.run(row).changes === 1)),
    replaceSessions: database.transaction(({ partitions, sessions, people }: SessionRows) => {
      const claimed = new Set<string>();
      for (const partition of partitions) {
        if (claimPartition.run(partition).changes === 0) continue;
        claimed.add(partition.partitionKey);
        deleteSessions.run(partition.partitionKey);
        deletePeople.run(partition.partitionKey);
      }
      for (const row of sessions) if (claimed.has(row.partition_key)) upsertSession.run(row);
      for (const row of people) if (claimed.has(row.partition_key)) insertPerson.run(row);
    }),
  };
}
