/**
 * Scheduled meetings (SPEC §9): created or replaced with PUT, listed, read with their roster result, downloaded as
 * CSV, deleted. Every route needs the bearer token; a bad meeting answers 400 `invalid_meeting` naming the field, and
 * nothing is stored then.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { meetingStatusAt, rosterSummary, type MeetingRules, type RosterSummary } from "../attendance/roster.js";
import { HttpError, sendError } from "../http/http-error.js";
import { meetingAnswer, type MeetingResults } from "../projection/meeting-results.js";
import { InvalidMeeting, readMeeting } from "../schedule/meeting-input.js";
import { InvalidCursorError, type ListedMeeting, type Meetings } from "../store/event-store.js";
import { meetingAttendanceCsv } from "./csv.js";
import { checkRange, instant, invalidQuery, noQuery, page, parseQuery, text } from "./query.js";
import type { ReadModel } from "./read-model.js";

/** A roster of 5,000 people with long names and keys is well under this; the service's body limit is for webhooks. */
const MEETING_BODY_LIMIT = 4 * 1024 * 1024;

const meetingsQuery = z.strictObject({
  ...page,
  from: instant.optional(),
  to: instant.optional(),
  roomName: text.optional(),
  status: z.enum(["scheduled", "in_progress", "held", "no_show"], { error: "must be scheduled, in_progress, held or no_show" }).optional(),
});

/** A meetingId as a path may carry one: what readMeeting keeps, and what a lookup can find. */
const MEETING_ID = /^[^\p{Cc}]{1,200}$/u;

export interface MeetingRouteOptions {
  store: Meetings;
  results: MeetingResults;
  readModel: ReadModel;
  rules: MeetingRules;
  authorize: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  clock?: () => number;
}

/** A meeting in the list: its plan, its status brought to now, and how many people of the roster are in each status. */
function summaryOf(plan: ListedMeeting["plan"], { facts, startedLateSeconds, counts }: RosterSummary, now: number) {
  return {
    meetingId: plan.meetingId,
    title: plan.title,
    roomName: plan.roomName,
    scheduledStart: plan.scheduledStart,
    scheduledEnd: plan.scheduledEnd,
    status: meetingStatusAt(facts, now),
    startedLateSeconds,
    counts,
  };
}

export async function meetingRoutes(app: FastifyInstance, options: MeetingRouteOptions): Promise<void> {
  const { store, results, readModel, rules } = options;
  const clock = options.clock ?? Date.now;
  app.addHook("preHandler", options.authorize);
  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, _request, reply) => {
    if (error instanceof InvalidCursorError) return sendError(reply, invalidQuery(error.message, error));
    if (error instanceof InvalidMeeting) return sendError(reply, new HttpError(400, "invalid_meeting", error.message, { cause: error }));
    // A body that is not JSON at all: the meeting it should be is not there.
    if (error.statusCode === 400 && error.code?.startsWith("FST_ERR_CTP")) {
      return sendError(reply, new HttpError(400, "invalid_meeting", `body is not a JSON meeting: ${error.message}`, { cause: error }));
    }
    throw error;
  });
  const notFound = (reply: FastifyReply) => sendError(reply, new HttpError(404, "not_found", "No meeting is scheduled with that id."));
  /** The meeting derived now from what is saved, once every event acknowledged before the request is. */
  const derived = async (meetingId: string) => {
    if (!MEETING_ID.test(meetingId)) return null;
    await readModel.current();
    return results.derive(meetingId, clock());
  };

  app.put<{ Params: { meetingId: string } }>("/api/meetings/:meetingId", { bodyLimit: MEETING_BODY_LIMIT }, async (request) => {
    parseQuery(noQuery, request);
    const { meetingId } = request.params;
    if (!MEETING_ID.test(meetingId)) throw new InvalidMeeting("meetingId", "must be 1 to 200 characters, none of them control characters");
    const plan = readMeeting(meetingId, request.body);
    await store.putMeetings([plan]);
    const meeting = (await derived(meetingId))!;
    await store.saveMeetingResults([{ meetingId, result: meeting.result }], new Date(clock()).toISOString());
    return meetingAnswer(meeting, rules);
  });

  app.get("/api/meetings", async (request) => {
    const q = parseQuery(meetingsQuery, request);
    checkRange(q.from, q.to);
    await readModel.current();
    const filter = { from: q.from ?? null, to: q.to ?? null, roomName: q.roomName ?? null, status: q.status ?? null };
    const page = await store.listMeetings(filter, q.limit, q.cursor ?? null);
    const now = clock();
    const summaries = await Promise.all(
      page.results.map(async ({ plan, summary }: ListedMeeting) => {
        // A meeting registered a moment ago may not be derived yet: derived here then, not shown without figures.
        const derived = summary === null ? await results.derive(plan.meetingId, now) : null;
        const figures = summary ?? (derived ? rosterSummary(derived.result) : null);
        return figures ? summaryOf(plan, figures, now) : null;
      }),
    );
    return { results: summaries.filter((s) => s !== null), cursor: page.cursor };
  });

  app.get<{ Params: { meetingId: string } }>("/api/meetings/:meetingId", async (request, reply) => {
    parseQuery(noQuery, request);
    const meeting = await derived(request.params.meetingId);
    return meeting ? meetingAnswer(meeting, rules) : notFound(reply);
  });

  app.get<{ Params: { meetingId: string } }>("/api/meetings/:meetingId/attendance.csv", async (request, reply) => {
    parseQuery(noQuery, request);
    const meeting = await derived(request.params.meetingId);
    if (!meeting) return notFound(reply);
    const filename = `meeting-${meeting.plan.meetingId.replace(/[^A-Za-z0-9_-]/g, "_")}.csv`;
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="${filename}"`)
      .send(meetingAttendanceCsv(meeting.plan, meeting.result));
  });

  app.delete<{ Params: { meetingId: string } }>("/api/meetings/:meetingId", async (request, reply) => {
    parseQuery(noQuery, request);
    const { meetingId } = request.params;
    if (!MEETING_ID.test(meetingId) || !(await store.deleteMeeting(meetingId))) return notFound(reply);
    return reply.code(204).send();
  });
}
