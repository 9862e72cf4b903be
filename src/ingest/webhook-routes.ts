/**
 * `POST /webhooks/whereby[/<channel>]`: reads the raw body under the size limit and hands it to the receiver.
 * The body is never parsed by the framework: the signature covers the bytes exactly as sent.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Metrics } from "../metrics.js";
import { isKnownEventType } from "../whereby/events.js";
import { SIGNATURE_HEADER } from "../whereby/signature.js";
import { WebhookError } from "../whereby/webhook-error.js";
import type { Receiver } from "./receive.js";

const CHANNEL = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The metrics label for an event's type. Types Whereby has not documented are stored like any other, but counted
 * as `other`: a label takes whatever a signed sender writes, and every distinct value is a series kept for good.
 */
function typeLabel(type: string): string {
  return isKnownEventType(type) ? type : "other";
}

export interface WebhookRouteOptions {
  receive: Receiver;
  maxBodyBytes: number;
  metrics: Metrics;
}

export async function webhookRoutes(app: FastifyInstance, options: WebhookRouteOptions): Promise<void> {
  const { receive, metrics } = options;
  // The signature covers the bytes, whatever the Content-Type says: a proxy that mangles the header, or a sender that
  // leaves it out, must not get a validly signed event refused.
  app.addHook("onRequest", async (request) => {
    request.headers["content-type"] = "application/octet-stream";
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: options.maxBodyBytes }, (_req, body, done) =>
    done(null, body),
  );

  function refuse(reply: FastifyReply, error: WebhookError, type: string) {
    metrics.eventsReceived.inc({ type, outcome: error.code });
    if (error.status === 401) metrics.signatureFailures.inc({ code: error.code });
    if (error.code === "invalid_json" || error.code === "invalid_event") metrics.quarantined.inc({ reason: error.code });
    return reply.code(error.status).send(error.toJSON());
  }

  async function handle(channel: string | null, body: unknown, header: unknown, reply: FastifyReply) {
    const raw = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    try {
      const accepted = await receive({
        body: raw,
        signatureHeader: typeof header === "string" ? header : undefined,
        channel,
      });
      const outcome = accepted.duplicate ? "duplicate" : "stored";
      metrics.eventsReceived.inc({ type: typeLabel(accepted.type), outcome });
      if (accepted.duplicate) metrics.duplicates.inc();
      reply.log.info({ eventId: accepted.id, eventType: accepted.type, outcome }, `event ${outcome}`);
      return reply.code(200).send({ ok: true, id: accepted.id, duplicate: accepted.duplicate });
    } catch (error) {
      if (!(error instanceof WebhookError)) throw error;
      const level = error.status >= 500 ? "error" : "warn";
      reply.log[level]({ outcome: error.code, err: error.status >= 500 ? error.cause : undefined }, error.message);
      return refuse(reply, error, "unknown");
    }
  }

  app.post("/webhooks/whereby", (request, reply) =>
    handle(null, request.body, request.headers[SIGNATURE_HEADER], reply),
  );
  app.post<{ Params: { channel: string } }>("/webhooks/whereby/:channel", (request, reply) => {
    if (!CHANNEL.test(request.params.channel)) {
      return reply.code(404).send({ error: "not_found", message: "A channel is 1 to 64 of A-Z, a-z, 0-9, _ and -." });
    }
    return handle(request.params.channel, request.body, request.headers[SIGNATURE_HEADER], reply);
  });
}
