/**
 * SQLite's fast path for the two writes that run all the time: each query of sql/writes.ts compiled once for a single
 * row, and run as a statement prepared once, since a query built and compiled for every batch cost more than the rows
 * themselves. Each call is one transaction.
 */
import type { Database as Sqlite } from "better-sqlite3";
import type { Compilable, Kysely } from "kysely";
import type { PartitionVersion } from "../event-store.js";
import type { Database } from "../schema.js";
import type { SessionRows } from "../session-rows.js";
import {
  claimPartitions,
  deletePeople,
  deleteSessions,
  insertEvents,
  insertPeople,
  trackFinals,
  upsertSessions,
  type EventRow,
} from "../sql/writes.js";

export interface SqliteWrites {
  insertEvents(rows: readonly EventRow[]): boolean[];
  replaceSessions(rows: SessionRows): void;
}

/**
 * A query of one row as a prepared statement; answers how many rows each run changed. Prepared on the first row:
 * compiled with each of its values replaced by its key, the query's parameters name the value each placeholder takes.
 */
function statementOf<Row extends object>(database: Sqlite, query: (row: Row) => Compilable): (row: Row) => number {
  let run: ((row: Row) => number) | undefined;
  const prepare = (row: Row) => {
    const keys = Object.fromEntries(Object.keys(row).map((key) => [key, key])) as Row;
    const { sql, parameters } = query(keys).compile();
    if (!parameters.every((key) => typeof key === "string" && key in row)) {
      throw new Error(`a prepared write takes every value from its row: ${sql}`);
    }
    const statement = database.prepare(sql);
    const names = parameters as (keyof Row)[];
    return (row: Row) => statement.run(...names.map((name) => row[name])).changes;
  };
  return (row) => (run ??= prepare(row))(row);
}

export function preparedWrites(database: Sqlite, db: Kysely<Database>): SqliteWrites {
  const insertEvent = statementOf<EventRow>(database, (row) => insertEvents(db, [row]));
  const claimPartition = statementOf<PartitionVersion>(database, (p) => claimPartitions(db, [p]));
  const deleteSessionsOf = statementOf<PartitionVersion>(database, (p) => deleteSessions(db, [p.partitionKey]));
  const deletePeopleOf = statementOf<PartitionVersion>(database, (p) => deletePeople(db, [p.partitionKey]));
  const upsertSession = statementOf<SessionRows["sessions"][number]>(database, (row) => upsertSessions(db, [row]));
  const trackFinal = statementOf<SessionRows["sessions"][number]>(database, (row) => trackFinals(db, [row]));
  const insertPerson = statementOf<SessionRows["people"][number]>(database, (row) => insertPeople(db, [row]));
  return {
    insertEvents: database.transaction((rows: readonly EventRow[]) => rows.map((row) => insertEvent(row) === 1)),
    replaceSessions: database.transaction(({ partitions, sessions, people }: SessionRows) => {
      const claimed = new Set<string>();
      for (const partition of partitions) {
        if (claimPartition(partition) === 0) continue;
        claimed.add(partition.partitionKey);
        deleteSessionsOf(partition);
        deletePeopleOf(partition);
      }
      for (const row of sessions) {
        if (!claimed.has(row.partition_key)) continue;
        upsertSession(row);
        trackFinal(row);
      }
      for (const row of people) if (claimed.has(row.partition_key)) insertPerson(row);
    }),
  };
}
