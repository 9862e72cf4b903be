/**
 * The Standard Webhooks format (standardwebhooks.com) that meetmeter signs its deliveries in: headers `webhook-id`,
 * `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed with the
 * bytes of a `whsec_<base64>` secret, so that any Standard Webhooks library verifies them.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const PREFIX = "whsec_";

/** A new endpoint secret: 24 random bytes, as `whsec_<base64>`. */
export function generateSecret(): string {
  return PREFIX + randomBytes(24).toString("base64");
}

/** The key bytes of a secret: the base64 after `whsec_`; null when it is not one. */
export function secretKey(secret: string): Buffer | null {
  if (!secret.startsWith(PREFIX)) return null;
  const text = secret.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  const key = Buffer.from(text, "base64");
  return key.length >= 16 && key.length <= 64 ? key : null;
}

export type StandardHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

function mac(key: Buffer, id: string, timestamp: number, body: string | Buffer): Buffer {
  return createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest();
}

/** The headers that sign `body` as message `id` sent at `timestamp` (unix seconds). */
export function signStandard(secret: string, id: string, timestamp: number, body: string | Buffer): StandardHeaders {
  const key = secretKey(secret);
  if (key === null) throw new Error("the secret is not a whsec_ secret");
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": `v1,${mac(key, id, timestamp, body).toString("base64")}`,
  };
}

export type StandardVerdict = { ok: true } | { ok: false; code: "missing_header" | "bad_timestamp" | "stale" | "mismatch"; message: string };

/**
 * Checks a signed body as a receiver would: one of the space-separated `v1,` signatures matches, and the timestamp is
 * within `toleranceSeconds` of `now` (unix seconds).
 */
export function verifyStandard(
  secret: string,
  headers: Partial<StandardHeaders>,
  body: string | Buffer,
  now: number,
  toleranceSeconds = 300,
): StandardVerdict {
  const key = secretKey(secret);
  if (key === null) throw new Error("the secret is not a whsec_ secret");
  const id = headers["webhook-id"];
  const stamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (!id || !stamp || !signatures) {
    return { ok: false, code: "missing_header", message: "webhook-id, webhook-timestamp and webhook-signature are all needed" };
  }
  if (!/^\d+$/.test(stamp)) return { ok: false, code: "bad_timestamp", message: `webhook-timestamp is not unix seconds: "${stamp}"` };
  const timestamp = Number(stamp);
  if (Math.abs(now - timestamp) > toleranceSeconds) {
    return { ok: false, code: "stale", message: `the timestamp is ${now - timestamp} s from now, more than ${toleranceSeconds} s` };
  }
  const expected = mac(key, id, timestamp, body);
  for (const signature of signatures.split(" ")) {
    const [version, value] = signature.split(",", 2);
    if (version !== "v1" || value === undefined) continue;
    const given = Buffer.from(value, "base64");
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, code: "mismatch", message: "no v1 signature matches this body and secret" };
}
