/**
 * PostgreSQL's LISTEN/NOTIFY between the `meetmeter serve` processes sharing one database: each announces the ids of
 * the events it stored, and hears the others', so that every process's live stream shows them all.
 */
import { createHash, randomUUID } from "node:crypto";
import pg from "pg";
import type { StoredRelay } from "../event-store.js";

/**
 * Bytes of ids per notification: PostgreSQL takes payloads under 8000 bytes, and a notice that is too long is lost
 * whole. An id may have 256 characters, each up to 6 bytes in JSON (NUL is `\u0000`), so notices are cut by bytes.
 */
const NOTICE_BYTES = 7_500;
/** How soon a listening connection that was lost is made again. */
const RELISTEN_MS = 1000;
/** Notices sent and not yet answered, at most: past it the connection is stuck, and announcements are dropped. */
const NOTICES_IN_FLIGHT = 1000;
/** Ids kept to announce while the connection is being made again, at most. */
const IDS_WHILE_AWAY = 10_000;

/** One channel per schema, so that stores sharing a database stay apart; a hash keeps it within a name's length. */
function channelOf(schema: string): string {
  return `meetmeter_stored_${createHash("sha256").update(schema).digest("hex").slice(0, 16)}`;
}

/**
 * Opens the relay on a connection of its own, outside the pool, made by `makeClient`. Announcements go out on that
 * connection too, which commits without waiting for the disk: a notice is not data.
 */
export async function openStoredRelay(
  makeClient: () => pg.Client,
  schema: string,
  onStored: (ids: string[]) => void,
): Promise<StoredRelay> {
  const origin = randomUUID();
  const channel = channelOf(schema);
  let client: pg.Client | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let inFlight = 0;
  /** What was to be announced while there was no connection: sent once there is one. */
  let waiting: string[] = [];
  const send = (ids: readonly string[]) => {
    if (!client) {
      waiting = [...waiting, ...ids].slice(-IDS_WHILE_AWAY);
      return;
    }
    const notify = (some: readonly string[]) => {
      if (inFlight >= NOTICES_IN_FLIGHT) return;
      inFlight += 1;
      client!
        .query("select pg_notify($1, $2)", [channel, JSON.stringify({ origin, ids: some })])
        .catch(() => {})
        .finally(() => (inFlight -= 1));
    };
    let notice: string[] = [];
    let bytes = 0;
    for (const id of ids) {
      const size = Buffer.byteLength(JSON.stringify(id)) + 1;
      if (notice.length > 0 && bytes + size > NOTICE_BYTES) {
        notify(notice);
        notice = [];
        bytes = 0;
      }
      notice.push(id);
      bytes += size;
    }
    if (notice.length > 0) notify(notice);
  };
  const listen = async (): Promise<void> => {
    const next = makeClient();
    // A lost connection (PostgreSQL restarted, say) is made again; what is stored meanwhile is not heard.
    const again = () => {
      if (client === next) client = null;
      if (stopped || timer) return;
      timer = setTimeout(() => {
        timer = null;
        void listen();
      }, RELISTEN_MS);
      timer.unref();
    };
    next.on("error", again);
    next.on("end", again);
    next.on("notification", (notice) => {
      try {
        const { origin: from, ids } = JSON.parse(notice.payload ?? "{}") as { origin?: string; ids?: unknown };
        if (from !== origin && Array.isArray(ids)) onStored(ids.filter((id): id is string => typeof id === "string"));
      } catch {
        // Not ours to read.
      }
    });
    try {
      await next.connect();
      await next.query(`listen ${pg.escapeIdentifier(channel)}`);
      if (stopped) await next.end();
      else {
        client = next;
        const away = waiting;
        waiting = [];
        send(away);
      }
    } catch {
      await next.end().catch(() => {});
      again();
    }
  };
  await listen();
  return {
    announce: send,
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => {});
    },
  };
}
