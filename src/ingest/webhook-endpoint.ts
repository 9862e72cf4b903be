/**
 * `POST /webhooks/whereby[/<channel>]`: reads the raw body under the size limit, hands it to the receiver and answers
 * in SPEC §2's shape. It sits in front of the framework, on node:http itself: every delivery is this one request, and
 * the framework's per-request machinery (its request and reply objects, hooks, body parsing, routing) cost the
 * thread that answers them about a tenth of its time per event. Every other request goes on to the framework.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyBaseLogger } from "fastify";
import type { DerivationNote } from "../attendance/index.js";
import { HttpError, internalError, sendError, sendJson, type ErrorAnswer } from "../http/http-error.js";
import type { Metrics } from "../metrics.js";
import { isKnownEventType } from "../whereby/events.js";
import { SIGNATURE_HEADER } from "../whereby/signature.js";
import { WebhookError } from "../whereby/webhook-error.js";
import type { Accepted, Receiver } from "./receive.js";
import { ThrottledLog } from "./throttled-log.js";

/**
 * How much of a body over the limit is still read, and thrown away, before the 413. A sender that writes its whole
 * body before it reads the answer (most HTTP clients) would otherwise find the connection closed under it, its
 * writes failing, and never see the 413. Past this the connection is closed as soon as the 413 is out.
 */
export const DISCARD_BYTES = 1024 * 1024;

const PATH = /^\/webhooks\/whereby(?:\/([^/]*))?$/;
const CHANNEL = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The metrics label for an event's type. Types Whereby has not documented are stored like any other, but counted
 * as `other`: a label takes whatever a signed sender writes, and every distinct value is a series kept for good.
 */
function typeLabel(type: string): string {
  return isKnownEventType(type) ? type : "other";
}

export interface WebhookEndpointOptions {
  receive: Receiver;
  maxBodyBytes: number;
  metrics: Metrics;
  log: FastifyBaseLogger;
}

export interface WebhookEndpoint {
  /** Answers the request when it is a webhook delivery; false leaves it to the rest of the service. */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
  /** From now on deliveries are answered 503, with the connection closed: the service is shutting down. */
  close(): void;
}

/** The channel of a webhook path, null for the plain endpoint; undefined when the path is not a webhook's. */
function channelOf(url: string): string | null | undefined {
  const query = url.indexOf("?");
  const match = PATH.exec(query === -1 ? url : url.slice(0, query));
  if (!match) return undefined;
  if (match[1] === undefined) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return "";
  }
}

/** One delivery being answered: the response, the route it is counted under, and when it began. */
interface Exchange {
  response: ServerResponse;
  method: string;
  route: string;
  started: bigint;
}

