/** Events as the log's rows hold them, and back. */
import type { Selectable } from "kysely";
import type { IncomingEvent, StoredEvent } from "../event-store.js";
import type { EventsTable } from "../schema.js";
import { NUL_STANDS_FOR, storable } from "../storable-text.js";
import type { EventRow } from "./writes.js";

/** An event as inserted, its text as the columns hold it (see storable). */
export function eventRowOf(e: IncomingEvent): EventRow {
  return {
    id: storable(e.id),
    type: storable(e.type),
    created_at: e.createdAt,
    received_at: e.receivedAt,
    channel: storable(e.channel),
    room_name: storable(e.roomName),
    room_session_id: storable(e.roomSessionId),
    partition_key: storable(e.partitionKey),
    body: e.body,
  };
}

/**
 * The id and type an event was sent with. Where the columns hold ␀ for a NUL (see storable), they are read from the
 * body, which keeps them as sent: so an event comes back, to the API, the live stream and the spool's drain, as it came.
 */
function envelopeOf(row: Selectable<EventsTable>): { id: string; type: string } {
  if (!row.id.includes(NUL_STANDS_FOR) && !row.type.includes(NUL_STANDS_FOR)) return { id: row.id, type: row.type };
  try {
    const text = Buffer.from(row.body).toString("utf8");
    const sent = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as { id?: unknown; type?: unknown };
    return {
      id: typeof sent.id === "string" && storable(sent.id) === row.id ? sent.id : row.id,
      type: typeof sent.type === "string" && storable(sent.type) === row.type ? sent.type : row.type,
    };
  } catch {
    return { id: row.id, type: row.type };
  }
}

export function toStoredEvent(row: Selectable<EventsTable>): StoredEvent {
  return {
    seq: Number(row.seq),
    ...envelopeOf(row),
    createdAt: row.created_at,
    receivedAt: row.received_at,
    channel: row.channel,
    roomName: row.room_name,
    roomSessionId: row.room_session_id,
    partitionKey: row.partition_key,
    body: Buffer.isBuffer(row.body) ? row.body : Buffer.from(row.body),
  };
}
