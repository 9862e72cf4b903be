/**
 * The EventStore over Kysely: the same queries serve SQLite and PostgreSQL. Each database's file in sqlite/ and
 * postgres/ only opens the connection with its durability settings.
 */
import { Migrator, sql, type Expression, type Kysely, type MigrationProvider, type SqlBool } from "kysely";
import { ARTIFACT_TYPES, roomPartitionKey } from "../attendance/index.js";
import {
  SessionsRefusedError,
  type AppendOutcome,
  type EventFilter,
  type EventStore,
  type IncomingEvent,
  type Page,
  type PartitionBody,
  type PersonMatch,
  type PersonSessionRow,
  type QuarantinedDelivery,
  type RoomRow,
  type SavedSummary,
  type SessionFilter,
  type StoredEvent,
  type StoredRelay,
  type StoredSession,
  type UsageRow,
} from "./event-store.js";
import { migrations, type Dialect } from "./migrations.js";
import type { Database, EventsTable } from "./schema.js";
import { partsOf, type SessionRows } from "./session-rows.js";
import { NUL_STANDS_FOR, storable } from "./storable-text.js";
import type { Selectable } from "kysely";

/** Rows per INSERT statement: well under SQLite's 32766 bound variables at 10 columns a row. */
const INSERT_CHUNK = 500;

/** PostgreSQL's SQLSTATE for a transaction it ended to break a deadlock. */
const DEADLOCK_DETECTED = "40P01";

/**
 * Whether a write failed for what its rows hold rather than for the database's state: PostgreSQL's data exceptions
 * (22…) and program limits (54…, an index row too large), SQLite's value too big. A retry of such a row fails again.
 */
function refusedForItsValues(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (/^(22|54)[0-9A-Z]{3}$/.test(code) || code === "SQLITE_TOOBIG");
}

/** Thrown for a cursor that this store did not hand out: the API answers 400. */
export class InvalidCursorError extends Error {
  constructor() {
    super("cursor is not one this server handed out");
  }
}

function encodeCursor(parts: unknown[]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

function decodeCursor(cursor: string, check: (parts: unknown[]) => boolean): unknown[] {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    // A NUL is in no cursor handed out, and PostgreSQL refuses to compare text holding one.
    if (Array.isArray(parts) && check(parts) && !parts.some((p) => typeof p === "string" && p.includes("\0"))) return parts;
  } catch {
    // fall through to the error below
  }
  throw new InvalidCursorError();
}

/**
 * The id and type an event was sent with. Where the columns hold ␀ for a NUL (see storable), they are read from the
 * body, which keeps them as sent: so an event comes back, to the API, the live stream and the spool's drain, as it came.
 */
function envelopeOf(row: Selectable<EventsTable>): { id: string; type: string } {
  if (!row.id.includes(NUL_STANDS_FOR) && !row.type.includes(NUL_STANDS_FOR)) return { id: row.id, type: row.type };
  try {
    const text = Buffer.from(row.body).toString("utf8");
    const sent = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as { id?: unknown; type?: unknown };
    return {
      id: typeof sent.id === "string" && storable(sent.id) === row.id ? sent.id : row.id,
      type: typeof sent.type === "string" && storable(sent.type) === row.type ? sent.type : row.type,
    };
  } catch {
    return { id: row.id, type: row.type };
  }
}

function toStoredEvent(row: Selectable<EventsTable>): StoredEvent {
  return {
    seq: Number(row.seq),
    ...envelopeOf(row),
    createdAt: row.created_at,
    receivedAt: row.received_at,
    channel: row.channel,
    roomName: row.room_name,
    roomSessionId: row.room_session_id,
    partitionKey: row.partition_key,
    body: Buffer.isBuffer(row.body) ? row.body : Buffer.from(row.body),
  };
}

