/** Saving derived sessions (SessionWrites) in SQL. */
import type { Kysely } from "kysely";
import { SessionsRefusedError, type SessionWrites } from "../event-store.js";
import type { Database } from "../schema.js";
import { partsOf, type SessionRows } from "../session-rows.js";
import { storable } from "../storable-text.js";
import type { SqlDialect } from "./dialect.js";
import { refusedForItsValues } from "./refused.js";
import {
  claimPartitions,
  deletePeople,
  deleteSessions,
  INSERT_CHUNK,
  insertPeople,
  trackFinals,
  upsertSessions,
  type PreparedWrites,
} from "./writes.js";

/** Derived rows with their text as the columns hold it (see storable); the JSON columns need nothing, JSON escapes NUL. */
function storableSessionRows(rows: SessionRows): SessionRows {
  return {
    partitions: rows.partitions.map((p) => ({ ...p, partitionKey: storable(p.partitionKey) })),
    sessions: rows.sessions.map((s) => ({
      ...s,
      id: storable(s.id),
      partition_key: storable(s.partition_key),
      room_name: storable(s.room_name),
      meeting_id: storable(s.meeting_id),
    })),
    people: rows.people.map((p) => ({
      ...p,
      session_id: storable(p.session_id),
      person_key: storable(p.person_key),
      partition_key: storable(p.partition_key),
      room_name: storable(p.room_name),
      display_name: storable(p.display_name),
    })),
  };
}

/** Replaces the rows of the partitions this derivation may claim, in one transaction, a chunk of rows a statement. */
async function saveSessionRows(db: Kysely<Database>, rows: SessionRows): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Claimed in key order, so that two processes saving the same partitions lock them in the same order.
    const claimed = new Set<string>();
    const partitions = [...rows.partitions].sort((a, b) =>
      a.partitionKey < b.partitionKey ? -1 : a.partitionKey > b.partitionKey ? 1 : 0,
    );
    for (let i = 0; i < partitions.length; i += INSERT_CHUNK) {
      const won = await claimPartitions(trx, partitions.slice(i, i + INSERT_CHUNK)).returning("partition_key").execute();
      for (const row of won) claimed.add(row.partition_key);
    }
    const keys = partitions.map((p) => p.partitionKey).filter((key) => claimed.has(key));
    const sessions = rows.sessions.filter((row) => claimed.has(row.partition_key));
    const people = rows.people.filter((row) => claimed.has(row.partition_key));
    for (let i = 0; i < keys.length; i += INSERT_CHUNK) {
      const chunk = keys.slice(i, i + INSERT_CHUNK);
      await deleteSessions(trx, chunk).execute();
      await deletePeople(trx, chunk).execute();
    }
    for (let i = 0; i < sessions.length; i += INSERT_CHUNK) {
      await upsertSessions(trx, sessions.slice(i, i + INSERT_CHUNK)).execute();
      await trackFinals(trx, sessions.slice(i, i + INSERT_CHUNK)).execute();
    }
    for (let i = 0; i < people.length; i += INSERT_CHUNK) await insertPeople(trx, people.slice(i, i + INSERT_CHUNK)).execute();
  });
}

export function sqlSessionWrites(db: Kysely<Database>, dialect: SqlDialect, prepared?: PreparedWrites): SessionWrites {
  const save = (rows: SessionRows) => (prepared ? prepared.replaceSessions(rows) : saveSessionRows(db, rows));
  return {
    async replaceSessions(derived: SessionRows): Promise<void> {
      if (derived.partitions.length === 0) return;
      const rows = storableSessionRows(derived);
      try {
        return await save(rows);
      } catch (error) {
        if (!refusedForItsValues(error)) throw error;
        if (rows.partitions.length === 1) {
          throw new SessionsRefusedError([derived.partitions[0]!.partitionKey], [(error as Error).message]);
        }
      }
      // A partition whose rows the database will never take (a person's key too long for its index, say) must not
      // keep the others saved with it from being saved: each alone, and only those at fault fail.
      const refused: string[] = [];
      const reasons: string[] = [];
      for (const [i, part] of partsOf(rows, 1).entries()) {
        try {
          await save(part);
        } catch (error) {
          if (!refusedForItsValues(error)) throw error;
          refused.push(derived.partitions[i]!.partitionKey);
          reasons.push((error as Error).message);
        }
      }
      throw new SessionsRefusedError(refused, reasons);
    },

    clearSessions: () => dialect.clearSessions(db),
  };
}
