/** Scheduled meetings (Meetings) in SQL: one row each, the plan and the last derived result as JSON beside it. */
import { sql, type Kysely, type Selectable } from "kysely";
import { rosterSummary, type MeetingResult, type RosterSummary } from "../../attendance/roster.js";
import type { MeetingPlan } from "../../schedule/meeting-input.js";
import type { ListedMeeting, MeetingFilter, Meetings, Page, SavedSummary, StoredMeeting, StoredSession } from "../event-store.js";
import type { Database, MeetingsTable } from "../schema.js";
import { storable } from "../storable-text.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { INSERT_CHUNK } from "./writes.js";

/** What the plan column holds: what the other columns do not. */
type PlanColumn = Pick<MeetingPlan, "expected" | "rules">;

function rowOf(plan: MeetingPlan): Omit<Selectable<MeetingsTable>, "status" | "result" | "summary" | "derived_at" | "announce_pending"> {
  const kept: PlanColumn = { expected: plan.expected, rules: plan.rules };
  return {
    meeting_id: plan.meetingId,
    title: plan.title,
    room_name: plan.roomName,
    scheduled_start: plan.scheduledStart,
    scheduled_end: plan.scheduledEnd,
    plan: JSON.stringify(kept),
  };
}

/** A plan's own fields, from their columns: what a list shows without reading the roster. */
type PlanFields = Pick<MeetingsTable, "meeting_id" | "title" | "room_name" | "scheduled_start" | "scheduled_end">;
function planFieldsOf(row: PlanFields): ListedMeeting["plan"] {
  return {
    meetingId: row.meeting_id,
    title: row.title,
    roomName: row.room_name,
    scheduledStart: row.scheduled_start,
    scheduledEnd: row.scheduled_end,
  };
}

function storedMeeting(row: Selectable<MeetingsTable>): StoredMeeting {
  const { expected, rules } = JSON.parse(row.plan) as PlanColumn;
  return {
    plan: { ...planFieldsOf(row), expected, rules },
    result: row.result === null ? null : (JSON.parse(row.result) as MeetingResult),
  };
}

