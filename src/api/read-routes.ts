/**
 * The read API of SPEC §4. Every route needs the bearer token; bad query values answer 400 `invalid_query`,
 * unknown ids 404 `not_found`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { derivationNote, type DerivationNote } from "../attendance/index.js";
import { ISO_INSTANT_HINT, parseIsoInstant } from "../iso-time.js";
import {
  InvalidCursorError,
  type EventReads,
  type IncomingEvent,
  type QuarantineLog,
  type StoredEvent,
} from "../store/event-store.js";
import { parseEvent } from "../whereby/events.js";
import { HttpError, sendError } from "../http/http-error.js";
import { attendanceCsv } from "./csv.js";
import { checkRange, instant, invalidQuery, noQuery, page, parseQuery, seq, text } from "./query.js";
import { liveRoute } from "./live-route.js";
import { LiveStream } from "./live-stream.js";
import type { StoreTail } from "./store-tail.js";
import type { Metrics } from "../metrics.js";
import type { ReadModel } from "./read-model.js";
import { isTimeZone, usageBound, UsageRangeError } from "./usage.js";

const sessionsQuery = z.strictObject({
  ...page,
  roomName: text.optional(),
  from: instant.optional(),
  to: instant.optional(),
  ongoing: z.enum(["true", "false"], { error: "must be true or false" }).transform((v) => v === "true").optional(),
});

/** As {@link instant}, but a date is kept as written: /api/usage takes it as the midnight of its `tz`. */
const dayOrInstant = z.string().refine((value) => parseIsoInstant(value, { dateOnly: true }) !== null, {
  message: `must be a date such as 2026-03-01, or ${ISO_INSTANT_HINT}`,
});

/** A checked usage bound as an ISO time. */
function usageTime(value: string | undefined, tz: string): string | null {
  return value === undefined ? null : new Date(usageBound(value, tz)!).toISOString();
}

const usageQuery = z.strictObject({
  from: dayOrInstant.optional(),
  to: dayOrInstant.optional(),
  interval: z.enum(["day", "month"], { error: "must be day or month" }).default("day"),
  tz: z.string().refine(isTimeZone, { message: "must be an IANA time zone such as Europe/Oslo" }).default("UTC"),
});

const eventsQuery = z.strictObject({
  ...page,
  type: text.optional(),
  roomName: text.optional(),
  sessionId: text.optional(),
  after: seq.optional(),
});


const peopleQuery = z.strictObject({
  q: z.string().trim().min(1, { error: "must hold part of a name or a key" }).max(200, { error: "must be at most 200 characters" }),
  limit: page.limit,
});

/** How the figures take a stored event when not as it came (see derivationNote), or null. */
function derivationOf(row: IncomingEvent, body: string): DerivationNote | null {
  try {
    const parsed = parseEvent(JSON.parse(body));
    return parsed.ok ? derivationNote(parsed.event, Date.parse(row.receivedAt)) : null;
  } catch {
    return null;
  }
}

/**
 * One stored event as JSON text, its body spliced in as received: never parsed and serialised again, so that no
 * body (however deeply nested) can make answering it fail. `seq` is its place in the log (what `after` and the live
 * stream's `id:` name). With `withDerivation` (the /api/events list, not the live stream, which must stay cheap per
 * subscriber), `derivation` says why the figures leave it out, or how they take it otherwise than it came; null when
 * they take it as it came.
 */
function eventJson(row: StoredEvent, withDerivation = false): string {
  const text = row.body.toString("utf8");
  // A body may begin with a byte order mark, which JSON.parse took in its stride but which is not JSON text.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const fields = JSON.stringify({
    id: row.id,
    seq: row.seq,
    type: row.type,
    createdAt: row.createdAt,
    receivedAt: row.receivedAt,
    channel: row.channel,
    ...(withDerivation ? { derivation: derivationOf(row, body) } : {}),
  });
  return `${fields.slice(0, -1)},"body":${body}}`;
}