/** Derived rows with their text as the columns hold it (see storable); the JSON columns need nothing, JSON escapes NUL. */
function storableSessionRows(rows: SessionRows): SessionRows {
  return {
    partitions: rows.partitions.map((p) => ({ ...p, partitionKey: storable(p.partitionKey) })),
    sessions: rows.sessions.map((s) => ({
      ...s,
      id: storable(s.id),
      partition_key: storable(s.partition_key),
      room_name: storable(s.room_name),
    })),
    people: rows.people.map((p) => ({
      ...p,
      session_id: storable(p.session_id),
      person_key: storable(p.person_key),
      partition_key: storable(p.partition_key),
      room_name: storable(p.room_name),
      display_name: storable(p.display_name),
    })),
  };
}

/** Rows as inserted. */
export type EventRow = Omit<Selectable<EventsTable>, "seq">;

/**
 * The two writes that run all the time, each in one transaction, for a database that can do them faster than a query
 * built anew for every batch of rows (SQLite, with statements prepared once). Both behave exactly as the Kysely
 * queries below.
 */
export interface PreparedWrites {
  /** Inserts events, skipping ids already there; one flag per row, true where it was new. */
  insertEvents(rows: readonly EventRow[]): Promise<boolean[]>;
  /** Replaces every session and attendance row of these partitions with the given ones. */
  replaceSessions(rows: SessionRows): Promise<void>;
}

export interface SqlEventStoreOptions {
  /** The PostgreSQL schema the tables live in; names it for the migrator, which otherwise looks in every schema. */
  schema?: string;
  prepared?: PreparedWrites;
  /** PostgreSQL: how the processes sharing the database tell each other what they stored (see relayStored). */
  relay?: (onStored: (ids: string[]) => void) => Promise<StoredRelay>;
}

export class SqlEventStore implements EventStore {
  private readonly schema: string | undefined;
  private readonly prepared: PreparedWrites | undefined;
  private readonly relay: SqlEventStoreOptions["relay"];

  constructor(
    readonly kind: Dialect,
    private readonly db: Kysely<Database>,
    options: SqlEventStoreOptions = {},
  ) {
    this.schema = options.schema;
    this.prepared = options.prepared;
    this.relay = options.relay;
  }

  async migrate(): Promise<void> {
    const provider: MigrationProvider = { getMigrations: async () => migrations(this.kind) };
    const migrator = new Migrator({
      db: this.db,
      provider,
      ...(this.schema ? { migrationTableSchema: this.schema } : {}),
    });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(String(error));
  }

  /** Inserts rows, skipping ids already stored, in one transaction; answers the ids that were new. */
  private async insertEventRows(rows: EventRow[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const insert = async (db: Kysely<Database>, chunk: EventRow[]) => {
      const added = await db
        .insertInto("events")
        .values(chunk)
        .onConflict((oc) => oc.column("id").doNothing())
        .returning("id")
        .execute();
      return added.map((row) => row.id);
    };
    try {
      // One statement is a transaction of its own: no begin and commit, two round trips fewer for every batch.
      if (rows.length <= INSERT_CHUNK) return await insert(this.db, rows);
      return await this.db.transaction().execute(async (trx) => {
        const ids: string[] = [];
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
          ids.push(...(await insert(trx, rows.slice(i, i + INSERT_CHUNK))));
        }
        return ids;
      });
    } catch (error) {
      if ((error as { code?: string }).code !== DEADLOCK_DETECTED) throw error;
      // Two batches committing at once (in this process or another) that hold some ids in opposite orders each wait
      // for the other, and PostgreSQL ends one of them. That one is stored a row at a time, in its order: a statement
      // of one row never holds one id while it waits for another, so it cannot be caught in a deadlock again.
      const ids: string[] = [];
      for (const row of rows) ids.push(...(await insert(this.db, [row])));
      return ids;
    }
  }

  /** Inserts rows, skipping ids already stored, in one transaction; one flag per row, true where it was new. */
  private async insertRows(rows: EventRow[]): Promise<boolean[]> {
    if (this.prepared) return this.prepared.insertEvents(rows);
    const inserted = new Set(await this.insertEventRows(rows));
    return rows.map((row) => inserted.has(row.id));
  }