export function sqlMeetings(db: Kysely<Database>): Meetings {
  return {
    async putMeetings(plans: readonly MeetingPlan[]): Promise<Set<string>> {
      const before = new Set<string>();
      if (plans.length === 0) return before;
      // Looked up before the transaction, which then only writes: on SQLite, a transaction that reads first cannot
      // wait for the writer thread's commits and fails at once as locked.
      for (let i = 0; i < plans.length; i += INSERT_CHUNK) {
        const ids = plans.slice(i, i + INSERT_CHUNK).map((p) => p.meetingId);
        const found = await db.selectFrom("meetings").select("meeting_id").where("meeting_id", "in", ids).execute();
        for (const { meeting_id } of found) before.add(meeting_id);
      }
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < plans.length; i += INSERT_CHUNK) {
          const chunk = plans.slice(i, i + INSERT_CHUNK);
          await trx.deleteFrom("meeting_people").where("meeting_id", "in", chunk.map((p) => p.meetingId)).execute();
          const people = chunk.flatMap((plan) => plan.expected.map(({ key }) => ({ person_key: key, meeting_id: plan.meetingId })));
          for (let j = 0; j < people.length; j += INSERT_CHUNK) await trx.insertInto("meeting_people").values(people.slice(j, j + INSERT_CHUNK)).execute();
          // A replaced plan's result is derived anew: until then the list derives it as it answers.
          await trx
            .insertInto("meetings")
            .values(chunk.map((plan) => ({ ...rowOf(plan), status: null, result: null, summary: null, derived_at: null })))
            .onConflict((oc) =>
              oc.column("meeting_id").doUpdateSet((eb) => ({
                title: eb.ref("excluded.title"),
                room_name: eb.ref("excluded.room_name"),
                scheduled_start: eb.ref("excluded.scheduled_start"),
                scheduled_end: eb.ref("excluded.scheduled_end"),
                plan: eb.ref("excluded.plan"),
                status: null,
                result: null,
                summary: null,
                derived_at: null,
              })),
            )
            .execute();
        }
      });
      return before;
    },

    async getMeeting(meetingId: string): Promise<StoredMeeting | null> {
      const row = await db.selectFrom("meetings").selectAll().where("meeting_id", "=", storable(meetingId)).executeTakeFirst();
      return row ? storedMeeting(row) : null;
    },

    async deleteMeeting(meetingId: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const result = await trx.deleteFrom("meetings").where("meeting_id", "=", storable(meetingId)).executeTakeFirst();
        await trx.deleteFrom("meeting_people").where("meeting_id", "=", storable(meetingId)).execute();
        return Number(result.numDeletedRows) > 0;
      });
    },

    async meetingsOfPerson(key: string, limit: number): Promise<StoredMeeting[]> {
      const rows = await db
        .selectFrom("meeting_people")
        .innerJoin("meetings", "meetings.meeting_id", "meeting_people.meeting_id")
        .selectAll("meetings")
        .where("meeting_people.person_key", "=", storable(key))
        .orderBy("meetings.scheduled_start", "desc")
        .limit(limit)
        .execute();
      return rows.map(storedMeeting);
    },

    async listMeetings(filter: MeetingFilter, limit: number, cursor: string | null): Promise<Page<ListedMeeting>> {
      let query = db
        .selectFrom("meetings")
        .select(["meeting_id", "title", "room_name", "scheduled_start", "scheduled_end", "summary"])
        .orderBy("scheduled_start", "desc")
        .orderBy("meeting_id", "desc")
        .limit(limit + 1);
      if (filter.from !== null) query = query.where("scheduled_start", ">=", filter.from);
      if (filter.to !== null) query = query.where("scheduled_start", "<=", filter.to);
      if (filter.roomName !== null) query = query.where("room_name", "=", storable(filter.roomName));
      if (filter.status !== null) query = query.where("status", "=", filter.status);
      if (cursor) {
        const [start, id] = decodeCursor(cursor, (p) => p.length === 2 && p.every((v) => typeof v === "string")) as string[];
        query = query.where((eb) =>
          eb.or([eb("scheduled_start", "<", start!), eb.and([eb("scheduled_start", "=", start!), eb("meeting_id", "<", id!)])]),
        );
      }
      const rows = await query.execute();
      const results = rows.slice(0, limit);
      const last = results.at(-1);
      return {
        results: results.map((row) => ({
          plan: planFieldsOf(row),
          summary: row.summary === null ? null : (JSON.parse(row.summary) as RosterSummary),
        })),
        cursor: rows.length > limit && last ? encodeCursor([last.scheduled_start, last.meeting_id]) : null,
      };
    },

    async saveMeetingResults(results, derivedAt): Promise<void> {
      if (results.length === 0) return;
      // A statement a chunk, its rows given as VALUES (whose columns both stores name column1, column2, …): an update a
      // meeting took a third of a timetable import.
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < results.length; i += INSERT_CHUNK / 2) {
          const values = results
            .slice(i, i + INSERT_CHUNK / 2)
            .map(
              ({ meetingId, result }) =>
                sql`(${storable(meetingId)}, ${result.status}, ${JSON.stringify(result)}, ${JSON.stringify(rosterSummary(result))})`,
            );
          await sql`update meetings set status = v.column2, result = v.column3, summary = v.column4, derived_at = ${derivedAt}, announce_pending = 1
            from (values ${sql.join(values)}) as v where meetings.meeting_id = v.column1`.execute(trx);
        }
      });
    },

    async sessionsOfMeetings(meetingIds: readonly string[]): Promise<Map<string, StoredSession[]>> {
      const asked = new Map<string, string>();
      for (const id of meetingIds) if (!asked.has(storable(id))) asked.set(storable(id), id);
      const found = new Map<string, StoredSession[]>([...asked.values()].map((id) => [id, []]));
      const keys = [...asked.keys()];
      for (let i = 0; i < keys.length; i += INSERT_CHUNK) {
        const rows = await db
          .selectFrom("sessions")
          .select(["meeting_id", "partition_key", "summary", "detail", "event_ids"])
          .where("meeting_id", "in", keys.slice(i, i + INSERT_CHUNK))
          .$narrowType<{ meeting_id: string }>()
          .execute();
        for (const row of rows) {
          found.get(asked.get(row.meeting_id)!)?.push({
            partitionKey: row.partition_key,
            summary: JSON.parse(row.summary) as SavedSummary,
            detailJson: row.detail,
            eventIds: row.event_ids === null ? null : (JSON.parse(row.event_ids) as string[]),
          });
        }
      }
      return found;
    },

    async getMeetings(meetingIds: readonly string[]): Promise<StoredMeeting[]> {
      const found: StoredMeeting[] = [];
      const asked = [...new Set(meetingIds.map((id) => storable(id)))];
      for (let i = 0; i < asked.length; i += INSERT_CHUNK) {
        const rows = await db.selectFrom("meetings").selectAll().where("meeting_id", "in", asked.slice(i, i + INSERT_CHUNK)).execute();
        found.push(...rows.map(storedMeeting));
      }
      return found;
    },

    async liveMeetingIds(now: string): Promise<string[]> {
      const rows = await db
        .selectFrom("meetings")
        .select("meeting_id")
        .where((eb) =>
          eb.or([
            eb("status", "is", null),
            eb("status", "=", "in_progress"),
            eb.and([eb("status", "=", "scheduled"), eb("scheduled_start", "<=", now)]),
          ]),
        )
        .execute();
      return rows.map((r) => r.meeting_id);
    },
  };
}