export interface ReadRouteOptions {
  /**
   * Where the quarantine is listed from, and what a resuming live stream subscriber missed; everything else is read
   * through the read model.
   */
  store: Pick<QuarantineLog, "listQuarantine"> & Pick<EventReads, "scanEvents">;
  readModel: ReadModel;
  /** What the live stream follows. */
  live: StoreTail;
  /** Most live stream subscribers at once. */
  streamMaxClients: number;
  metrics?: Pick<Metrics, "streamSubscribers" | "streamSubscribersCut">;
  authorize: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

export async function readRoutes(app: FastifyInstance, options: ReadRouteOptions): Promise<void> {
  const { readModel, store, live } = options;
  const stream = new LiveStream(live, store, {
    maxClients: options.streamMaxClients,
    format: eventJson,
    onSize: (size) => options.metrics?.streamSubscribers.set(size),
    onCut: (unreadBytes) => {
      options.metrics?.streamSubscribersCut.inc();
      app.log.warn({ unreadBytes }, "a live stream subscriber stopped reading and was cut off");
    },
  });
  app.addHook("preHandler", options.authorize);
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof InvalidCursorError || error instanceof UsageRangeError) {
      return sendError(reply, invalidQuery(error.message, error));
    }
    throw error;
  });
  const notFound = (reply: FastifyReply, what: string) =>
    sendError(reply, new HttpError(404, "not_found", `No ${what} with that id.`));

  app.get("/api/sessions", async (request) => {
    const q = parseQuery(sessionsQuery, request);
    checkRange(q.from, q.to);
    const filter = { roomName: q.roomName, from: q.from, to: q.to, ongoing: q.ongoing };
    return readModel.listSessions(filter, q.limit, q.cursor ?? null);
  });

  app.get<{ Params: { id: string } }>("/api/sessions/:id", async (request, reply) => {
    parseQuery(noQuery, request);
    const json = await readModel.sessionJson(request.params.id);
    return json === null ? notFound(reply, "session") : reply.type("application/json; charset=utf-8").send(json);
  });

  app.get<{ Params: { id: string } }>("/api/sessions/:id/attendance.csv", async (request, reply) => {
    parseQuery(noQuery, request);
    const session = await readModel.session(request.params.id);
    if (!session) return notFound(reply, "session");
    const filename = `attendance-${session.id.replace(/[^A-Za-z0-9_-]/g, "_")}.csv`;
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="${filename}"`)
      .send(attendanceCsv(session));
  });

  app.get("/api/people", async (request) => {
    const q = parseQuery(peopleQuery, request);
    return { results: await readModel.findPeople(q.q, q.limit), cursor: null };
  });

  app.get<{ Params: { key: string } }>("/api/people/:key", async (request, reply) => {
    parseQuery(noQuery, request);
    const person = await readModel.person(request.params.key);
    return person ?? notFound(reply, "person");
  });

  app.get("/api/rooms", async (request) => {
    const q = parseQuery(z.strictObject(page), request);
    return readModel.rooms(q.limit, q.cursor ?? null);
  });

  app.get("/api/usage", async (request) => {
    const q = parseQuery(usageQuery, request);
    const [from, to] = [usageTime(q.from, q.tz), usageTime(q.to, q.tz)];
    checkRange(from, to);
    return readModel.usage({ from, to, interval: q.interval, tz: q.tz });
  });

  app.get("/api/events", async (request, reply) => {
    const q = parseQuery(eventsQuery, request);
    const filter = { type: q.type, roomName: q.roomName, sessionId: q.sessionId, afterSeq: q.after };
    const result = await readModel.events(filter, q.limit, q.cursor ?? null);
    return reply
      .type("application/json; charset=utf-8")
      .send(`{"results":[${result.results.map((row) => eventJson(row, true)).join(",")}],"cursor":${JSON.stringify(result.cursor)}}`);
  });

  app.get("/api/quarantine", async (request) => {
    const q = parseQuery(z.strictObject(page), request);
    const result = await store.listQuarantine(q.limit, q.cursor ?? null);
    return {
      results: result.results.map(({ body, ...row }) => ({ ...row, body: body.toString("base64") })),
      cursor: result.cursor,
    };
  });

  liveRoute(app, stream);
}
