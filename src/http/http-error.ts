/**
 * The one problem type of the HTTP surface, and the one place that writes it. Every refusal, whichever route or
 * handler finds it, is answered with its status and `{"error": "<code>", "message": "<sentence>"}` (SPEC §2, §6).
 */
import type { ServerResponse } from "node:http";
import type { FastifyReply } from "fastify";

export interface HttpErrorOptions {
  cause?: unknown;
  /** Headers the answer carries besides its type and length, e.g. `allow` on a 405. */
  headers?: Record<string, string>;
}

/**
 * Thrown where a request's problem is found; a route, the error handler or the webhook endpoint answers it with
 * {@link sendError}.
 *
 * @example
 * throw new HttpError(404, "not_found", "No session with that id.");
 */
export class HttpError extends Error {
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: HttpErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "HttpError";
    this.headers = options.headers ?? {};
  }
}

/** The answer to a failure of ours, never to the request: its details stay in the log. */
export function internalError(cause?: unknown): HttpError {
  return new HttpError(500, "internal_error", "Something went wrong on our side.", { cause });
}

/** What {@link sendError} writes: an HttpError, or an error of the same shape (a WebhookError). */
export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

export const JSON_TYPE = "application/json; charset=utf-8";

/** The body of an error answer. */
export function errorBody(error: ErrorAnswer): string {
  return JSON.stringify({ error: error.code, message: error.message });
}

/**
 * Writes JSON text with its status on a node:http response, unless an answer is already out or the client is gone;
 * answers whether it wrote it.
 *
 * @example
 * sendJson(response, 200, JSON.stringify({ ok: true }));
 */
export function sendJson(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): boolean {
  if (response.headersSent || response.destroyed) return false;
  response.writeHead(status, { "content-type": JSON_TYPE, "content-length": String(Buffer.byteLength(text)), ...headers });
  response.end(text);
  return true;
}

/**
 * Answers with the error, its headers and `headers` besides: on a fastify reply (returned, for a handler to return),
 * or on a node:http response (whether it was written, as {@link sendJson}).
 *
 * @example
 * return sendError(reply, new HttpError(401, "unauthorized", "Send Authorization: Bearer <token>."));
 */
export function sendError(reply: FastifyReply, error: ErrorAnswer, headers?: Record<string, string>): FastifyReply;
export function sendError(response: ServerResponse, error: ErrorAnswer, headers?: Record<string, string>): boolean;
export function sendError(
  to: FastifyReply | ServerResponse,
  error: ErrorAnswer,
  headers: Record<string, string> = {},
): FastifyReply | boolean {
  const all = { ...error.headers, ...headers };
  if ("raw" in to) return to.code(error.status).headers(all).type(JSON_TYPE).send(errorBody(error));
  return sendJson(to, error.status, errorBody(error), all);
}
