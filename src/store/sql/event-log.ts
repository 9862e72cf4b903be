/** Appending to the event log, and the spool's trimming of it (EventAppends, EventTrim) in SQL. */
import type { Kysely } from "kysely";
import type { AppendOutcome, EventAppends, EventTrim, IncomingEvent } from "../event-store.js";
import type { Database } from "../schema.js";
import { storable } from "../storable-text.js";
import { eventRowOf } from "./event-rows.js";
import { DEADLOCK_DETECTED, refusedForItsValues } from "./refused.js";
import { INSERT_CHUNK, insertEvents, type EventRow, type PreparedWrites } from "./writes.js";

/** Inserts rows, skipping ids already stored, in one transaction; answers the ids that were new. */
async function insertEventRows(db: Kysely<Database>, rows: EventRow[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const insert = async (db: Kysely<Database>, chunk: EventRow[]) => {
    const added = await insertEvents(db, chunk).returning("id").execute();
    return added.map((row) => row.id);
  };
  try {
    // One statement is a transaction of its own: no begin and commit, two round trips fewer for every batch.
    if (rows.length <= INSERT_CHUNK) return await insert(db, rows);
    return await db.transaction().execute(async (trx) => {
      const ids: string[] = [];
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        ids.push(...(await insert(trx, rows.slice(i, i + INSERT_CHUNK))));
      }
      return ids;
    });
  } catch (error) {
    if ((error as { code?: string }).code !== DEADLOCK_DETECTED) throw error;
    // Two batches committing at once (in this process or another) that hold some ids in opposite orders each wait
    // for the other, and PostgreSQL ends one of them. That one is stored a row at a time, in its order: a statement
    // of one row never holds one id while it waits for another, so it cannot be caught in a deadlock again.
    const ids: string[] = [];
    for (const row of rows) ids.push(...(await insert(db, [row])));
    return ids;
  }
}

export function sqlEventLog(db: Kysely<Database>, prepared?: PreparedWrites): EventAppends & EventTrim {
  /** Inserts rows, skipping ids already stored, in one transaction; one flag per row, true where it was new. */
  const insertRows = async (rows: EventRow[]): Promise<boolean[]> => {
    if (prepared) return prepared.insertEvents(rows);
    const inserted = new Set(await insertEventRows(db, rows));
    return rows.map((row) => inserted.has(row.id));
  };

  return {
    async append(events: readonly IncomingEvent[]): Promise<AppendOutcome[]> {
      const seen = new Set<string>();
      const rows = events.map(eventRowOf).filter((row) => !seen.has(row.id) && seen.add(row.id));
      const outcomes = new Map<string, AppendOutcome>();
      try {
        (await insertRows(rows)).forEach((fresh, i) => outcomes.set(rows[i]!.id, fresh));
      } catch (error) {
        if (!refusedForItsValues(error)) throw error;
        // A row the database will never take (a room name too long for its index, say) must not fail the batch it
        // happened to share, nor be retried for ever: the rows go in one at a time, and only those at fault are refused.
        for (const row of rows) {
          try {
            outcomes.set(row.id, (await insertRows([row]))[0]!);
          } catch (rowError) {
            if (!refusedForItsValues(rowError)) throw rowError;
            outcomes.set(row.id, { refused: (rowError as Error).message });
          }
        }
      }
      const answered = new Set<string>();
      return events.map((event) => {
        const id = storable(event.id);
        const outcome = outcomes.get(id)!;
        // The same id again in one batch is a duplicate of the first, if that was stored.
        const first = !answered.has(id);
        answered.add(id);
        return first || outcome !== true ? outcome : false;
      });
    },

    async deleteEventsThrough(seq: number): Promise<void> {
      await db.deleteFrom("events").where("seq", "<=", seq).execute();
    },
  };
}
