/** What SQLite does its own way (see SqlDialect). */
import { sql, type SqlBool } from "kysely";
import type { SqlDialect } from "../sql/dialect.js";

export const sqliteDialect: SqlDialect = {
  kind: "sqlite",
  bytesType: "blob",
  seqColumn: { type: "integer", define: (column) => column.primaryKey().autoIncrement() },
  skipLocked: false,
  bodyText: sql<string>`cast(body as text)`,
  // One parameter: a JSON array.
  idAmong: (ids) => sql<SqlBool>`id in (select value from json_each(${JSON.stringify(ids)}))`,
  setupWarnings: async () => [],
  // SQLite reads a partition by its index with or without statistics; its ANALYZE would read every index in full.
  refreshStatistics: async () => {},
  // A delete without a where clause empties a SQLite table whole.
  clearSessions: (db) =>
    db.transaction().execute(async (trx) => {
      await trx.deleteFrom("sessions").execute();
      await trx.deleteFrom("session_people").execute();
      await trx.deleteFrom("derived_partitions").execute();
    }),
};