  async append(events: readonly IncomingEvent[]): Promise<AppendOutcome[]> {
    const seen = new Set<string>();
    const rows: EventRow[] = events
      .map((e) => ({
        id: storable(e.id),
        type: storable(e.type),
        created_at: e.createdAt,
        received_at: e.receivedAt,
        channel: storable(e.channel),
        room_name: storable(e.roomName),
        room_session_id: storable(e.roomSessionId),
        partition_key: storable(e.partitionKey),
        body: e.body,
      }))
      .filter((row) => !seen.has(row.id) && seen.add(row.id));
    const outcomes = new Map<string, AppendOutcome>();
    try {
      (await this.insertRows(rows)).forEach((fresh, i) => outcomes.set(rows[i]!.id, fresh));
    } catch (error) {
      if (!refusedForItsValues(error)) throw error;
      // A row the database will never take (a room name too long for its index, say) must not fail the batch it
      // happened to share, nor be retried for ever: the rows go in one at a time, and only those at fault are refused.
      for (const row of rows) {
        try {
          outcomes.set(row.id, (await this.insertRows([row]))[0]!);
        } catch (rowError) {
          if (!refusedForItsValues(rowError)) throw rowError;
          outcomes.set(row.id, { refused: (rowError as Error).message });
        }
      }
    }
    const answered = new Set<string>();
    return events.map((event) => {
      const id = storable(event.id);
      const outcome = outcomes.get(id)!;
      // The same id again in one batch is a duplicate of the first, if that was stored.
      const first = !answered.has(id);
      answered.add(id);
      return first || outcome !== true ? outcome : false;
    });
  }

  async quarantine(deliveries: readonly QuarantinedDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.db
      .insertInto("quarantine")
      .values(
        deliveries.map((d) => ({
          received_at: d.receivedAt,
          channel: storable(d.channel),
          reason: storable(d.reason),
          message: storable(d.message),
          body: d.body,
        })),
      )
      .execute();
  }

  async listQuarantine(limit: number, cursor: string | null): Promise<Page<QuarantinedDelivery & { seq: number }>> {
    let query = this.db.selectFrom("quarantine").selectAll().orderBy("seq").limit(limit + 1);
    if (cursor) {
      const [after] = decodeCursor(cursor, (p) => p.length === 1 && Number.isInteger(p[0]));
      query = query.where("seq", ">", after as number);
    }
    const rows = await query.execute();
    const results = rows.slice(0, limit).map((r) => ({
      seq: Number(r.seq),
      receivedAt: r.received_at,
      channel: r.channel,
      reason: r.reason,
      message: r.message,
      body: Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body),
    }));
    return { results, cursor: rows.length > limit ? encodeCursor([results.at(-1)!.seq]) : null };
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async setupWarnings(): Promise<string[]> {
    if (this.kind !== "postgres") return [];
    const { rows } = await sql<{ on: boolean }>`select current_setting('autovacuum')::boolean as on`.execute(this.db);
    if (rows[0]?.on !== false) return [];
    // Sessions are derived again as their events arrive, and each time their rows are replaced: measured on 20
    // simulated classes, 221 dead session rows beside 20 live ones, and the table 13 times the size of its data.
    return [
      "PostgreSQL's autovacuum is off: the derived sessions, replaced as their events arrive, leave dead rows that " +
        "only VACUUM reclaims, and their tables grow without end. Turn autovacuum on, or vacuum them regularly.",
    ];
  }

