/**
 * Outbound deliveries (SPEC §10): endpoints registered, listed and removed (a secret shown once, when registered), the
 * deliveries with every try, and a delivery sent again. Every route needs the bearer token; a bad endpoint answers
 * 400 `invalid_endpoint` naming the field, and nothing is stored then.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { HttpError, sendError } from "../http/http-error.js";
import { checkPublicHost, endpointInput } from "../outbound/endpoint-rules.js";
import { generateSecret } from "../outbound/standard-webhooks.js";
import { InvalidCursorError, type Outbox } from "../store/event-store.js";
import { invalidQuery, noQuery, page, parseQuery, text } from "./query.js";

const deliveriesQuery = z.strictObject({
  ...page,
  status: z.enum(["pending", "delivered", "failed"], { error: "must be pending, delivered or failed" }).optional(),
  endpoint: text.optional(),
});

/** An endpoint or delivery id as a path may carry one. */
const ID = /^[A-Za-z0-9_-]{1,100}$/;

export interface OutboundRouteOptions {
  store: Outbox;
  /** Refuse endpoints at private, loopback and link-local addresses. */
  denyPrivateAddresses: boolean;
  authorize: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  /** Told when a delivery is to be sent again: the sender need not wait for its next look. */
  onRetry?: () => void;
  clock?: () => number;
}

function invalidEndpoint(message: string, cause?: unknown): HttpError {
  return new HttpError(400, "invalid_endpoint", message, { cause });
}

export async function outboundRoutes(app: FastifyInstance, options: OutboundRouteOptions): Promise<void> {
  const { store } = options;
  const clock = options.clock ?? Date.now;
  app.addHook("preHandler", options.authorize);
  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, _request, reply) => {
    if (error instanceof InvalidCursorError) return sendError(reply, invalidQuery(error.message, error));
    if (error.statusCode === 400 && error.code?.startsWith("FST_ERR_CTP")) {
      return sendError(reply, invalidEndpoint(`body is not a JSON endpoint: ${error.message}`, error));
    }
    throw error;
  });
  const notFound = (reply: FastifyReply, what: string) => sendError(reply, new HttpError(404, "not_found", `No ${what} has that id.`));

  app.post("/api/endpoints", async (request, reply) => {
    parseQuery(noQuery, request);
    const parsed = endpointInput.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length > 0 ? issue.path.join(".") : "body";
      throw invalidEndpoint(`${field}: ${issue.message}`, parsed.error);
    }
    const input = parsed.data;
    if (options.denyPrivateAddresses) {
      await checkPublicHost(input.url).catch((error: Error) => {
        throw invalidEndpoint(`url: ${error.message}`, error);
      });
    }
    const endpoint = {
      id: `ep_${randomUUID().replaceAll("-", "")}`,
      url: input.url,
      secret: input.secret ?? generateSecret(),
      types: input.types ?? null,
      roomNamePrefix: input.roomNamePrefix ?? null,
      createdAt: new Date(clock()).toISOString(),
    };
    await store.addEndpoint(endpoint);
    const { id, url, secret, types, roomNamePrefix } = endpoint;
    return reply.code(201).send({ id, url, secret, types, roomNamePrefix });
  });

  app.get("/api/endpoints", async (request) => {
    parseQuery(noQuery, request);
    return { results: await store.listEndpoints(), cursor: null };
  });

  app.delete<{ Params: { id: string } }>("/api/endpoints/:id", async (request, reply) => {
    parseQuery(noQuery, request);
    const { id } = request.params;
    if (!ID.test(id) || !(await store.deleteEndpoint(id, new Date(clock()).toISOString()))) return notFound(reply, "endpoint");
    return reply.code(204).send();
  });

  app.get("/api/deliveries", async (request) => {
    const q = parseQuery(deliveriesQuery, request);
    return store.listDeliveries({ status: q.status ?? null, endpointId: q.endpoint ?? null }, q.limit, q.cursor ?? null);
  });

  app.get<{ Params: { id: string } }>("/api/deliveries/:id", async (request, reply) => {
    parseQuery(noQuery, request);
    const { id } = request.params;
    const delivery = ID.test(id) ? await store.getDelivery(id) : null;
    return delivery ?? notFound(reply, "delivery");
  });

  app.post<{ Params: { id: string } }>("/api/deliveries/:id/retry", async (request, reply) => {
    parseQuery(noQuery, request);
    const { id } = request.params;
    if (!ID.test(id) || (await store.getDelivery(id)) === null) return notFound(reply, "delivery");
    if (!(await store.retryDelivery(id, new Date(clock()).toISOString()))) {
      return sendError(reply, new HttpError(409, "endpoint_removed", "The endpoint of this delivery was removed: it has nowhere to go."));
    }
    options.onRetry?.();
    return reply.code(202).send(await store.getDelivery(id));
  });
}
