/**
 * Signed participant metadata: `<subject>,<unix seconds issued>,<hex HMAC-SHA256 of "<subject>,<seconds>">`.
 *
 * An app puts this value in the `metadata` parameter of a participant's room link; Whereby passes it into that
 * participant's events. Anyone can edit their own link, so the signature tells whether the subject is the one issued.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const DEFAULT_METADATA_MAX_AGE_SECONDS = 2_592_000;

export type MetadataVerdict =
  | { status: "verified"; subject: string; issuedAt: number }
  | { status: "tampered"; subject: string; issuedAt: number }
  | { status: "expired"; subject: string; issuedAt: number }
  | { status: "unsigned"; subject: string };

export interface MetadataVerifyOptions {
  /** Every accepted secret (more than one while rotating). With none, signed values cannot be checked: tampered. */
  secrets: readonly string[];
  maxAgeSeconds?: number;
  /** The verifier's clock in unix seconds; now by default. */
  now?: number;
}

const SIGNED_SHAPE = /^([^,]*),(\d{1,15}),([0-9a-fA-F]{64})$/;

function mac(secret: string, subject: string, issuedAt: number): Buffer {
  return createHmac("sha256", secret).update(`${subject},${issuedAt}`, "utf8").digest();
}

/**
 * Signs a subject for a participant link.
 *
 * @example
 * signMetadata({ subject: "student-2231", secret: process.env.MEETMETER_METADATA_SECRET!, issuedAt: 1772442000 });
 * // "student-2231,1772442000,0671…"
 */
export function signMetadata(options: { subject: string; secret: string; issuedAt?: number }): string {
  if (options.subject.includes(",")) throw new Error("A metadata subject cannot contain a comma.");
  const issuedAt = options.issuedAt ?? Math.floor(Date.now() / 1000);
  return `${options.subject},${issuedAt},${mac(options.secret, options.subject, issuedAt).toString("hex")}`;
}

/**
 * Tells whether a metadata value is a genuine signed subject. Tampered and expired values keep their subject.
 *
 * @example
 * verifyMetadata("student-2231,1772442000,0671…", { secrets: ["…"], now: 1772445600 }).status; // "verified"
 */
export function verifyMetadata(value: string, options: MetadataVerifyOptions): MetadataVerdict {
  const match = SIGNED_SHAPE.exec(value);
  if (!match) return { status: "unsigned", subject: value };
  const subject = match[1] ?? "";
  const issuedAt = Number(match[2]);
  const given = Buffer.from(match[3] ?? "", "hex");
  let genuine = false;
  for (const secret of options.secrets) {
    if (timingSafeEqual(mac(secret, subject, issuedAt), given)) genuine = true;
  }
  if (!genuine) return { status: "tampered", subject, issuedAt };
  const maxAge = options.maxAgeSeconds ?? DEFAULT_METADATA_MAX_AGE_SECONDS;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (now - issuedAt > maxAge) return { status: "expired", subject, issuedAt };
  return { status: "verified", subject, issuedAt };
}
