/** Reading derived sessions, and the people, rooms and usage added up from them (SessionQueries), in SQL. */
import { sql, type Kysely } from "kysely";
import type {
  Page,
  PersonMatch,
  PersonSessionRow,
  RoomRow,
  SavedSummary,
  SessionFilter,
  SessionQueries,
  StoredSession,
  UsageRow,
} from "../event-store.js";
import type { Database } from "../schema.js";
import { storable } from "../storable-text.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

export function sqlSessionQueries(db: Kysely<Database>): SessionQueries {
  return {
    async listSessions(filter: SessionFilter, limit: number, cursor: string | null): Promise<Page<SavedSummary>> {
      let query = db
        .selectFrom("sessions")
        .select(["id", "started_at", "summary"])
        .orderBy("started_at", "desc")
        .orderBy("id", "desc")
        .limit(limit + 1);
      if (filter.roomName !== undefined) query = query.where("room_name", "=", storable(filter.roomName));
      if (filter.from !== undefined) query = query.where("started_at", ">=", filter.from);
      if (filter.to !== undefined) query = query.where("started_at", "<", filter.to);
      if (filter.ongoing !== undefined) query = query.where("ongoing", "=", filter.ongoing ? 1 : 0);
      if (cursor) {
        const [startedAt, id] = decodeCursor(
          cursor,
          (p) => p.length === 2 && typeof p[0] === "string" && typeof p[1] === "string",
        ) as [string, string];
        query = query.where((eb) =>
          eb.or([eb("started_at", "<", startedAt), eb.and([eb("started_at", "=", startedAt), eb("id", "<", id)])]),
        );
      }
      const rows = await query.execute();
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        results: page.map((row) => JSON.parse(row.summary) as SavedSummary),
        cursor: more && last ? encodeCursor([last.started_at, last.id]) : null,
      };
    },

    async getSession(id: string): Promise<StoredSession | null> {
      const row = await db
        .selectFrom("sessions")
        .select(["partition_key", "summary", "detail", "event_ids"])
        .where("id", "=", storable(id))
        .executeTakeFirst();
      if (!row) return null;
      return {
        partitionKey: row.partition_key,
        summary: JSON.parse(row.summary) as SavedSummary,
        detailJson: row.detail,
        eventIds: row.event_ids === null ? null : (JSON.parse(row.event_ids) as string[]),
      };
    },

    async sessionsOfPerson(key: string): Promise<PersonSessionRow[]> {
      const rows = await db
        .selectFrom("session_people")
        .selectAll()
        .where("person_key", "=", storable(key))
        .orderBy("started_at", "desc")
        .orderBy("session_id", "desc")
        .execute();
      return rows.map((r) => ({
        sessionId: r.session_id,
        roomName: r.room_name,
        startedAt: r.started_at,
        ongoing: Number(r.ongoing) === 1,
        displayName: r.display_name,
        connectedSeconds: Number(r.connected_seconds),
        attendancePercent: r.attendance_percent === null ? null : Number(r.attendance_percent),
      }));
    },

    async findPeople(text: string, limit: number): Promise<PersonMatch[]> {
      // LIKE's own wildcards in the text are matched literally.
      const pattern = `%${storable(text).toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const rows = await db
        .selectFrom("session_people")
        .select((eb) => [
          "person_key",
          eb.fn.max("display_name").as("display_name"),
          eb.fn.countAll<number>().as("sessions"),
          eb.fn.max("started_at").as("last"),
        ])
        .where((eb) =>
          eb.or([
            eb(eb.fn("lower", ["person_key"]), "like", sql<string>`${pattern} escape '\\'`),
            eb(eb.fn("lower", ["display_name"]), "like", sql<string>`${pattern} escape '\\'`),
          ]),
        )
        .groupBy("person_key")
        .orderBy("sessions", "desc")
        .orderBy("person_key")
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        key: r.person_key,
        displayName: r.display_name,
        sessions: Number(r.sessions),
        lastSessionStartedAt: r.last,
      }));
    },

    async rooms(limit: number, cursor: string | null): Promise<Page<RoomRow>> {
      let query = db
        .selectFrom("sessions")
        .select((eb) => [
          "room_name",
          eb.fn.countAll<number>().as("total"),
          eb.fn.min("started_at").as("first"),
          eb.fn.max("started_at").as("last"),
          eb.fn.sum<number>("participant_seconds").as("seconds"),
          eb.fn.sum<number>("billable_minutes").as("minutes"),
        ])
        .where("room_name", "is not", null)
        .groupBy("room_name")
        .orderBy("room_name")
        .limit(limit + 1);
      if (cursor) {
        const [after] = decodeCursor(cursor, (p) => p.length === 1 && typeof p[0] === "string");
        query = query.where("room_name", ">", after as string);
      }
      const rows = await query.execute();
      const sessions = rows.slice(0, limit);
      const names = sessions.map((r) => r.room_name!);
      const people =
        names.length === 0
          ? []
          : await db
              .selectFrom("session_people")
              .select((eb) => ["room_name", eb.fn.count<number>("person_key").distinct().as("people")])
              .where("room_name", "in", names)
              .groupBy("room_name")
              .execute();
      const peopleByRoom = new Map(people.map((p) => [p.room_name, Number(p.people)]));
      const results = sessions.map((r) => ({
        roomName: r.room_name!,
        totalSessions: Number(r.total),
        firstSessionStartedAt: r.first,
        lastSessionStartedAt: r.last,
        participantSeconds: Math.round(Number(r.seconds) * 1000) / 1000,
        billableParticipantMinutes: Number(r.minutes),
        uniqueParticipants: peopleByRoom.get(r.room_name) ?? 0,
      }));
      return { results, cursor: rows.length > limit ? encodeCursor([names.at(-1)]) : null };
    },

    async usage(from: string | null, to: string | null): Promise<UsageRow[]> {
      let query = db
        .selectFrom("sessions")
        .select(["started_at", "participant_seconds", "billable_minutes"])
        .orderBy("started_at");
      if (from !== null) query = query.where("started_at", ">=", from);
      if (to !== null) query = query.where("started_at", "<", to);
      const rows = await query.execute();
      return rows.map((r) => ({
        startedAt: r.started_at,
        participantSeconds: Number(r.participant_seconds),
        billableParticipantMinutes: Number(r.billable_minutes),
      }));
    },
  };
}
