/**
 * Opens the configured store (see DatabaseConfig): a SQLite file, or PostgreSQL, in a schema of its own when one is
 * named (created when missing), for several deployments in one database.
 */
import type { DatabaseConfig } from "../config.js";
import type { EventStore } from "./event-store.js";
import { openPostgresStore, type PostgresOptions } from "./postgres/open-postgres.js";
import { openSqliteStore } from "./sqlite/open-sqlite.js";

export interface StoreOptions extends Omit<PostgresOptions, "schema"> {
  /** SQLite: commits that may be lost with power (not with the process) in return for no fsync each (see open-sqlite.ts). */
  relaxedCommits?: boolean;
}

export async function openStore(database: DatabaseConfig, options: StoreOptions = {}): Promise<EventStore> {
  if (database.kind === "sqlite") return openSqliteStore(database.path, { relaxedCommits: options.relaxedCommits });
  return openPostgresStore(database.url, { ...options, ...(database.schema !== null ? { schema: database.schema } : {}) });
}

/** Where the store keeps files of its own (the API token): beside the SQLite file, or ./data for PostgreSQL. */
export function dataFolderOf(database: DatabaseConfig): string {
  if (database.kind === "sqlite") {
    const { path } = database;
    const slash = path.lastIndexOf("/");
    return path === ":memory:" ? "./data" : slash >= 0 ? path.slice(0, slash) || "/" : ".";
  }
  return "./data";
}
