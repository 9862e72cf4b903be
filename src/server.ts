/**
 * Assembles the service: ingest (webhooks) → store → projection → read API, dashboard and metrics, on one port.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, STATUS_CODES } from "node:http";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import cors from "@fastify/cors";
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from "fastify";
import { requireToken } from "./api/auth.js";
import { LiveEvents } from "./api/live-events.js";
import { ReadModel } from "./api/read-model.js";
import { readRoutes } from "./api/read-routes.js";
import type { Config } from "./config.js";
import { dashboardPlugin } from "./dashboard/index.js";
import { GroupCommitter } from "./ingest/group-commit.js";
import { createReceiver } from "./ingest/receive.js";
import { Spool, type EventLog } from "./ingest/spool.js";
import { createWebhookEndpoint, type WebhookEndpoint } from "./ingest/webhook-endpoint.js";
import { createMetrics } from "./metrics.js";
import { makePrivateFolder, PRIVATE_FILE_MODE } from "./private-files.js";
import { StoreWriter } from "./projection/store-writer.js";
import { ongoingPartitionKeys } from "./projection/projector.js";
import type { EventStore } from "./store/event-store.js";
import { dataFolderOf, openStore } from "./store/open-store.js";
import { isUnreachable, keepTrying } from "./store/reach-store.js";
import { openSqliteStore } from "./store/sqlite/open-sqlite.js";

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

/** The spool file for a PostgreSQL store: MEETMETER_SPOOL_PATH (`off` for none), or spool.db in the data folder. */
export function spoolPathOf(config: Config): string | null {
  if (config.database.kind === "sqlite" || config.spoolPath === "off") return null;
  return config.spoolPath ?? join(dataFolderOf(config.database), "spool.db");
}

export interface ServiceOptions {
  /** An already open store (tests, the demo); otherwise opened from config.database and migrated. */
  store?: EventStore;
  /** false for silence; otherwise pino at config.logLevel. */
  logger?: boolean;
  /** How often ongoing sessions' saved figures are brought up to now (the writer's default otherwise). */
  ongoingRefreshMs?: number;
}

/** The API token: from the configuration, or generated once and kept in the data folder. */
export function resolveApiToken(config: Config): string {
  if (config.apiToken) return config.apiToken;
  const folder = dataFolderOf(config.database);
  const file = join(folder, "api-token");
  if (existsSync(file)) {
    const token = readFileSync(file, "utf8").trim();
    if (token.length >= 16) return token;
  }
  makePrivateFolder(folder);
  const token = randomBytes(24).toString("base64url");
  writeFileSync(file, `${token}\n`, { mode: PRIVATE_FILE_MODE });
  return token;
}

/** The `error` code of a 4xx the framework or a plugin raised: its status's name, e.g. 403 `forbidden`. */
function errorCodeOf(status: number): string {
  return (STATUS_CODES[status] ?? "Bad Request").toLowerCase().replace(/[^a-z0-9]+/g, "_");
}

