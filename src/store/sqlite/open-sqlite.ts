/** SQLite: one file, WAL with synchronous=FULL so that a committed batch survives a power cut. */
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { makePrivateFile, makePrivateFolder } from "../../private-files.js";
import type { EventStore } from "../event-store.js";
import type { Database as Schema } from "../schema.js";
import { sqlEventStore } from "../sql/index.js";
import type { PreparedWrites } from "../sql/writes.js";
import { sqliteDialect } from "./dialect.js";
import { preparedWrites, type SqliteWrites } from "./prepared-writes.js";

/**
 * `relaxedCommits`: this connection's commits are not synced to disk each (`synchronous=NORMAL`): a power cut may take
 * back its last ones, never a crash of the process, and never what another connection committed in full. For writes
 * that are safe to lose so and are made again (the outbox's: an announcement lost whole is made again, a try lost is
 * tried again).
 */
export function openSqliteStore(path: string, { relaxedCommits = false }: { relaxedCommits?: boolean } = {}): EventStore {
  if (path !== ":memory:") {
    makePrivateFolder(dirname(path));
    // SQLite gives its -wal and -shm files the mode of the database file, so that file is made first, private.
    makePrivateFile(path);
  }
  const database = new Database(path);
  database.pragma("journal_mode = WAL");
  database.pragma(relaxedCommits ? "synchronous = NORMAL" : "synchronous = FULL");
  database.pragma("busy_timeout = 5000");
  database.pragma("foreign_keys = ON");
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database }) });
  // Prepared on first use, since the tables exist only once the store is migrated. Holding Kysely's one connection
  // keeps every other query of this store out while the rows go in.
  let writes: SqliteWrites | undefined;
  const ready = () => (writes ??= preparedWrites(database, db));
  const prepared: PreparedWrites = {
    insertEvents: (rows) => db.connection().execute(async () => ready().insertEvents(rows)),
    replaceSessions: (rows) => db.connection().execute(async () => ready().replaceSessions(rows)),
  };
  return sqlEventStore(sqliteDialect, db, { prepared });
}
