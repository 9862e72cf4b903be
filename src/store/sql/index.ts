/**
 * The EventStore over Kysely, one role a file: the same queries serve SQLite and PostgreSQL, and what differs lives in
 * each one's dialect (sqlite/dialect.ts, postgres/dialect.ts). Each database's open-*.ts only opens the connection
 * with its durability settings.
 */
import type { Kysely } from "kysely";
import type { EventStore } from "../event-store.js";
import type { Database } from "../schema.js";
import { sqlAdmin, type SqlAdminOptions } from "./admin.js";
import type { SqlDialect } from "./dialect.js";
import { sqlEventLog } from "./event-log.js";
import { sqlEventReads } from "./event-reads.js";
import { sqlMeetings } from "./meetings.js";
import { sqlOutbox } from "./outbox.js";
import { sqlQuarantine } from "./quarantine.js";
import { sqlSessionQueries } from "./session-queries.js";
import { sqlSessionWrites } from "./sessions.js";
import type { PreparedWrites } from "./writes.js";

export interface SqlEventStoreOptions extends SqlAdminOptions {
  /** Faster runs of the two writes that run all the time (SQLite's prepared statements); the queries otherwise. */
  prepared?: PreparedWrites;
}

export function sqlEventStore(dialect: SqlDialect, db: Kysely<Database>, options: SqlEventStoreOptions = {}): EventStore {
  return {
    ...sqlAdmin(db, dialect, options),
    ...sqlEventLog(db, options.prepared),
    ...sqlEventReads(db, dialect),
    ...sqlQuarantine(db),
    ...sqlSessionWrites(db, dialect, options.prepared),
    ...sqlSessionQueries(db),
    ...sqlMeetings(db),
    ...sqlOutbox(db, dialect),
  };
}
