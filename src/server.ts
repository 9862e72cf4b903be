/**
 * Assembles the service: ingest (webhooks) → writer thread (store, derivation) → read API, dashboard and ops routes,
 * on one port.
 */
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { resolveApiToken } from "./api/api-token.js";
import { requireToken } from "./api/auth.js";
import { LiveFeed } from "./api/live-feed.js";
import { meetingRoutes } from "./api/meeting-routes.js";
import { outboundRoutes } from "./api/outbound-routes.js";
import { ReadModel } from "./api/read-model.js";
import { readRoutes } from "./api/read-routes.js";
import type { Config } from "./config.js";
import { dashboardPlugin } from "./dashboard/index.js";
import { createApp } from "./http/create-app.js";
import { addOpsRoutes } from "./http/ops-routes.js";
import { GroupCommitter } from "./ingest/group-commit.js";
import { openSpool, spoolPathOf } from "./ingest/open-spool.js";
import { createReceiver } from "./ingest/receive.js";
import { createWebhookEndpoint, type WebhookEndpoint } from "./ingest/webhook-endpoint.js";
import { ThrottledLog } from "./ingest/throttled-log.js";
import { createMetrics } from "./metrics.js";
import { OutboundThread } from "./outbound/outbound-thread.js";
import { MeetingResults } from "./projection/meeting-results.js";
import { ongoingPartitionKeys } from "./projection/projector.js";
import { StoreAvailability } from "./store/availability.js";
import type { EventStore } from "./store/event-store.js";
import { openStore } from "./store/open-store.js";
import { StoreWriter } from "./writer/store-writer.js";

/**
 * How many of the newest events have their sessions derived again at start: far more than a running service ever
 * has committed and not yet derived, and quick to derive.
 */
const RECENT_EVENTS_DERIVED_AT_START = 10_000;

export interface Service {
  app: FastifyInstance;
  store: EventStore;
  /** Reads that wait until every acknowledged event is derived. */
  readModel: ReadModel;
  token: string;
  /** Stops accepting, answers what is in flight, commits it, then closes the store. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** An already open store (tests, the demo); otherwise opened from config.database and migrated. */
  store?: EventStore;
  /** false for silence; otherwise pino at config.logLevel. */
  logger?: boolean;
  /** How often ongoing sessions' saved figures are brought up to now (the writer's default otherwise). */
  ongoingRefreshMs?: number;
  /** false: nothing is announced or sent to endpoints (the outbox keeps what is due for a process that sends). */
  outbound?: boolean;
}

/** What starting asks of a store whose schema is up to date: its warnings, and its newest sessions derived again. */
async function prepareStore(store: EventStore, writer: StoreWriter, log: FastifyBaseLogger): Promise<void> {
  for (const warning of await store.setupWarnings()) log.warn(warning);
  // The writer derives each commit within a fraction of a second. Whatever the last process committed but had not
  // derived when it stopped (killed, or the machine lost power) is among the newest events: derived again now.
  await writer.markDirty(await store.recentPartitionKeys(RECENT_EVENTS_DERIVED_AT_START));
  // And every session saved as ongoing: one silent for 12 hours meanwhile is over (SILENCE_MS), and is saved so.
  await writer.markDirty(await ongoingPartitionKeys(store));
}

