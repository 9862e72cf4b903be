/** Endpoints, what was announced to them, and the outbox of deliveries (Outbox) in SQL. */
import { sql, type ExpressionBuilder, type Kysely, type Selectable } from "kysely";
import type {
  Announcement,
  Delivery,
  DeliveryAttempt,
  DeliveryFilter,
  DeliveryStatus,
  DueDelivery,
  Endpoint,
  EndpointWithSecret,
  Outbox,
  NewDelivery,
  Page,
} from "../event-store.js";
import type { Database, DeliveriesTable, EndpointsTable } from "../schema.js";
import { storable } from "../storable-text.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import type { SqlDialect } from "./dialect.js";
import { INSERT_CHUNK } from "./writes.js";

function endpointOf(row: Selectable<EndpointsTable>): Endpoint {
  return {
    id: row.id,
    url: row.url,
    types: row.types === null ? null : (JSON.parse(row.types) as string[]),
    roomNamePrefix: row.room_name_prefix,
    createdAt: row.created_at,
  };
}

type DeliveryRow = Omit<Selectable<DeliveriesTable>, "payload" | "schedule_from" | "locked_until" | "attempt_count">;
function deliveryOf(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    type: row.type,
    subjectId: row.subject_id,
    roomName: row.room_name,
    createdAt: row.created_at,
    status: row.status as DeliveryStatus,
    attempts: JSON.parse(row.attempts) as DeliveryAttempt[],
    nextAttemptAt: row.next_attempt_at,
  };
}

/** The delivery's endpoint is still registered: one whose endpoint is gone has nowhere to go. */
const endpointKept = (eb: ExpressionBuilder<Database, "deliveries">) =>
  eb.exists(eb.selectFrom("endpoints").select("endpoints.id").whereRef("endpoints.id", "=", "deliveries.endpoint_id"));

const LISTED = ["seq", "id", "endpoint_id", "type", "subject_id", "room_name", "created_at", "status", "attempts", "next_attempt_at"] as const;

