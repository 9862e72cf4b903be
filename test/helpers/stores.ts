/** Opens each kind of store fresh for a test: a temporary SQLite file, or a PostgreSQL schema of its own. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventStore } from "../../src/store/event-store.js";
import { openPostgresStore } from "../../src/store/postgres/open-postgres.js";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite.js";
import { POSTGRES_URL, dropSchema, freshSchemaName, postgresAvailable } from "./postgres.js";

export type StoreKind = "sqlite" | "postgres";

export interface TestStore {
  store: EventStore;
  /** A DATABASE_URL that a server process can open the same store with. */
  databaseUrl: string;
  /** Closes the store (if still open) and removes its file or schema. */
  cleanup(): Promise<void>;
}

/** The kinds to run store-backed suites on: PostgreSQL only when it is there (or when CI requires it). */
export const STORE_KINDS: StoreKind[] = postgresAvailable ? ["sqlite", "postgres"] : ["sqlite"];

export function tempDir(prefix = "meetmeter-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function openTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === "sqlite") {
    const dir = tempDir();
    const path = join(dir, "meetmeter.db");
    const store = openSqliteStore(path);
    await store.migrate();
    let closed = false;
    const close = store.close.bind(store);
    store.close = async () => {
      if (!closed) await close();
      closed = true;
    };
    return {
      store,
      databaseUrl: `sqlite:${path}`,
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = freshSchemaName();
  const store = await openPostgresStore(POSTGRES_URL, { schema });
  await store.migrate();
  let closed = false;
  const close = store.close.bind(store);
  store.close = async () => {
    if (!closed) await close();
    closed = true;
  };
  return {
    store,
    databaseUrl: `${POSTGRES_URL}?schema=${schema}`,
    cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
}