export function createWebhookEndpoint(options: WebhookEndpointOptions): WebhookEndpoint {
  const { receive, metrics, log, maxBodyBytes } = options;
  let closing = false;
  // Anyone can send an unsigned or oversized delivery: their warnings are written once a minute per kind, with a count.
  const strangers = new ThrottledLog((outcome, repeated) =>
    log.warn({ outcome, repeated }, `${repeated} more deliveries refused with ${outcome} since the last such line`),
  );

  function observe({ method, route, started }: Exchange, status: number) {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.requestDuration.observe({ method, route, status: String(status) }, seconds);
  }

  function fail(exchange: Exchange, error: ErrorAnswer, headers: Record<string, string> = {}) {
    if (sendError(exchange.response, error, headers)) observe(exchange, error.status);
  }

  function refuse(exchange: Exchange, error: WebhookError, closeAfter = false) {
    metrics.eventsReceived.inc({ type: "unknown", outcome: error.code });
    if (error.status === 401) metrics.signatureFailures.inc({ code: error.code });
    if (error.code === "invalid_json" || error.code === "invalid_event") metrics.quarantined.inc({ reason: error.code });
    fail(exchange, error, closeAfter ? { connection: "close" } : {});
  }

  /** An event stored that the figures leave out, or take otherwise than it came: said once, and counted. */
  function noteDerivation({ id, type }: Accepted, note: DerivationNote) {
    if (note.used) metrics.eventsAdjusted.inc({ reason: note.reason });
    else metrics.eventsNotCounted.inc({ reason: note.reason });
    const level = note.reason === "unknown_type" || note.reason === "participant_inferred" ? "info" : "warn";
    const what = note.used ? "counted in the figures, but" : "stored, but left out of the figures:";
    log[level]({ eventId: id, eventType: type, derivation: note.reason }, `event ${what} ${note.message}`);
  }

  async function deliver(exchange: Exchange, body: Buffer, signatureHeader: string | undefined, channel: string | null) {
    try {
      const accepted = await receive({ body, signatureHeader, channel });
      const outcome = accepted.duplicate ? "duplicate" : "stored";
      metrics.eventsReceived.inc({ type: typeLabel(accepted.type), outcome });
      if (accepted.duplicate) metrics.duplicates.inc();
      log.info({ eventId: accepted.id, eventType: accepted.type, outcome }, `event ${outcome}`);
      if (accepted.note && !accepted.duplicate) noteDerivation(accepted, accepted.note);
      const text = JSON.stringify({ ok: true, id: accepted.id, duplicate: accepted.duplicate });
      if (sendJson(exchange.response, 200, text)) observe(exchange, 200);
    } catch (error) {
      if (!(error instanceof WebhookError)) {
        log.error({ err: error }, "request failed");
        fail(exchange, internalError(error));
        return;
      }
      if (error.status === 401) strangers.note(error.code, () => log.warn({ outcome: error.code }, error.message));
      else if (error.status >= 500) log.error({ outcome: error.code, err: error.cause }, error.message);
      else log.warn({ outcome: error.code }, error.message);
      refuse(exchange, error);
    }
  }

  /** Answers 413; the connection closes once the answer is out, with whatever of the body is left unread. */
  function tooLarge(exchange: Exchange): void {
    strangers.note("payload_too_large", () => log.warn({ outcome: "payload_too_large" }, "body over MAX_BODY_BYTES refused"));
    const error = new WebhookError("payload_too_large", `The body is larger than ${maxBodyBytes} bytes (MAX_BODY_BYTES).`);
    refuse(exchange, error, true);
  }

  return {
    close() {
      closing = true;
      strangers.flush();
    },

    handle(request, response) {
      const channel = channelOf(request.url ?? "");
      if (channel === undefined) return false;
      const route = channel === null ? "/webhooks/whereby" : "/webhooks/whereby/:channel";
      const exchange: Exchange = { response, method: request.method ?? "POST", route, started: process.hrtime.bigint() };
      if (request.method !== "POST") {
        request.resume();
        const headers = { allow: "POST" };
        fail(exchange, new HttpError(405, "method_not_allowed", "Webhooks are delivered with POST.", { headers }));
        return true;
      }
      if (channel !== null && !CHANNEL.test(channel)) {
        request.resume();
        fail(exchange, new HttpError(404, "not_found", "A channel is 1 to 64 of A-Z, a-z, 0-9, _ and -."));
        return true;
      }
      if (closing) {
        request.resume();
        const message = "meetmeter is shutting down and takes no more events here; retry later.";
        refuse(exchange, new WebhookError("store_unavailable", message), true);
        return true;
      }
      if (Number(request.headers["content-length"]) > maxBodyBytes + DISCARD_BYTES) {
        tooLarge(exchange);
        return true;
      }

      // The signature covers the bytes, whatever the Content-Type says: a proxy that mangles the header, or a
      // sender that leaves it out, must not get a validly signed event refused. So no header decides how to read it.
      // A body over the limit is read on to its end and thrown away, up to DISCARD_BYTES more, before the 413.
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBodyBytes) chunks.push(chunk);
        else if (size <= maxBodyBytes + DISCARD_BYTES) chunks.length = 0;
        else {
          request.off("data", onData);
          request.off("end", onEnd);
          tooLarge(exchange);
        }
      };
      const header = request.headers[SIGNATURE_HEADER];
      const signatureHeader = typeof header === "string" ? header : undefined;
      const onEnd = () => {
        if (size > maxBodyBytes) tooLarge(exchange);
        else void deliver(exchange, Buffer.concat(chunks, size), signatureHeader, channel);
      };
      request.on("data", onData);
      request.on("end", onEnd);
      // A client gone before its body arrived gets no answer; nothing was stored.
      request.on("error", () => {});
      return true;
    },
  };
}