  async relayStored(onStored: (ids: string[]) => void): Promise<StoredRelay> {
    return this.relay ? this.relay(onStored) : { announce: () => {}, close: async () => {} };
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  async refreshStatistics(): Promise<void> {
    // SQLite reads a partition by its index with or without statistics; its ANALYZE would read every index in full.
    if (this.kind === "postgres") await sql`analyze events`.execute(this.db);
  }

  async bodiesOfPartitions(partitionKeys: readonly string[]): Promise<PartitionBody[]> {
    // Only the columns deriving reads, the body as text: a rebuild reads every event, and each column is a value made.
    const body =
      this.kind === "sqlite" ? sql<string>`cast(body as text)` : sql<string>`convert_from(body, 'UTF8')`;
    // Each row answers with the key it was asked for, which its column may hold otherwise (see storable).
    const asked = new Map<string, string>();
    for (const key of partitionKeys) if (!asked.has(storable(key))) asked.set(storable(key), key);
    const rows: { seq: number | string; partitionKey: string; body: string; receivedAt: string }[] = [];
    const keys = [...asked.keys()];
    for (let i = 0; i < keys.length; i += INSERT_CHUNK) {
      const chunk = await this.db
        .selectFrom("events")
        .select(["seq", "partition_key as partitionKey", body.as("body"), "received_at as receivedAt"])
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
  }

  async scanEvents(afterSeq: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.db
      .selectFrom("events")
      .selectAll()
      .where("seq", ">", afterSeq)
      .orderBy("seq")
      .limit(limit)
      .execute();
    return rows.map(toStoredEvent);
  }

  async countEvents(): Promise<number> {
    const row = await this.db
      .selectFrom("events")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async deleteEventsThrough(seq: number): Promise<void> {
    await this.db.deleteFrom("events").where("seq", "<=", seq).execute();
  }

  async recentPartitionKeys(count: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom((eb) => eb.selectFrom("events").select("partition_key").orderBy("seq", "desc").limit(count).as("recent"))
      .select("partition_key")
      .distinct()
      .where("partition_key", "is not", null)
      .execute();
    return rows.map((r) => r.partition_key!);
  }

  async partitionKeys(): Promise<string[]> {
    const rows = await this.db
      .selectFrom("events")
      .select("partition_key")
      .distinct()
      .where("partition_key", "is not", null)
      .orderBy("partition_key")
      .execute();
    return rows.map((r) => r.partition_key!);
  }

  async listEvents(filter: EventFilter, limit: number, cursor: string | null): Promise<Page<StoredEvent>> {
    let query = this.db.selectFrom("events").selectAll().orderBy("seq").limit(limit + 1);
    if (filter.type) query = query.where("type", "=", storable(filter.type));
    if (filter.roomName) query = query.where("room_name", "=", storable(filter.roomName));
    if (filter.session) {
      const partitionKey = storable(filter.session.partitionKey);
      const ids = filter.session.ids.map((id) => storable(id));
      query = query.where((eb) => {
        const among: Expression<SqlBool>[] = [];
        if (partitionKey !== null) among.push(eb("partition_key", "=", partitionKey));
        // One parameter however many ids: a JSON array on SQLite, an array on PostgreSQL.
        if (ids.length > 0) {
          among.push(
            this.kind === "sqlite"
              ? sql<SqlBool>`id in (select value from json_each(${JSON.stringify(ids)}))`
              : sql<SqlBool>`id = any(${[...ids]}::text[])`,
          );
        }
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
  }

  async roomArtifacts(roomName: string, from: string, to: string | null): Promise<StoredEvent[]> {
    let query = this.db
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
  }

  async replaceSessions(derived: SessionRows): Promise<void> {
    if (derived.partitions.length === 0) return;
    const rows = storableSessionRows(derived);
    try {
      return await this.saveSessionRows(rows);
    } catch (error) {
      if (!refusedForItsValues(error)) throw error;
      if (rows.partitions.length === 1) throw new SessionsRefusedError([derived.partitions[0]!.partitionKey], [(error as Error).message]);
    }
    // A partition whose rows the database will never take (a person's key too long for its index, say) must not
    // keep the others saved with it from being saved: each alone, and only those at fault fail.
    const refused: string[] = [];
    const reasons: string[] = [];
    for (const [i, part] of partsOf(rows, 1).entries()) {
      try {
        await this.saveSessionRows(part);
      } catch (error) {
        if (!refusedForItsValues(error)) throw error;
        refused.push(derived.partitions[i]!.partitionKey);
        reasons.push((error as Error).message);
      }
    }
    throw new SessionsRefusedError(refused, reasons);
  }

  private async saveSessionRows(rows: SessionRows): Promise<void> {
    if (this.prepared) return this.prepared.replaceSessions(rows);
    await this.db.transaction().execute(async (trx) => {
      // A partition is saved only from a derivation that saw at least what the saved one did (see PartitionVersion).
      // Claimed in key order, so that two processes saving the same partitions lock them in the same order.
      const claimed = new Set<string>();
      const partitions = [...rows.partitions].sort((a, b) =>
        a.partitionKey < b.partitionKey ? -1 : a.partitionKey > b.partitionKey ? 1 : 0,
      );
      for (let i = 0; i < partitions.length; i += INSERT_CHUNK) {
        const won = await trx
          .insertInto("derived_partitions")
          .values(
            partitions.slice(i, i + INSERT_CHUNK).map((p) => ({
              partition_key: p.partitionKey,
              through_seq: p.throughSeq,
              events: p.events,
            })),
          )
          .onConflict((oc) =>
            oc
              .column("partition_key")
              .doUpdateSet((eb) => ({ through_seq: eb.ref("excluded.through_seq"), events: eb.ref("excluded.events") }))
              .where(
                sql<SqlBool>`(derived_partitions.through_seq, derived_partitions.events) <= (excluded.through_seq, excluded.events)`,
              ),
          )
          .returning("partition_key")
          .execute();
        for (const row of won) claimed.add(row.partition_key);
      }
      const keys = partitions.map((p) => p.partitionKey).filter((key) => claimed.has(key));
      const sessions = rows.sessions.filter((row) => claimed.has(row.partition_key));
      const people = rows.people.filter((row) => claimed.has(row.partition_key));
      for (let i = 0; i < keys.length; i += INSERT_CHUNK) {
        const chunk = keys.slice(i, i + INSERT_CHUNK);
        await trx.deleteFrom("sessions").where("partition_key", "in", chunk).execute();
        await trx.deleteFrom("session_people").where("partition_key", "in", chunk).execute();
      }
      // 11 columns a row: chunks stay well under SQLite's bound-variable limit.
      for (let i = 0; i < sessions.length; i += INSERT_CHUNK) {
        await trx
          .insertInto("sessions")
          .values(sessions.slice(i, i + INSERT_CHUNK))
          // Two partitions can claim one id only if a roomSessionId collides with a derived id: the later wins.
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
            })),
          )
          .execute();
      }
      for (let i = 0; i < people.length; i += INSERT_CHUNK) {
        await trx
          .insertInto("session_people")
          .values(people.slice(i, i + INSERT_CHUNK))
          .onConflict((oc) => oc.columns(["person_key", "session_id"]).doNothing())
          .execute();
      }
    });
  }

  async clearSessions(): Promise<void> {
    // PostgreSQL's delete leaves every row it removes behind as a dead row until a vacuum: a rebuild would leave the
    // whole previous generation of sessions, and insert the new one beside it. Truncate empties the files.
    // Which derivation each partition came from goes too: what is derived next replaces it whatever it saw.
    if (this.kind === "postgres") {
      return void (await sql`truncate sessions, session_people, derived_partitions`.execute(this.db));
    }
    // SQLite's delete without a where clause already empties the tables whole.
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("sessions").execute();
      await trx.deleteFrom("session_people").execute();
      await trx.deleteFrom("derived_partitions").execute();
    });
  }

  async listSessions(filter: SessionFilter, limit: number, cursor: string | null): Promise<Page<SavedSummary>> {
    let query = this.db
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
  }

  async getSession(id: string): Promise<StoredSession | null> {
    const row = await this.db
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
  }

  async sessionsOfPerson(key: string): Promise<PersonSessionRow[]> {
    const rows = await this.db
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
  }

  async findPeople(text: string, limit: number): Promise<PersonMatch[]> {
    // LIKE's own wildcards in the text are matched literally.
    const pattern = `%${storable(text).toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.db
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
  }

  async rooms(limit: number, cursor: string | null): Promise<Page<RoomRow>> {
    let query = this.db
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
        : await this.db
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
  }

  async usage(from: string | null, to: string | null): Promise<UsageRow[]> {
    let query = this.db
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
  }
}
