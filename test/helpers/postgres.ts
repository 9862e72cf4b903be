/**
 * PostgreSQL for tests: each run gets a fresh schema of its own, so runs never collide. With CI=true the
 * PostgreSQL suites must run; elsewhere they are skipped, loudly, when no server answers.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { DatabaseConfig } from "../../src/config.js";

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function probe(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export const postgresAvailable = await probe();

if (!postgresAvailable) {
  if (process.env.CI === "true") {
    throw new Error(`PostgreSQL is not reachable at ${POSTGRES_URL}, and CI=true requires the PostgreSQL suites.`);
  }
  console.warn(`\n*** PostgreSQL is not reachable at ${POSTGRES_URL}: its test suites are SKIPPED. ***\n`);
}

export function freshSchemaName(): string {
  return `t_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
}

/** The store in `schema` of the test server (or, given `url`, of the same server reached another way). */
export function postgresDatabase(schema: string, url = POSTGRES_URL): DatabaseConfig {
  return { kind: "postgres", url, schema };
}

/** One query on a connection of its own, beside whatever store a test has open: for looking at the server itself. */
export async function queryPostgres<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await queryPostgres(`drop schema if exists ${schema} cascade`);
}
