/**
 * What SQLite and PostgreSQL do differently, in one object each (sqlite/dialect.ts, postgres/dialect.ts): every other
 * query in sql/ is the same for both.
 */
import type { ColumnDefinitionBuilder, Kysely, RawBuilder, SqlBool } from "kysely";
import type { Database } from "../schema.js";

export interface SqlDialect {
  readonly kind: "sqlite" | "postgres";
  /** The column type of a body kept byte for byte. */
  readonly bytesType: "blob" | "bytea";
  /** A key that counts up as rows are inserted: the log's and the quarantine's order of arrival. */
  readonly seqColumn: {
    type: "integer" | "bigserial";
    define: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  };
  /** Whether a claiming read can pass over rows another transaction holds (`for update skip locked`). */
  readonly skipLocked: boolean;
  /** An event's body as text. */
  readonly bodyText: RawBuilder<string>;
  /** `id` is among these ids: one parameter however many there are. */
  idAmong(ids: readonly string[]): RawBuilder<SqlBool>;
  /** What the database is set up to do that this service will suffer from (see StoreAdmin.setupWarnings). */
  setupWarnings(db: Kysely<Database>): Promise<string[]>;
  /** Brings the planner's statistics of the log up to date (see EventReads.refreshStatistics). */
  refreshStatistics(db: Kysely<Database>): Promise<void>;
  /** Empties the derived tables, and which derivation each partition came from: what is derived next is saved whatever it saw. */
  clearSessions(db: Kysely<Database>): Promise<void>;
}
