/**
 * Query parameters as every read route takes them: checked with a schema, a bad one answered 400 `invalid_query`
 * naming each parameter in plain words; the paging, time and text parameters the routes share.
 */
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { HttpError } from "../http/http-error.js";
import { ISO_INSTANT_HINT, parseIsoInstant } from "../iso-time.js";
import { rangeProblem } from "./time-range.js";

/** A date (its midnight UTC) or a time with its zone, as the ISO time it names. */
export const instant = z.string().transform((value, ctx) => {
  const ms = parseIsoInstant(value, { dateOnly: true });
  if (ms !== null) return new Date(ms).toISOString();
  ctx.addIssue({ code: "custom", message: `must be a date such as 2026-03-01, or ${ISO_INSTANT_HINT}` });
  return z.NEVER;
});

const LIMIT = "must be a whole number from 1 to 500";

export const page = {
  limit: z.coerce.number({ error: LIMIT }).int({ error: LIMIT }).min(1, { error: LIMIT }).max(500, { error: LIMIT }).default(50),
  cursor: z.string().max(1000, { error: "is not one this server handed out" }).optional(),
};

export const text = z.string().max(1000, { error: "must be at most 1000 characters" });

const SEQ = "must be the place of an event in the log: a whole number from 0";

/** A place in the event log (an event's `seq`, the live stream's `id:`), as `after` and `Last-Event-ID` give it. */
export const seq = z
  .string()
  .regex(/^[0-9]+$/, { error: SEQ })
  .transform(Number)
  .refine(Number.isSafeInteger, { error: SEQ });

export const noQuery = z.strictObject({});

/** A query this API does not take: 400 `invalid_query`, the message naming each bad parameter. */
export function invalidQuery(message: string, cause?: unknown): HttpError {
  return new HttpError(400, "invalid_query", message, { cause });
}

/**
 * Reads a query with `schema`, or throws an {@link invalidQuery} whose message names each bad parameter in plain words.
 * A parameter left empty (`?cursor=`, a blank form field) counts as left out, so its default applies.
 */
export function parseQuery<T extends z.ZodType>(schema: T, request: FastifyRequest): z.infer<T> {
  const query = Object.fromEntries(
    Object.entries((request.query ?? {}) as Record<string, unknown>).filter(([, value]) => value !== ""),
  );
  // No text a store keeps or compares holds a NUL (PostgreSQL's text cannot): such a value names nothing here.
  const withNul = Object.entries(query).filter(([, value]) => [value].flat().some((v) => typeof v === "string" && v.includes("\0")));
  if (withNul.length > 0) throw invalidQuery(withNul.map(([name]) => `${name} must not contain a NUL character`).join("; "));
  const result = schema.safeParse(query);
  if (!result.success) {
    const message = result.error.issues
      .map((issue) => {
        if (issue.code === "unrecognized_keys") return `unknown parameter ${issue.keys.join(", ")}`;
        const name = String(issue.path[0] ?? "query");
        if (Array.isArray(query[name])) return `${name} must be given once`;
        if (query[name] === undefined) return `${name} is required`;
        return `${name} ${issue.message}`;
      })
      .join("; ");
    throw invalidQuery(message);
  }
  return result.data;
}

/** Refuses a `from` at or after `to` (see {@link rangeProblem}). */
export function checkRange(from: string | null | undefined, to: string | null | undefined): void {
  const problem = rangeProblem(from, to);
  if (problem !== null) throw invalidQuery(problem);
}