/** Requests too broken to reach the framework (headers too large, bad HTTP): answered in the same shape, then closed. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, code, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "headers_too_large", "The request's headers (the URL included) are larger than this server reads."]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "request_timeout", "The request did not arrive in time."]
        : [400, "bad_request", "The request is not valid HTTP."];
  const body = JSON.stringify({ error: code, message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

export async function createService(config: Config, options: ServiceOptions = {}): Promise<Service> {
  const store = options.store ?? (await openStore(config.database));
  const spoolPath = spoolPathOf(config);
  // With a spool, a PostgreSQL out of reach at start is waited for, as one that goes away later is: deliveries are
  // spooled and acknowledged meanwhile, and reads answer 503. Without one, or when the store answers but refuses
  // (a wrong database, password or schema), starting fails.
  const unreachable = options.store
    ? null
    : await store.migrate().then(
        () => null,
        (error: unknown) => {
          if (spoolPath === null || !isUnreachable(error)) throw error;
          return error;
        },
      );
  /** Whether the store has been reached, migrated and prepared; until then reads answer 503 and nothing drains. */
  let ready = unreachable === null;
  const token = resolveApiToken(config);
  const gauges = { spoolDepth: () => 0, pendingCommits: () => 0 };
  const metrics = createMetrics(gauges);

  // Webhook deliveries are answered ahead of the framework (see webhook-endpoint.ts); it is made once the store is open.
  let webhooks: WebhookEndpoint | null = null;
  const app = Fastify({
    serverFactory: (handler) => {
      // Node checks the timeouts below only this often (30 s by default), so a slow client would linger well past them.
      const server = createServer({ connectionsCheckingInterval: Math.min(1000, config.requestTimeoutMs) }, (req, res) => {
        if (!webhooks?.handle(req, res)) handler(req, res);
      });
      // Slow clients are cut off: Whereby itself gives up after 5 seconds. Headers that never end are cut off as soon
      // as a slow body would be.
      server.requestTimeout = config.requestTimeoutMs;
      server.headersTimeout = config.requestTimeoutMs;
      server.keepAliveTimeout = 10_000;
      server.setTimeout(60_000);
      return server;
    },
    logger:
      options.logger === false
        ? false
        : { level: config.logLevel, redact: ["req.headers.authorization", 'req.headers["whereby-signature"]'] },
    bodyLimit: config.maxBodyBytes,
    // Each delivery logs its own outcome line; the framework's per-request lines would double them.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // A person's key carries the app's externalId or metadata subject, often longer than the router's default 100.
    routerOptions: { maxParamLength: 2048 },
    // What the router refuses before any route runs still answers in this service's own `{error, message}` shape.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const tooLong = error.code === "FST_ERR_MAX_PARAM_LENGTH";
      return reply.code(tooLong ? 414 : 400).send({
        error: tooLong ? "uri_too_long" : "bad_request",
        message: tooLong ? "A path segment is longer than 2048 characters, longer than any id or key here." : "The URL is not valid.",
      });
    },
    clientErrorHandler: answerClientError,
  });

  const live = new LiveEvents();
  /** Ids stored here and not yet announced to the other processes on this database (see the relay below). */
  let announcing: string[] = [];
  // Appends and derivation run on a thread of their own; this one answers HTTP and reads.
  const settings = { database: config.database, metadata: config.derive, ongoingRefreshMs: options.ongoingRefreshMs };
  const writer = await StoreWriter.start(settings, (message, partitionKeys) =>
    app.log.error({ partitionKeys, reason: message }, "deriving sessions failed"),
  );
  let spool: Spool | null = null;
  if (spoolPath !== null) {
    const spoolStore = openSqliteStore(spoolPath);
    await spoolStore.migrate();
    spool = await Spool.open(writer, spoolStore, {
      primaryReady: () => ready,
      onPrimaryDown: (error) =>
        app.log.error({ err: error, spool: spoolPath }, "the store refused events: keeping them in the local spool"),
      onPrimaryBack: (drained) => app.log.warn({ drained }, "the store is back: spooled events moved into it"),
      // The other processes' live streams learn of spooled events once PostgreSQL holds them.
      onDrained: (events) => {
        for (const event of events) announcing.push(event.id);
      },
      quarantine: (deliveries) => writer.quarantine(deliveries),
      onQuarantined: (event, reason) => {
        metrics.quarantined.inc({ reason: "invalid_event" });
        app.log.error(
          { id: event.id, type: event.type, reason },
          "a spooled event cannot be kept by the store: moved to the quarantine (GET /api/quarantine)",
        );
      },
      onDrainFailed: (error) =>
        app.log.warn({ err: error, spooled: spool?.depth ?? 0 }, "the spool cannot be drained into the store yet"),
    });
  }
  /** What starting asks of a store whose schema is up to date: its warnings, and its newest sessions derived again. */
  const prepare = async () => {
    for (const warning of await store.setupWarnings()) app.log.warn(warning);
    // The writer derives each commit within a fraction of a second. Whatever the last process committed but had not
    // derived when it stopped (killed, or the machine lost power) is among the newest events: derived again now.
    await writer.markDirty(await store.recentPartitionKeys(RECENT_EVENTS_DERIVED_AT_START));
    // And every session saved as ongoing: one silent for 12 hours meanwhile is over (SILENCE_MS), and is saved so.
    await writer.markDirty(await ongoingPartitionKeys(store));
  };
  let stopTrying = () => {};
  if (ready) await prepare();
  else {
    app.log.error({ err: unreachable, spool: spoolPath }, "the store cannot be reached: keeping events in the local spool");
    stopTrying = keepTrying(store, prepare, {
      onReady: () => {
        ready = true;
        app.log.warn({ spooled: spool?.depth ?? 0 }, "the store is reachable: spooled events are moving into it");
        void spool?.drain();
      },
      onFailure: (error) =>
        app.log.error({ err: error, spooled: spool?.depth ?? 0 }, "the store still cannot be taken into use"),
    });
  }
  const log: EventLog = spool ?? writer;
  const committer = new GroupCommitter(log, {
    // A batch spends much of its time crossing to the writer thread and back, and on PostgreSQL in round trips:
    // with three at once PostgreSQL takes about a tenth more events a second. SQLite's one writer takes them in
    // turn, but the next batch is already there when one commits: a few percent more, and a lower p99.
    commitsInFlight: 3,
    // The writer derives what it commits, and what the spool later hands it. The live stream shows it here, and
    // other processes on the same PostgreSQL show it on theirs.
    onCommitted: (events) => {
      live.publish(events);
      if (store.kind === "postgres") for (const event of events) announcing.push(event.id);
    },
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
    onUnverified: () => app.log.warn("signature verification is switched off (--insecure-skip-verification)"),
  });
  const readModel = new ReadModel(store, writer);
  const authorize = requireToken(token);

  app.addHook("onResponse", async (request, reply) => {
    metrics.requestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? "unmatched", status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: errorCodeOf(status), message: error.message });
    }
    const reachable = await store.ping().then(
      () => true,
      () => false,
    );
    request.log.error({ err: error }, "request failed");
    if (!reachable || !ready) {
      return reply.code(503).send({ error: "store_unavailable", message: "The database cannot be reached right now." });
    }
    return reply.code(500).send({ error: "internal_error", message: "Something went wrong on our side." });
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: "not_found", message: "No such route." }),
  );

  // No browser on another origin may read the API unless it is named in MEETMETER_CORS_ORIGINS.
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins,
      methods: ["GET"],
      allowedHeaders: ["authorization"],
      maxAge: 600,
    });
  }
  webhooks = createWebhookEndpoint({ receive, maxBodyBytes: config.maxBodyBytes, metrics, log: app.log });
  // Deliveries on connections still open while the service shuts down are refused, so that Whereby retries them.
  app.addHook("preClose", async () => webhooks?.close());
  await app.register(readRoutes, { store, readModel, live, authorize, streamMaxClients: config.streamMaxClients, metrics });
  await app.register(dashboardPlugin);

  app.get("/healthz", async (_request, reply) => {
    const reachable = await store.ping().then(
      () => true,
      () => false,
    );
    if (reachable && ready && !spool?.degraded) return { status: "ok", store: store.kind };
    // Events still get in while the spool takes them; the operator should know the store is away.
    if (spool) return { status: "degraded", store: store.kind, reachable, spooled: spool.depth };
    return reply.code(503).send({ status: "unavailable", store: store.kind });
  });

  app.get("/metrics", { preHandler: authorize }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );

  // What other processes on this database store reaches this one's live stream too, when anyone here is watching;
  // what this one stores is announced to them a tenth of a second at a time.
  const relay = await store.relayStored((ids) => {
    if (live.size === 0) return;
    // The events these ids name, as the log holds them.
    store.listEvents({ session: { partitionKey: null, ids } }, ids.length, null).then(
      (page) => live.publish(page.results),
      () => {},
    );
  });
  const announce = () => {
    if (announcing.length === 0) return;
    relay.announce(announcing);
    announcing = [];
  };
  const announcer = setInterval(announce, 100);
  announcer.unref();

  let closing: Promise<void> | null = null;
  return {
    app,
    store,
    readModel,
    token,
    close() {
      closing ??= (async () => {
        stopTrying();
        await app.close();
        await committer.flushed();
        committer.close();
        try {
          await spool?.close();
          await writer.close();
        } finally {
          clearInterval(announcer);
          announce();
          await relay.close();
          await store.close();
        }
      })();
      return closing;
    },
  };
}
