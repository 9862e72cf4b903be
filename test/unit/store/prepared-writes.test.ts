import { join } from "node:path";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import type { EventStore } from "../../../src/store/event-store.js";
import type { Database as Schema } from "../../../src/store/schema.js";
import type { SessionPersonRow, SessionRow, SessionRows } from "../../../src/store/session-rows.js";
import { sqlEventStore } from "../../../src/store/sql/index.js";
import { sqliteDialect } from "../../../src/store/sqlite/dialect.js";
import { openSqliteStore } from "../../../src/store/sqlite/open-sqlite.js";
import { incomingEvent, tempDir } from "../../helpers/stores.js";

/** SQLite's store with its prepared statements, and the same store running the Kysely queries as they are. */
async function bothPaths(): Promise<{ name: string; path: string; store: EventStore }[]> {
  const dir = tempDir();
  const prepared = join(dir, "prepared.db");
  const queries = join(dir, "queries.db");
  const stores = [
    { name: "prepared", path: prepared, store: openSqliteStore(prepared) },
    {
      name: "queries",
      path: queries,
      store: sqlEventStore(sqliteDialect, new Kysely<Schema>({ dialect: new SqliteDialect({ database: new Database(queries) }) })),
    },
  ];
  for (const { store } of stores) await store.migrate();
  return stores;
}

function tables(path: string) {
  const database = new Database(path, { readonly: true });
  try {
    const all = (sql: string) => database.prepare(sql).all();
    return {
      events: all("select * from events order by seq"),
      sessions: all("select * from sessions order by id"),
      people: all("select * from session_people order by session_id, person_key"),
      partitions: all("select * from derived_partitions order by partition_key"),
      finals: all("select * from session_finals order by session_id"),
    };
  } finally {
    database.close();
  }
}

function session(id: string, partitionKey: string, minutes: number): SessionRow {
  return {
    id,
    partition_key: partitionKey,
    room_name: "/math-101",
    started_at: "2026-03-02T09:00:00.000Z",
    ongoing: 0,
    participant_seconds: minutes * 60,
    billable_minutes: minutes,
    unique_participants: 1,
    summary: JSON.stringify({ id, minutes }),
    detail: JSON.stringify({ id, minutes, participants: [] }),
    event_ids: partitionKey.startsWith("room:") ? JSON.stringify([`${id}-join`, `${id}-leave`]) : null,
    meeting_id: minutes % 2 === 0 ? `meeting-${id}` : null,
    ends_at: minutes % 3 === 0 ? null : `2026-03-02T09:${String(minutes % 60).padStart(2, "0")}:00.000Z`,
  };
}

function person(sessionId: string, partitionKey: string, key: string): SessionPersonRow {
  return {
    session_id: sessionId,
    person_key: key,
    partition_key: partitionKey,
    room_name: "/math-101",
    started_at: "2026-03-02T09:00:00.000Z",
    ongoing: 0,
    display_name: key.toUpperCase(),
    connected_seconds: 600,
    attendance_percent: 50,
  };
}

function rows(throughSeq: number, sessions: SessionRow[], people: SessionPersonRow[] = []): SessionRows {
  const keys = [...new Set(sessions.map((s) => s.partition_key))];
  return { partitions: keys.map((partitionKey) => ({ partitionKey, throughSeq, events: throughSeq })), sessions, people };
}

describe("SQLite's prepared writes", () => {
  let stores: { store: EventStore }[] = [];
  afterEach(async () => {
    for (const { store } of stores) await store.close();
    stores = [];
  });

  it("leave the same rows behind as the queries they are compiled from, write after write", async () => {
    const both = await bothPaths();
    stores = both;
    const writes: ((store: EventStore) => Promise<unknown>)[] = [
      (store) => store.append([incomingEvent("e-1"), incomingEvent("e-2", { channel: "joins" }), incomingEvent("e-1")]),
      (store) => store.append([incomingEvent("e-2"), incomingEvent("e-3", { partitionKey: null, roomSessionId: null })]),
      (store) => store.replaceSessions(rows(2, [session("s-1", "session:s-1", 10)], [person("s-1", "session:s-1", "ana")])),
      // An older derivation of the same partition is left out; a newer one replaces every row of it.
      (store) => store.replaceSessions(rows(1, [session("s-1", "session:s-1", 1)], [person("s-1", "session:s-1", "old")])),
      (store) =>
        store.replaceSessions(
          rows(3, [session("s-1", "session:s-1", 20), session("s-2", "session:s-1", 5), session("r-1", "room:/x", 7)], [
            person("s-1", "session:s-1", "ana"),
            person("s-1", "session:s-1", "ana"),
            person("s-2", "session:s-1", "ben"),
          ]),
        ),
    ];
    const [prepared, queries] = both.map(() => [] as { answer: unknown; tables: ReturnType<typeof tables> }[]);
    for (const write of writes) {
      for (const [i, { store, path }] of both.entries()) {
        const answer = await write(store);
        [prepared, queries][i]!.push({ answer, tables: tables(path) });
      }
    }
    expect(prepared!.map((step) => step.answer).slice(0, 2)).toEqual([
      [true, true, false],
      [false, true],
    ]);
    const minutes = (step: { tables: ReturnType<typeof tables> }) =>
      step.tables.sessions.map((s) => (s as SessionRow).billable_minutes);
    expect(prepared!.slice(2).map(minutes)).toEqual([[10], [10], [7, 20, 5]]);
    expect(prepared!.at(-1)!.tables.people).toHaveLength(2);
    expect(prepared).toEqual(queries);
  });
});
