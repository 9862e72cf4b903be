/**
 * What operators watch: `/healthz` (open to all, for load balancers), `/metrics` (behind the token), and the
 * duration of every request the framework answers, counted into those metrics.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Metrics } from "../metrics.js";
import type { StoreAvailability } from "../store/availability.js";

export interface OpsOptions {
  metrics: Metrics;
  authorize: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  /** The store's kind as /healthz names it, and whether it is in use. */
  storeKind: string;
  availability: StoreAvailability;
  /** The spool, when there is one: events still get in while it takes them. */
  spool: { readonly degraded: boolean; readonly depth: number } | null;
}

/** Adds the ops routes and the request timing to `app` itself (not as a plugin: the timing covers every route). */
export function addOpsRoutes(app: FastifyInstance, options: OpsOptions): void {
  const { metrics, availability, spool, storeKind: store } = options;
  app.addHook("onResponse", async (request, reply) => {
    metrics.requestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? "unmatched", status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.get("/healthz", async (_request, reply) => {
    const reachable = await availability.reachable();
    if (reachable && availability.ready && !spool?.degraded) return { status: "ok", store };
    // Events still get in while the spool takes them; the operator should know the store is away.
    if (spool) return { status: "degraded", store, reachable, spooled: spool.depth };
    return reply.code(503).send({ status: "unavailable", store });
  });

  app.get("/metrics", { preHandler: options.authorize }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
