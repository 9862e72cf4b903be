/**
 * One webhook delivery from raw bytes to a verdict, in the order of checks the endpoint answers with: signature,
 * then timestamp, then JSON, then the envelope. For apps that receive Whereby's webhooks with their own server.
 */
import { parseEvent, type WherebyEvent } from "./events.js";
import { SIGNATURE_HEADER, verifyWherebySignature } from "./signature.js";
import { WebhookError, type WebhookErrorCode } from "./webhook-error.js";

/** Node's `req.headers`, a Fetch `Headers`, or any plain object of header names to values. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface WebhookDelivery {
  /** The request body exactly as received; a string is taken as its UTF-8 bytes. */
  body: Uint8Array | string;
  headers: WebhookHeaders;
  /** Every secret currently accepted (more than one while rotating). */
  secrets: readonly string[];
  toleranceSeconds?: number;
  /** The receiver's clock in unix seconds; defaults to now. */
  now?: number;
}

export type WebhookVerdict =
  | { ok: true; event: WherebyEvent }
  | { ok: false; status: number; error: WebhookErrorCode; message: string };

function signatureHeader(headers: WebhookHeaders): string | undefined {
  if (headers instanceof Headers) return headers.get(SIGNATURE_HEADER) ?? undefined;
  const name = Object.keys(headers).find((key) => key.toLowerCase() === SIGNATURE_HEADER);
  const value = name === undefined ? undefined : headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function refused(error: WebhookError): WebhookVerdict {
  return { ok: false, status: error.status, error: error.code, message: error.message };
}

/**
 * Whereby's envelopes nest a few levels deep. A body nested far deeper is not an event anyone sends, and every later
 * reader (validation, the projection, the live stream) would pay for its depth, so it is refused as unusable.
 */
export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of objects and arrays in a text already known to be valid JSON. */
function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return deepest;
}

// Fatal: bytes that are not UTF-8 are not JSON (RFC 8259), rather than text with replacement characters.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Verifies and reads one delivery. Never throws for anything the sender controls: the verdict carries the HTTP
 * status and the `{error, message}` the endpoint answers with. A 400 verdict was validly signed, so keep its body.
 *
 * @example
 * const verdict = handleWherebyWebhook({ body: rawBody, headers: req.headers, secrets: ["whsec_…"] });
 * if (!verdict.ok) return res.status(verdict.status).json({ error: verdict.error, message: verdict.message });
 * await save(verdict.event);
 */
export function handleWherebyWebhook(delivery: WebhookDelivery): WebhookVerdict {
  const body = typeof delivery.body === "string" ? Buffer.from(delivery.body, "utf8") : delivery.body;
  try {
    verifyWherebySignature({
      header: signatureHeader(delivery.headers),
      body,
      secrets: delivery.secrets,
      toleranceSeconds: delivery.toleranceSeconds,
      now: delivery.now,
    });
  } catch (error) {
    if (error instanceof WebhookError) return refused(error);
    throw error;
  }
  return readWebhookEvent(body);
}

/**
 * Reads a body whose signature is already checked: UTF-8 JSON holding a Whereby envelope, or the 400 verdict.
 *
 * @example
 * const verdict = readWebhookEvent(rawBody); // { ok: true, event } or { ok: false, status: 400, error: "invalid_json", … }
 */
export function readWebhookEvent(body: Uint8Array): WebhookVerdict {
  let text: string;
  let value: unknown;
  try {
    text = utf8.decode(body);
    value = JSON.parse(text);
  } catch (error) {
    return refused(new WebhookError("invalid_json", "The body is not valid UTF-8 JSON.", { cause: error }));
  }
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    return refused(
      new WebhookError("invalid_event", `The body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels.`),
    );
  }
  const parsed = parseEvent(value);
  if (!parsed.ok) {
    const reason = parsed.message.replace(/\.$/, "");
    return refused(new WebhookError("invalid_event", `The body is not a usable Whereby event (${reason}).`));
  }
  return { ok: true, event: parsed.event };
}
