/** Reading the event log (EventReads) in SQL. */
import { ARTIFACT_TYPES, roomPartitionKey } from "../../attendance/index.js";
import { sql, type Expression, type Kysely, type SqlBool } from "kysely";
import type { EventFilter, EventReads, Page, PartitionBody, StoredEvent } from "../event-store.js";
import type { Database } from "../schema.js";
import { storable } from "../storable-text.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import type { SqlDialect } from "./dialect.js";
import { toStoredEvent } from "./event-rows.js";
import { INSERT_CHUNK } from "./writes.js";


export function sqlEventReads(db: Kysely<Database>, dialect: SqlDialect): EventReads {
  return {
    refreshStatistics: () => dialect.refreshStatistics(db),

    async bodiesOfPartitions(partitionKeys: readonly string[]): Promise<PartitionBody[]> {
      // Only the columns deriving reads, the body as text: a rebuild reads every event, and each column is a value made.
      // Each row answers with the key it was asked for, which its column may hold otherwise (see storable).
      const asked = new Map<string, string>();
      for (const key of partitionKeys) if (!asked.has(storable(key))) asked.set(storable(key), key);
      const rows: { seq: number | string; partitionKey: string; body: string; receivedAt: string }[] = [];
      const keys = [...asked.keys()];
      for (let i = 0; i < keys.length; i += INSERT_CHUNK) {
        const chunk = await db
          .selectFrom("events")
          .select(["seq", "partition_key as partitionKey", dialect.bodyText.as("body"), "received_at as receivedAt"])
          .where("partition_key", "in", keys.slice(i, i + INSERT_CHUNK))
          .$narrowType<{ partitionKey: string }>()
          .execute();
        rows.push(...chunk);
      }
      return rows
        .map(({ seq, partitionKey, body, receivedAt }) => ({
          seq: Number(seq),
          partitionKey: asked.get(partitionKey) ?? partitionKey,
          body,
          receivedAt,
        }))
        .sort((a, b) => a.seq - b.seq);
    },

    async partitionsAfter(after) {
      const asked = new Map<string, string>();
      for (const key of after.keys()) if (!asked.has(storable(key))) asked.set(storable(key), key);
      const entries = [...asked].map(([stored, key]) => ({ stored, key, seq: after.get(key)! }));
      const rows: PartitionBody[] = [];
      const through = new Map(entries.map(({ key, seq }) => [key, seq]));
      const counts = new Map<string, number>();
      // Each chunk of partitions read by its own index range (partition_key, seq): only what is new.
      for (let i = 0; i < entries.length; i += INSERT_CHUNK / 2) {
        const chunk = entries.slice(i, i + INSERT_CHUNK / 2);
        const found = await db
          .selectFrom("events")
          .select(["seq", "partition_key as partitionKey", dialect.bodyText.as("body"), "received_at as receivedAt"])
          .where((eb) => eb.or(chunk.map(({ stored, seq }) => eb.and([eb("partition_key", "=", stored), eb("seq", ">", seq)]))))
          .$narrowType<{ partitionKey: string }>()
          .execute();
        for (const row of found) {
          const key = asked.get(row.partitionKey) ?? row.partitionKey;
          const seq = Number(row.seq);
          rows.push({ seq, partitionKey: key, body: row.body, receivedAt: row.receivedAt });
          through.set(key, Math.max(through.get(key)!, seq));
        }
        const counted = await db
          .selectFrom("events")
          .select((eb) => ["partition_key as partitionKey", eb.fn.countAll<number | string>().as("n")])
          .where((eb) =>
            eb.or(chunk.map(({ stored, key }) => eb.and([eb("partition_key", "=", stored), eb("seq", "<=", through.get(key)!)]))),
          )
          .groupBy("partition_key")
          .$narrowType<{ partitionKey: string }>()
          .execute();
        for (const { partitionKey, n } of counted) counts.set(asked.get(partitionKey) ?? partitionKey, Number(n));
      }
      return { rows: rows.sort((a, b) => a.seq - b.seq), counts };
    },

    async scanEvents(afterSeq: number, limit: number): Promise<StoredEvent[]> {
      const rows = await db.selectFrom("events").selectAll().where("seq", ">", afterSeq).orderBy("seq").limit(limit).execute();
      return rows.map(toStoredEvent);
    },

    async newestSeqs(count: number): Promise<number[]> {
      const rows = await db.selectFrom("events").select("seq").orderBy("seq", "desc").limit(count).execute();
      return rows.map((row) => Number(row.seq));
    },

    async countEvents(): Promise<number> {
      const row = await db
        .selectFrom("events")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async recentPartitionKeys(count: number): Promise<string[]> {
      const rows = await db
        .selectFrom((eb) => eb.selectFrom("events").select("partition_key").orderBy("seq", "desc").limit(count).as("recent"))
        .select("partition_key")
        .distinct()
        .where("partition_key", "is not", null)
        .execute();
      return rows.map((r) => r.partition_key!);
    },

    async partitionKeys(): Promise<string[]> {
      const rows = await db
        .selectFrom("events")
        .select("partition_key")
        .distinct()
        .where("partition_key", "is not", null)
        .orderBy("partition_key")
        .execute();
      return rows.map((r) => r.partition_key!);
    },

    async listEvents(filter: EventFilter, limit: number, cursor: string | null): Promise<Page<StoredEvent>> {
      let query = db.selectFrom("events").selectAll().orderBy("seq").limit(limit + 1);
      if (filter.type) query = query.where("type", "=", storable(filter.type));
      if (filter.roomName) query = query.where("room_name", "=", storable(filter.roomName));
      if (filter.afterSeq !== undefined) query = query.where("seq", ">", filter.afterSeq);
      if (filter.session) {
        const partitionKey = storable(filter.session.partitionKey);
        const ids = filter.session.ids.map((id) => storable(id));
        query = query.where((eb) => {
          const among: Expression<SqlBool>[] = [];
          if (partitionKey !== null) among.push(eb("partition_key", "=", partitionKey));
          if (ids.length > 0) among.push(dialect.idAmong(ids));
          return among.length > 0 ? eb.or(among) : sql<SqlBool>`1 = 0`;
        });
      }
      if (cursor) {
        const [after] = decodeCursor(cursor, (p) => p.length === 1 && Number.isInteger(p[0]));
        query = query.where("seq", ">", after as number);
      }
      const rows = (await query.execute()).map(toStoredEvent);
      const more = rows.length > limit;
      const results = rows.slice(0, limit);
      return { results, cursor: more ? encodeCursor([results.at(-1)!.seq]) : null };
    },

    async roomArtifacts(roomName: string, from: string, to: string | null): Promise<StoredEvent[]> {
      let query = db
        .selectFrom("events")
        .selectAll()
        // Events without a roomSessionId are the room's partition.
        .where("partition_key", "=", storable(roomPartitionKey(roomName)))
        .where("created_at", ">=", from)
        .where("type", "in", ARTIFACT_TYPES)
        .orderBy("created_at")
        // Two artifacts of one instant (a recording and its transcript, say) keep the order they arrived in.
        .orderBy("seq");
      if (to !== null) query = query.where("created_at", "<=", to);
      return (await query.execute()).map(toStoredEvent);
    },
  };
}
