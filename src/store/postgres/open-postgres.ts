/** PostgreSQL: a pool with synchronous commit; many `meetmeter serve` processes may share one database. */
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { SCHEMA_NAME } from "../../config.js";
import type { EventStore } from "../event-store.js";
import type { Database as Schema } from "../schema.js";
import { sqlEventStore } from "../sql/index.js";
import { postgresDialect } from "./dialect.js";
import { openStoredRelay } from "./stored-relay.js";

export interface PostgresOptions {
  /** A schema of its own (made by migrate when missing): how tests keep their runs apart. */
  schema?: string;
  poolSize?: number;
  /** A query that takes longer fails: a store that stopped answering must not hold deliveries past Whereby's 5 s. */
  queryTimeoutMs?: number;
}

export async function openPostgresStore(url: string, options: PostgresOptions = {}): Promise<EventStore> {
  const settings = ["-c synchronous_commit=on"];
  if (options.schema !== undefined) {
    if (!SCHEMA_NAME.test(options.schema)) throw new Error(`invalid schema name ${options.schema}`);
    // The migrator makes it (safely when several processes start at once): opening connects to nothing, so that a
    // service can start while PostgreSQL is away.
    settings.push(`-c search_path=${options.schema}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    options: settings.join(" "),
    connectionTimeoutMillis: 2_000,
    query_timeout: options.queryTimeoutMs ?? 30_000,
  });
  // A client that loses its connection, idle or checked out, must not take the process down with it: the query
  // in flight fails on its own, and the pool replaces the client.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  const schema = options.schema ?? "public";
  // The connection that hears and announces what each process stored: its notices need not wait for the disk. TCP
  // keepalive, so that a connection the network silently dropped is noticed and made again.
  const listenerOptions = [...settings, "-c synchronous_commit=off"].join(" ");
  const listenerClient = () =>
    new pg.Client({
      connectionString: url,
      options: listenerOptions,
      connectionTimeoutMillis: 2_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
  const relay = (onStored: () => void) => openStoredRelay(listenerClient, schema, onStored);
  return sqlEventStore(postgresDialect, db, { schema, relay });
}
