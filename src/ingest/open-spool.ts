/**
 * Where the spool lives and how it is opened: a PostgreSQL store gets one, unless it is switched off, so that a
 * database out of reach costs no delivery. What happens to it is logged and counted here.
 */
import { join } from "node:path";
import type { FastifyBaseLogger } from "fastify";
import type { Config } from "../config.js";
import type { Metrics } from "../metrics.js";
import type { IncomingEvent, QuarantinedDelivery } from "../store/event-store.js";
import { dataFolderOf } from "../store/open-store.js";
import { openSqliteStore } from "../store/sqlite/open-sqlite.js";
import { Spool, type EventLog } from "./spool.js";

/** The spool file for a PostgreSQL store: MEETMETER_SPOOL_PATH (`off` for none), or spool.db in the data folder. */
export function spoolPathOf(config: Pick<Config, "database" | "spoolPath">): string | null {
  if (config.database.kind === "sqlite" || config.spoolPath === "off") return null;
  return config.spoolPath ?? join(dataFolderOf(config.database), "spool.db");
}

export interface SpoolWiring {
  /** What the spool hands its events to, and where it keeps those the store refuses: the writer thread. */
  primary: EventLog & { quarantine(deliveries: readonly QuarantinedDelivery[]): Promise<void> };
  /** Whether the store is in use yet (see StoreAvailability); until then everything is spooled. */
  primaryReady: () => boolean;
  /** Told of the spooled events that reached the store. */
  onDrained: (events: IncomingEvent[]) => void;
  log: FastifyBaseLogger;
  metrics: Pick<Metrics, "quarantined">;
}

/** Opens (and migrates) the spool file at `path` in front of the store. */
export async function openSpool(path: string, wiring: SpoolWiring): Promise<Spool> {
  const { primary, log } = wiring;
  const spoolStore = openSqliteStore(path);
  await spoolStore.migrate();
  let spool: Spool | null = null;
  spool = await Spool.open(primary, spoolStore, {
    primaryReady: wiring.primaryReady,
    onPrimaryDown: (error) => log.error({ err: error, spool: path }, "the store refused events: keeping them in the local spool"),
    onPrimaryBack: (drained) => log.warn({ drained }, "the store is back: spooled events moved into it"),
    onDrained: wiring.onDrained,
    quarantine: (deliveries) => primary.quarantine(deliveries),
    onQuarantined: (event, reason) => {
      wiring.metrics.quarantined.inc({ reason: "invalid_event" });
      log.error(
        { id: event.id, type: event.type, reason },
        "a spooled event cannot be kept by the store: moved to the quarantine (GET /api/quarantine)",
      );
    },
    onDrainFailed: (error) => log.warn({ err: error, spooled: spool?.depth ?? 0 }, "the spool cannot be drained into the store yet"),
  });
  return spool;
}
