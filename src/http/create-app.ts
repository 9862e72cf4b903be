/**
 * The HTTP server and its framework, before any route: timeouts, logging, CORS, and every request the routes do not
 * answer themselves (too broken to parse, refused by the router, no such route, an error thrown) answered with an
 * {@link HttpError}.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import cors from "@fastify/cors";
import Fastify, { LogController, type FastifyInstance } from "fastify";
import type { Config } from "../config.js";
import { errorBody, HttpError, internalError, JSON_TYPE, sendError } from "./http-error.js";

export interface AppOptions {
  /** false for silence; otherwise pino at config.logLevel. */
  logger?: boolean;
  /**
   * Answers a request ahead of the framework when it is one of its own (webhook deliveries, see webhook-endpoint.ts);
   * false hands it on.
   */
  ahead: (request: IncomingMessage, response: ServerResponse) => boolean;
  /** Whether the store answers and is in use: an error thrown while it is not is answered 503, not 500. */
  storeAvailable: () => Promise<boolean>;
}

type AppConfig = Pick<Config, "requestTimeoutMs" | "logLevel" | "maxBodyBytes" | "corsOrigins">;

/** The `error` code of a 4xx the framework or a plugin raised: its status's name, e.g. 403 `forbidden`. */
function errorCodeOf(status: number): string {
  return (STATUS_CODES[status] ?? "Bad Request").toLowerCase().replace(/[^a-z0-9]+/g, "_");
}

/** The answer to a request too broken to reach the framework (headers too large, bad HTTP). */
function clientErrorOf(error: NodeJS.ErrnoException): HttpError {
  if (error.code === "HPE_HEADER_OVERFLOW") {
    return new HttpError(431, "headers_too_large", "The request's headers (the URL included) are larger than this server reads.");
  }
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") return new HttpError(408, "request_timeout", "The request did not arrive in time.");
  return new HttpError(400, "bad_request", "The request is not valid HTTP.");
}

/** Such a request is answered on its socket in the same shape, then closed. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const answer = clientErrorOf(error);
  const body = errorBody(answer);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\nContent-Type: ${JSON_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

export async function createApp(config: AppConfig, options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    serverFactory: (handler) => {
      // Node checks the timeouts below only this often (30 s by default), so a slow client would linger well past them.
      const server = createServer({ connectionsCheckingInterval: Math.min(1000, config.requestTimeoutMs) }, (req, res) => {
        if (!options.ahead(req, res)) handler(req, res);
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
    // What the router refuses before any route runs still answers in this service's own shape.
    frameworkErrors: (error, _request, reply) =>
      sendError(
        reply,
        error.code === "FST_ERR_MAX_PARAM_LENGTH"
          ? new HttpError(414, "uri_too_long", "A path segment is longer than 2048 characters, longer than any id or key here.")
          : new HttpError(400, "bad_request", "The URL is not valid."),
      ),
    clientErrorHandler: answerClientError,
  });

  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof HttpError) return sendError(reply, error);
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendError(reply, new HttpError(status, errorCodeOf(status), error.message));
    const available = await options.storeAvailable();
    request.log.error({ err: error }, "request failed");
    if (!available) {
      return sendError(reply, new HttpError(503, "store_unavailable", "The database cannot be reached right now."));
    }
    return sendError(reply, internalError(error));
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, new HttpError(404, "not_found", "No such route.")));

  // No browser on another origin may read the API unless it is named in MEETMETER_CORS_ORIGINS.
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins,
      methods: ["GET"],
      allowedHeaders: ["authorization"],
      maxAge: 600,
    });
  }
  return app;
}
