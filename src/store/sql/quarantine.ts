/** The quarantine (QuarantineLog) in SQL. */
import type { Kysely } from "kysely";
import type { Page, QuarantineLog, QuarantinedDelivery } from "../event-store.js";
import type { Database } from "../schema.js";
import { storable } from "../storable-text.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

export function sqlQuarantine(db: Kysely<Database>): QuarantineLog {
  return {
    async quarantine(deliveries: readonly QuarantinedDelivery[]): Promise<void> {
      if (deliveries.length === 0) return;
      await db
        .insertInto("quarantine")
        .values(
          deliveries.map((d) => ({
            received_at: d.receivedAt,
            channel: storable(d.channel),
            reason: storable(d.reason),
            message: storable(d.message),
            body: d.body,
          })),
        )
        .execute();
    },

    async listQuarantine(limit: number, cursor: string | null): Promise<Page<QuarantinedDelivery & { seq: number }>> {
      let query = db.selectFrom("quarantine").selectAll().orderBy("seq").limit(limit + 1);
      if (cursor) {
        const [after] = decodeCursor(cursor, (p) => p.length === 1 && Number.isInteger(p[0]));
        query = query.where("seq", ">", after as number);
      }
      const rows = await query.execute();
      const results = rows.slice(0, limit).map((r) => ({
        seq: Number(r.seq),
        receivedAt: r.received_at,
        channel: r.channel,
        reason: r.reason,
        message: r.message,
        body: Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body),
      }));
      return { results, cursor: rows.length > limit ? encodeCursor([results.at(-1)!.seq]) : null };
    },
  };
}
