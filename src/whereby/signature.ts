/**
 * The `Whereby-Signature` scheme: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">[,v1=…]`.
 *
 * The raw body bytes are what is signed, never a re-serialised object. Whereby's own example signs
 * `JSON.stringify(body)`, so a body that does not match as sent is tried once more in that compact form.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { WebhookError } from "./webhook-error.js";

export const SIGNATURE_HEADER = "whereby-signature";
export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface ParsedSignatureHeader {
  timestamp: number;
  /** `t` exactly as the header wrote it (leading zeros and all): what the signature covers. */
  signedTimestamp: string;
  signatures: string[];
}

/**
 * Reads the header strictly: the first `t` must be digits only (any later one is ignored), at least one `v1` must be
 * there, other schemes are ignored.
 * @throws {WebhookError} `missing_signature` or `malformed_signature`
 */
export function parseSignatureHeader(header: string | null | undefined): ParsedSignatureHeader {
  if (header === undefined || header === null || header.trim() === "") {
    throw new WebhookError("missing_signature", "The Whereby-Signature header is missing or empty.");
  }
  let signedTimestamp: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const separator = part.indexOf("=");
    if (separator < 0) continue;
    const scheme = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (scheme === "t") signedTimestamp ??= value;
    else if (scheme === "v1" && value !== "") signatures.push(value);
  }
  if (signedTimestamp === undefined || !/^\d+$/.test(signedTimestamp) || signatures.length === 0) {
    throw new WebhookError(
      "malformed_signature",
      "The Whereby-Signature header must look like t=<unix seconds>,v1=<hex signature>.",
    );
  }
  return { timestamp: Number(signedTimestamp), signedTimestamp, signatures };
}

function hmac(secret: string, timestamp: number | string, body: Uint8Array): Buffer {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();
}

/** The `v1` a sender computes for these bytes at `timestamp` (written as the header writes it), in hex. */
export function computeSignature(secret: string, timestamp: number | string, body: Uint8Array): string {
  return hmac(secret, timestamp, body).toString("hex");
}

function matchesAny(expected: Buffer[], candidates: Buffer[]): boolean {
  let matched = false;
  for (const candidate of candidates) {
    for (const digest of expected) {
      // Every pair is compared so that timing does not tell which secret or position matched.
      if (candidate.length === digest.length && timingSafeEqual(candidate, digest)) matched = true;
    }
  }
  return matched;
}

/**
 * The compact `JSON.stringify(JSON.parse(body))` form, or null when the body is not JSON (a byte order mark included)
 * or already compact.
 */
export function compactForm(body: Uint8Array): Buffer | null {
  try {
    const text = Buffer.from(body).toString("utf8");
    const compact = JSON.stringify(JSON.parse(text));
    return compact === text ? null : Buffer.from(compact, "utf8");
  } catch {
    return null;
  }
}

export interface VerifyOptions {
  /** The `Whereby-Signature` header as received. */
  header: string | null | undefined;
  /** The raw request body, exactly as received. */
  body: Uint8Array;
  /** Every secret that is currently accepted (more than one while rotating). */
  secrets: readonly string[];
  toleranceSeconds?: number;
  /** The receiver's clock in unix seconds; defaults to now. */
  now?: number;
}

/**
 * Verifies a Whereby webhook. Returns the signed timestamp, or throws a {@link WebhookError} whose `code` says why not.
 *
 * @example
 * verifyWherebySignature({ header: req.headers["whereby-signature"], body: rawBody, secrets: ["whsec_…"] });
 */
export function verifyWherebySignature(options: VerifyOptions): { timestamp: number; signed: "raw" | "compact" } {
  const { timestamp, signedTimestamp, signatures } = parseSignatureHeader(options.header);
  const candidates = signatures.filter((s) => /^[0-9a-fA-F]{64}$/.test(s)).map((s) => Buffer.from(s, "hex"));
  const expected = options.secrets.map((secret) => hmac(secret, signedTimestamp, options.body));
  let signed: "raw" | "compact" | null = matchesAny(expected, candidates) ? "raw" : null;
  if (!signed && candidates.length > 0) {
    const compact = compactForm(options.body);
    if (compact && matchesAny(options.secrets.map((secret) => hmac(secret, signedTimestamp, compact)), candidates)) {
      signed = "compact";
    }
  }
  if (!signed) {
    throw new WebhookError("invalid_signature", "No signature in Whereby-Signature matches a configured secret.");
  }
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > tolerance) {
    throw new WebhookError(
      "timestamp_out_of_tolerance",
      `The signature's timestamp is more than ${tolerance} seconds away from this server's clock.`,
    );
  }
  return { timestamp, signed };
}

/**
 * Computes a `Whereby-Signature` header value for a body, as Whereby does.
 *
 * @example
 * const header = signWherebyPayload({ body, secret: "whsec_…" }); // "t=1700000000,v1=ab12…"
 */
export function signWherebyPayload(options: { body: Uint8Array | string; secret: string; timestamp?: number }): string {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const body = typeof options.body === "string" ? Buffer.from(options.body, "utf8") : options.body;
  return `t=${timestamp},v1=${computeSignature(options.secret, timestamp, body)}`;
}
