/**
 * `GET /api/events/stream`: Server-Sent Events, each stored event with `id:` its place in the log. A client that
 * reconnects with `Last-Event-ID` (as EventSource does by itself), or asks with `?after=`, gets what was stored after
 * that place first, then what comes: nothing lost and nothing twice. Without either, only what is stored from now on.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { HttpError, sendError } from "../http/http-error.js";
import type { LiveStream } from "./live-stream.js";
import { invalidQuery, parseQuery, seq } from "./query.js";

const streamQuery = z.strictObject({ after: seq.optional() });

/**
 * Where the subscriber resumes: after `Last-Event-ID` when given, which an EventSource sends on reconnecting to the
 * URL it was opened with (whose `after` is older), else after `after`; null for only what comes.
 */
function resumeAfter(request: FastifyRequest): number | null {
  const { after } = parseQuery(streamQuery, request);
  const header = request.headers["last-event-id"];
  if (header === undefined || header === "") return after ?? null;
  const parsed = seq.safeParse(header);
  if (!parsed.success) throw invalidQuery(`Last-Event-ID ${parsed.error.issues[0]?.message ?? "is not a place in the log"}`);
  return parsed.data;
}

export function liveRoute(app: FastifyInstance, stream: LiveStream): void {
  app.addHook("preClose", async () => stream.endAll());

  app.get("/api/events/stream", async (request, reply) => {
    const after = resumeAfter(request);
    if (stream.full) {
      const message =
        "This server has as many live stream subscribers as it takes (MEETMETER_STREAM_MAX_CLIENTS); retry later.";
      return sendError(reply, new HttpError(503, "too_many_streams", message, { headers: { "retry-after": "30" } }));
    }
    const headers = {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    };
    const subscriber = request.method === "HEAD" ? null : await stream.reserve();
    reply.hijack();
    const raw = reply.raw;
    // What the hooks set on the reply (CORS above all) is written too: the framework writes nothing once hijacked.
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) raw.setHeader(name, value);
    if (subscriber === null) {
      raw.writeHead(200, headers).end();
      return;
    }
    raw.writeHead(200, headers);
    subscriber.begin(raw, after);
  });
}
