/** Opens each kind of store fresh for a test: a temporary SQLite file, or a PostgreSQL schema of its own. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DatabaseConfig } from "../../src/config.js";
import type { EventStore, IncomingEvent } from "../../src/store/event-store.js";
import { openPostgresStore } from "../../src/store/postgres/open-postgres.js";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite.js";
import { POSTGRES_URL, dropSchema, freshSchemaName, postgresAvailable, postgresDatabase } from "./postgres.js";

export type StoreKind = "sqlite" | "postgres";

export interface TestStore {
  store: EventStore;
  /** The same store as the configuration names it: for a service or a store of its own in this process. */
  database: DatabaseConfig;
  /** The same store as a DATABASE_URL (or --database): for a server or command in a process of its own. */
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
      database: { kind: "sqlite", path },
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
    database: postgresDatabase(schema),
    databaseUrl: `${POSTGRES_URL}?schema=${schema}`,
    cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
}

/** The file of a SQLite test store. */
export function sqlitePath(database: DatabaseConfig): string {
  if (database.kind !== "sqlite") throw new Error("not a SQLite store");
  return database.path;
}

/** An event as the log takes it, a join in session s-1 of /math-101 unless overridden; its body holds text to keep. */
export function incomingEvent(id: string, overrides: Partial<IncomingEvent> = {}): IncomingEvent {
  return {
    id,
    type: "room.client.joined",
    createdAt: "2026-03-02T09:00:00.000Z",
    receivedAt: "2026-03-02T09:00:01.000Z",
    channel: null,
    roomName: "/math-101",
    roomSessionId: "s-1",
    partitionKey: "session:s-1",
    body: Buffer.from(JSON.stringify({ id, note: "é\u0000 raw" })),
    ...overrides,
  };
}
