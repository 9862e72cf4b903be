/** What PostgreSQL does its own way (see SqlDialect). */
import { sql, type SqlBool } from "kysely";
import type { SqlDialect } from "../sql/dialect.js";

export const postgresDialect: SqlDialect = {
  kind: "postgres",
  bytesType: "bytea",
  seqColumn: { type: "bigserial", define: (column) => column.primaryKey() },
  skipLocked: true,
  bodyText: sql<string>`convert_from(body, 'UTF8')`,
  // One parameter: an array.
  idAmong: (ids) => sql<SqlBool>`id = any(${[...ids]}::text[])`,
  async setupWarnings(db) {
    const { rows } = await sql<{ on: boolean }>`select current_setting('autovacuum')::boolean as on`.execute(db);
    if (rows[0]?.on !== false) return [];
    // Sessions are derived again as their events arrive, and each time their rows are replaced: measured on 20
    // simulated classes, 221 dead session rows beside 20 live ones, and the table 13 times the size of its data.
    return [
      "PostgreSQL's autovacuum is off: the derived sessions, replaced as their events arrive, leave dead rows that " +
        "only VACUUM reclaims, and their tables grow without end. Turn autovacuum on, or vacuum them regularly.",
    ];
  },
  async refreshStatistics(db) {
    await sql`analyze events`.execute(db);
  },
  // A delete leaves every row it removes behind as a dead row until a vacuum: a rebuild would leave the whole
  // previous generation of sessions, and insert the new one beside it. Truncate empties the files.
  async clearSessions(db) {
    await sql`truncate sessions, session_people, derived_partitions`.execute(db);
  },
};
