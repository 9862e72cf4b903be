/**
 * Chooses the store from DATABASE_URL: `sqlite:<path>` or `postgres://…`. A PostgreSQL URL may name a schema of
 * its own with `?schema=<name>` (created when missing), for several deployments in one database.
 */
import type { EventStore } from "./event-store.js";
import { openPostgresStore, type PostgresOptions } from "./postgres/open-postgres.js";
import { openSqliteStore } from "./sqlite/open-sqlite.js";

export async function openStore(databaseUrl: string, options: PostgresOptions = {}): Promise<EventStore> {
  if (databaseUrl.startsWith("sqlite:")) return openSqliteStore(databaseUrl.slice("sqlite:".length));
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get("schema");
  url.searchParams.delete("schema");
  return openPostgresStore(url.toString(), { ...options, ...(schema ? { schema } : {}) });
}

/** Where the store keeps files of its own (the API token): beside the SQLite file, or ./data for PostgreSQL. */
export function dataFolderOf(databaseUrl: string): string {
  if (databaseUrl.startsWith("sqlite:")) {
    const path = databaseUrl.slice("sqlite:".length);
    const slash = path.lastIndexOf("/");
    return path === ":memory:" ? "./data" : slash >= 0 ? path.slice(0, slash) || "/" : ".";
  }
  return "./data";
}
