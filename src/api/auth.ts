/** Bearer-token access to /api, /metrics and the dashboard's data: one token, compared in constant time. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { HttpError, sendError } from "../http/http-error.js";

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** A check that takes the same time whatever the given token is: both sides are hashed to one length first. */
export function tokenChecker(token: string): (given: string | undefined) => boolean {
  const expected = digest(token);
  return (given) => given !== undefined && timingSafeEqual(digest(given), expected);
}

export function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== "string") return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

const UNAUTHORIZED = new HttpError(401, "unauthorized", "Send Authorization: Bearer <token> (MEETMETER_API_TOKEN).", {
  headers: { "www-authenticate": 'Bearer realm="meetmeter"' },
});

/** A preHandler that answers 401 `{"error":"unauthorized"}` without the right token. */
export function requireToken(token: string) {
  const check = tokenChecker(token);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!check(bearerOf(request))) return sendError(reply, UNAUTHORIZED);
  };
}
