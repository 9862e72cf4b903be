/** SQLite: one file, WAL with synchronous=FULL so that a committed batch survives a power cut. */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { Database as Schema } from "../schema.js";
import { SqlEventStore } from "../sql-store.js";

export function openSqliteStore(path: string): SqlEventStore {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = FULL");
  database.pragma("busy_timeout = 5000");
  database.pragma("foreign_keys = ON");
  return new SqlEventStore("sqlite", new Kysely<Schema>({ dialect: new SqliteDialect({ database }) }));
}
