/**
 * PostgreSQL's LISTEN/NOTIFY between the `meetmeter serve` processes sharing one database: each announces that it
 * stored events, and hears when the others did, so that every process's live stream reads the log at once rather
 * than at its next look. A notice carries nothing but who sent it: what was stored is read from the log itself, so a
 * notice lost (a connection made again, a process that stopped) costs a moment, never an event.
 */
import { createHash, randomUUID } from "node:crypto";
import pg from "pg";
import type { StoredRelay } from "../event-store.js";

/** How soon a listening connection that was lost is made again. */
const RELISTEN_MS = 1000;

/** One channel per schema, so that stores sharing a database stay apart; a hash keeps it within a name's length. */
function channelOf(schema: string): string {
  return `meetmeter_stored_${createHash("sha256").update(schema).digest("hex").slice(0, 16)}`;
}

/**
 * Opens the relay on a connection of its own, outside the pool, made by `makeClient`. Announcements go out on that
 * connection too, which commits without waiting for the disk: a notice is not data. At most one notice is in flight;
 * announcements made meanwhile (or while there is no connection) go out as one when it is answered.
 */
export async function openStoredRelay(makeClient: () => pg.Client, schema: string, onStored: () => void): Promise<StoredRelay> {
  const origin = randomUUID();
  const channel = channelOf(schema);
  let client: pg.Client | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let sending = false;
  let unsent = false;
  const send = () => {
    if (!client || sending) {
      unsent = true;
      return;
    }
    sending = true;
    unsent = false;
    client
      .query("select pg_notify($1, $2)", [channel, origin])
      .catch(() => {})
      .finally(() => {
        sending = false;
        if (unsent) send();
      });
  };
  const listen = async (): Promise<void> => {
    const next = makeClient();
    // A lost connection (PostgreSQL restarted, say) is made again; what was stored meanwhile is read once it is.
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
      if (notice.payload !== origin) onStored();
    });
    try {
      await next.connect();
      await next.query(`listen ${pg.escapeIdentifier(channel)}`);
      if (stopped) await next.end();
      else {
        client = next;
        // Whatever the others announced while this process was not listening.
        onStored();
        if (unsent) send();
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