export async function createService(config: Config, options: ServiceOptions = {}): Promise<Service> {
  const store = options.store ?? (await openStore(config.database));
  const spoolPath = spoolPathOf(config);
  const migrated = options.store !== undefined;
  const availability = await StoreAvailability.migrate(store, { migrated, canWait: spoolPath !== null });
  const token = resolveApiToken(config);
  const gauges = { spoolDepth: () => 0, pendingCommits: () => 0, outboxDepth: () => store.pendingDeliveries() };
  const metrics = createMetrics(gauges);
  // Webhook deliveries are answered ahead of the framework (see webhook-endpoint.ts); it is made once the store is open.
  let webhooks: WebhookEndpoint | null = null;
  const app = await createApp(config, {
    logger: options.logger,
    ahead: (request, response) => webhooks?.handle(request, response) ?? false,
    storeAvailable: () => availability.available(),
  });
  const log = app.log;
  const feed = await LiveFeed.start(store);

  // Appends and derivation run on a thread of their own; this one answers HTTP and reads.
  const settings = { database: config.database, metadata: config.derive, meetingRules: config.meetingRules, ongoingRefreshMs: options.ongoingRefreshMs };
  const writer = await StoreWriter.start(settings, (reason, partitionKeys) =>
    log.error({ partitionKeys, reason }, "deriving sessions failed"),
  );
  const spool =
    spoolPath === null
      ? null
      : await openSpool(spoolPath, {
          primary: writer,
          primaryReady: () => availability.ready,
          onDrained: () => feed.drained(),
          log,
          metrics,
        });
  await availability.prepare(() => prepareStore(store, writer, log), {
    onUnreachable: (error) =>
      log.error({ err: error, spool: spoolPath }, "the store cannot be reached: keeping events in the local spool"),
    onReady: () => {
      log.warn({ spooled: spool?.depth ?? 0 }, "the store is reachable: spooled events are moving into it");
      void spool?.drain();
    },
    onFailure: (error) => log.error({ err: error, spooled: spool?.depth ?? 0 }, "the store still cannot be taken into use"),
  });

  const committer = new GroupCommitter(spool ?? writer, {
    // A batch spends much of its time crossing to the writer thread and back, and on PostgreSQL in round trips:
    // with three at once PostgreSQL takes about a tenth more events a second. SQLite's one writer takes them in
    // turn, but the next batch is already there when one commits: a few percent more, and a lower p99.
    commitsInFlight: 3,
    // The writer derives what it commits, and what the spool later hands it; the live feed shows it.
    onCommitted: () => feed.committed(),
    onCommitTimed: (seconds, size) => {
      metrics.commitDuration.observe(seconds);
      metrics.commitBatchSize.observe(size);
    },
  });
  gauges.spoolDepth = () => spool?.depth ?? 0;
  gauges.pendingCommits = () => committer.pending;
  const receive = createReceiver({
    // On the writer thread: a SQLite write on this one would hold up every request while the database is locked.
    quarantine: writer,
    committer,
    secrets: config.secrets,
    toleranceSeconds: config.toleranceSeconds,
    insecureSkipVerification: config.insecureSkipVerification,
    onUnverified: () => log.warn("signature verification is switched off (--insecure-skip-verification)"),
  });
  webhooks = createWebhookEndpoint({ receive, maxBodyBytes: config.maxBodyBytes, metrics, log });
  // Deliveries on connections still open while the service shuts down are refused, so that Whereby retries them.
  app.addHook("preClose", async () => webhooks?.close());

  const authorize = requireToken(token);
  const readModel = new ReadModel(store, writer);
  addOpsRoutes(app, { metrics, authorize, storeKind: store.kind, availability, spool });
  const { streamMaxClients } = config;
  await app.register(readRoutes, { store, readModel, live: feed.tail, authorize, streamMaxClients, metrics });
  const results = new MeetingResults(store, config.meetingRules);
  await app.register(meetingRoutes, { store, results, readModel, rules: config.meetingRules, authorize });
  // What became final is pushed to the endpoints users register, from a thread of its own; a store out of reach is
  // said once a minute.
  const outboundErrors = new ThrottledLog((_kind, repeated) => log.error({ repeated }, "outbound deliveries failed again"));
  const outbound =
    options.outbound === false
      ? null
      : await OutboundThread.start({ database: config.database, outbound: config.outbound, rules: config.meetingRules }, (notice) => {
          if ("outcome" in notice) metrics.deliveries.inc({ outcome: notice.outcome });
          else outboundErrors.note("round", () => log.error({ reason: notice.error }, "outbound deliveries failed"));
        });
  await app.register(outboundRoutes, {
    store,
    denyPrivateAddresses: config.outbound.denyPrivateAddresses,
    authorize,
    onRetry: () => outbound?.poke(),
  });
  await app.register(dashboardPlugin);

  let closing: Promise<void> | null = null;
  return {
    app,
    store,
    readModel,
    token,
    close() {
      closing ??= (async () => {
        availability.stop();
        await app.close();
        await outbound?.close();
        outboundErrors.flush();
        await committer.flushed();
        committer.close();
        try {
          await spool?.close();
          await writer.close();
        } finally {
          await feed.close();
          await store.close();
        }
      })();
      return closing;
    },
  };
}