export function sqlOutbox(db: Kysely<Database>, dialect: SqlDialect): Outbox {
  return {
    async addEndpoint(endpoint: EndpointWithSecret): Promise<void> {
      await db
        .insertInto("endpoints")
        .values({
          id: endpoint.id,
          url: endpoint.url,
          secret: endpoint.secret,
          types: endpoint.types === null ? null : JSON.stringify(endpoint.types),
          room_name_prefix: storable(endpoint.roomNamePrefix),
          created_at: endpoint.createdAt,
        })
        .execute();
    },

    async listEndpoints(): Promise<Endpoint[]> {
      const rows = await db.selectFrom("endpoints").selectAll().orderBy("created_at").orderBy("id").execute();
      return rows.map(endpointOf);
    },

    async endpointsWithSecrets(): Promise<EndpointWithSecret[]> {
      const rows = await db.selectFrom("endpoints").selectAll().orderBy("created_at").orderBy("id").execute();
      return rows.map((row) => ({ ...endpointOf(row), secret: row.secret }));
    },

    async deleteEndpoint(id: string, now: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const removed = await trx.deleteFrom("endpoints").where("id", "=", storable(id)).executeTakeFirst();
        if (Number(removed.numDeletedRows) === 0) return false;
        const attempt: DeliveryAttempt = { at: now, status: null, error: "the endpoint was removed", durationMs: 0 };
        await trx
          .updateTable("deliveries")
          .set({
            status: "failed",
            next_attempt_at: null,
            // The JSON array of tries gains one: text surgery, the same on both databases.
            attempts: sql<string>`substr(attempts, 1, length(attempts) - 1) || case when attempts = '[]' then '' else ',' end || ${JSON.stringify(attempt)} || ']'`,
          })
          .where("endpoint_id", "=", storable(id))
          .where("status", "=", "pending")
          .execute();
        return true;
      });
    },

    async dueSessions(endedBy: string, limit: number) {
      const rows = await db
        .selectFrom("session_finals")
        .select(["session_id", "ends_at"])
        .where("announced", "=", 0)
        .where("ends_at", "<=", endedBy)
        .orderBy("ends_at")
        .limit(limit)
        .$narrowType<{ ends_at: string }>()
        .execute();
      return rows.map((row) => ({ sessionId: row.session_id, endsAt: row.ends_at }));
    },

    async meetingsToAnnounce(endedBy: string, limit: number) {
      const rows = await db
        .selectFrom("meetings")
        .select(["meeting_id", "derived_at"])
        .where("announce_pending", "=", 1)
        .where("scheduled_end", "<=", endedBy)
        .where("status", "in", ["held", "no_show"])
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("sessions")
                .select("sessions.id")
                .whereRef("sessions.meeting_id", "=", "meetings.meeting_id")
                .where(({ not, exists, selectFrom }) =>
                  not(
                    exists(
                      selectFrom("session_finals")
                        .select("session_finals.session_id")
                        .whereRef("session_finals.session_id", "=", "sessions.id")
                        .where("session_finals.announced", "=", 1),
                    ),
                  ),
                ),
            ),
          ),
        )
        .orderBy("scheduled_end")
        .limit(limit)
        .$narrowType<{ derived_at: string }>()
        .execute();
      return rows.map((row) => ({ meetingId: row.meeting_id, derivedAt: row.derived_at }));
    },

    async announce(announcements: readonly Announcement[]): Promise<number> {
      if (announcements.length === 0) return 0;
      // Only writes, each deciding by what is there when it runs: on SQLite a transaction that read first could not
      // wait for another connection's commit; on PostgreSQL two processes announcing the same thing take turns on its
      // row, and the second finds it announced.
      return db.transaction().execute(async (trx) => {
        const outbox: NewDelivery[] = [];
        const sessions = announcements.filter((a) => a.kind === "session");
        for (let i = 0; i < sessions.length; i += INSERT_CHUNK) {
          const chunk = sessions.slice(i, i + INSERT_CHUNK);
          const won = await trx
            .updateTable("session_finals")
            .set({ announced: 1 })
            .where("session_id", "in", chunk.map((a) => storable(a.subjectId)))
            .where("announced", "=", 0)
            .returning("session_id")
            .execute();
          const first = new Set(won.map((row) => row.session_id));
          for (const a of chunk) if (first.has(storable(a.subjectId))) outbox.push(...a.first);
        }
        for (const a of announcements.filter((a) => a.kind === "meeting")) {
          const subject = storable(a.subjectId);
          const inserted = await trx
            .insertInto("announced")
            .values({ kind: "meeting", subject_id: subject, fingerprint: a.fingerprint })
            .onConflict((oc) => oc.columns(["kind", "subject_id"]).doNothing())
            .executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) outbox.push(...a.first);
          else {
            const changed = await trx
              .updateTable("announced")
              .set({ fingerprint: a.fingerprint })
              .where("kind", "=", "meeting")
              .where("subject_id", "=", subject)
              .where("fingerprint", "<>", a.fingerprint)
              .executeTakeFirst();
            if (Number(changed.numUpdatedRows) > 0) outbox.push(...a.changed);
          }
          // Looked at as derived then; a result derived since is looked at again.
          let done = trx.updateTable("meetings").set({ announce_pending: 0 }).where("meeting_id", "=", subject);
          if (a.version !== null) done = done.where("derived_at", "=", a.version);
          await done.execute();
        }
        const rows = outbox.map((d) => ({
          id: d.id,
          endpoint_id: d.endpointId,
          type: d.type,
          subject_id: storable(d.subjectId),
          room_name: storable(d.roomName),
          payload: d.payload,
          created_at: d.createdAt,
          status: "pending",
          attempts: "[]",
          attempt_count: 0,
          schedule_from: 0,
          next_attempt_at: d.createdAt,
          locked_until: null,
        }));
        let written = 0;
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
          // A delivery made again (see Announcement) is the one already there.
          const inserted = await trx
            .insertInto("deliveries")
            .values(rows.slice(i, i + INSERT_CHUNK))
            .onConflict((oc) => oc.column("id").doNothing())
            .executeTakeFirst();
          written += Number(inserted.numInsertedOrUpdatedRows ?? 0);
        }
        return written;
      });
    },

    async claimDue(now: string, lockedUntil: string, limit: number): Promise<DueDelivery[]> {
      const due = db
        .selectFrom("deliveries")
        .select("id")
        .where("status", "=", "pending")
        .where("next_attempt_at", "<=", now)
        .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)]))
        .orderBy("next_attempt_at")
        .limit(limit)
        // Another process's claim passes over these rows instead of waiting for them: each delivery has one sender.
        .$if(dialect.skipLocked, (q) => q.forUpdate().skipLocked());
      const claimed = await db
        .updateTable("deliveries")
        .set({ locked_until: lockedUntil })
        .where("id", "in", due)
        // Checked again against the row as it is now: on PostgreSQL a row freed meanwhile was skipped, not waited for.
        .where("status", "=", "pending")
        .returningAll()
        .execute();
      if (claimed.length === 0) return [];
      const endpoints = new Map(
        (await db.selectFrom("endpoints").selectAll().where("id", "in", [...new Set(claimed.map((d) => d.endpoint_id))]).execute()).map(
          (row) => [row.id, row],
        ),
      );
      return claimed.flatMap((row) => {
        const endpoint = endpoints.get(row.endpoint_id);
        // An endpoint removed meanwhile failed its pending deliveries as it went.
        if (endpoint === undefined) return [];
        return [{ ...deliveryOf(row), payload: row.payload, url: endpoint.url, secret: endpoint.secret, scheduleFrom: row.schedule_from, lockedUntil }];
      });
    },

    async recordTries(tries): Promise<void> {
      if (tries.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (const tried of tries) {
          await trx
            .updateTable("deliveries")
            .set({
              status: tried.status,
              attempts: JSON.stringify(tried.attempts),
              attempt_count: tried.attempts.length,
              next_attempt_at: tried.nextAttemptAt,
              locked_until: null,
            })
            .where("id", "=", tried.id)
            .where("locked_until", "=", tried.lockedUntil)
            .execute();
        }
      });
    },

    async listDeliveries(filter: DeliveryFilter, limit: number, cursor: string | null): Promise<Page<Delivery>> {
      let query = db.selectFrom("deliveries").select(LISTED).orderBy("seq", "desc").limit(limit + 1);
      if (filter.status !== null) query = query.where("status", "=", filter.status);
      if (filter.endpointId !== null) query = query.where("endpoint_id", "=", storable(filter.endpointId));
      if (cursor !== null) {
        const [before] = decodeCursor(cursor, (p) => p.length === 1 && Number.isInteger(p[0]));
        query = query.where("seq", "<", before as number);
      }
      const rows = await query.execute();
      const page = rows.slice(0, limit);
      return { results: page.map(deliveryOf), cursor: rows.length > limit ? encodeCursor([Number(page.at(-1)!.seq)]) : null };
    },

    async getDelivery(id: string): Promise<Delivery | null> {
      const row = await db.selectFrom("deliveries").select(LISTED).where("id", "=", storable(id)).executeTakeFirst();
      return row ? deliveryOf(row) : null;
    },

    async retryDelivery(id: string, now: string): Promise<boolean> {
      const result = await db
        .updateTable("deliveries")
        .set((eb) => ({ status: "pending", next_attempt_at: now, schedule_from: eb.ref("attempt_count") }))
        .where("id", "=", storable(id))
        .where(endpointKept)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async retryFailedSince(since: string, now: string): Promise<number> {
      const result = await db
        .updateTable("deliveries")
        .set((eb) => ({ status: "pending", next_attempt_at: now, schedule_from: eb.ref("attempt_count") }))
        .where("status", "=", "failed")
        .where("created_at", ">=", since)
        .where(endpointKept)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async pendingDeliveries(): Promise<number> {
      const row = await db.selectFrom("deliveries").select((eb) => eb.fn.countAll<number>().as("n")).where("status", "=", "pending").executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async nextDue(now: string): Promise<string | null> {
      const row = await db
        .selectFrom("deliveries")
        .select("next_attempt_at")
        .where("status", "=", "pending")
        .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)]))
        .orderBy("next_attempt_at")
        .limit(1)
        .executeTakeFirst();
      return row?.next_attempt_at ?? null;
    },
  };
}
