/** The store itself (StoreAdmin) in SQL: migrations, a ping, set-up warnings, the relay, closing. */
import { Migrator, sql, type Kysely, type MigrationProvider } from "kysely";
import type { StoreAdmin, StoredRelay } from "../event-store.js";
import { migrations } from "../migrations.js";
import type { Database } from "../schema.js";
import type { SqlDialect } from "./dialect.js";

export interface SqlAdminOptions {
  /** The PostgreSQL schema the tables live in; names it for the migrator, which otherwise looks in every schema. */
  schema?: string;
  /** PostgreSQL: how the processes sharing the database tell each other that they stored events (see relayStored). */
  relay?: (onStored: () => void) => Promise<StoredRelay>;
}

export function sqlAdmin(db: Kysely<Database>, dialect: SqlDialect, options: SqlAdminOptions = {}): StoreAdmin {
  return {
    kind: dialect.kind,

    async migrate(): Promise<void> {
      const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
      const migrator = new Migrator({ db, provider, ...(options.schema ? { migrationTableSchema: options.schema } : {}) });
      const { error } = await migrator.migrateToLatest();
      if (error) throw error instanceof Error ? error : new Error(String(error));
    },

    async ping(): Promise<void> {
      await sql`select 1`.execute(db);
    },

    setupWarnings: () => dialect.setupWarnings(db),

    async relayStored(onStored: () => void): Promise<StoredRelay> {
      return options.relay ? options.relay(onStored) : { announce: () => {}, close: async () => {} };
    },

    async close(): Promise<void> {
      await db.destroy();
    },
  };
}
