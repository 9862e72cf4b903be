/**
 * Who a participantId is: what its events say about it, and the key that merges it with the person's other tabs and
 * rejoins: `external:<externalId>`, else `metadata:<subject>`, else `participant:<participantId>` (SPEC §3, §5).
 */
import { BOT_ROLES } from "../whereby/events.js";
import { verifyMetadata } from "../whereby/metadata.js";
import { isParticipantEvent } from "./event-kinds.js";
import type { TimedEvent } from "./event-order.js";

export interface MetadataOptions {
  secrets: readonly string[];
  maxAgeSeconds?: number;
}

export interface ParticipantIdentity {
  participantId: string;
  key: string;
  bot: boolean;
  displayName: string | null;
  roleName: string | null;
  externalId: string | null;
  metadata: string | null;
  metadataSubject: string | null;
  metadataVerified: boolean | null;
  metadataProblem: "tampered" | "expired" | null;
}

interface Claims {
  displayName: string | null;
  roleName: string | null;
  externalId: string | null;
  metadata: { value: string; at: number } | null;
}

function text(value: string | null | undefined): string | null {
  return value === undefined || value === null || value === "" ? null : value;
}

type MetadataReading = Pick<ParticipantIdentity, "metadataSubject" | "metadataVerified" | "metadataProblem"> & {
  /** A subject the key may use: not one whose signature was forged. */
  trusted: boolean;
};

/**
 * Checked with the event's own time as the clock, so figures never depend on when they are computed. Without any
 * secret a signed-looking value cannot be checked either way: its subject is kept, neither verified nor flagged.
 */
function readMetadata(value: string, at: number, options: MetadataOptions): MetadataReading {
  const verdict = verifyMetadata(value, {
    secrets: options.secrets,
    maxAgeSeconds: options.maxAgeSeconds,
    now: Math.floor(at / 1000),
  });
  const subject = verdict.subject;
  switch (verdict.status) {
    case "verified":
      return { metadataSubject: subject, metadataVerified: true, metadataProblem: null, trusted: true };
    case "expired":
      return { metadataSubject: subject, metadataVerified: false, metadataProblem: "expired", trusted: true };
    case "unsigned":
      return { metadataSubject: subject, metadataVerified: null, metadataProblem: null, trusted: true };
    case "tampered":
      if (options.secrets.length === 0) {
        return { metadataSubject: subject, metadataVerified: null, metadataProblem: null, trusted: true };
      }
      return { metadataSubject: subject, metadataVerified: false, metadataProblem: "tampered", trusted: false };
  }
}

function identify(participantId: string, claims: Claims, options: MetadataOptions): ParticipantIdentity {
  const reading = claims.metadata === null ? null : readMetadata(claims.metadata.value, claims.metadata.at, options);
  let key = `participant:${participantId}`;
  if (claims.externalId !== null) key = `external:${claims.externalId}`;
  else if (reading?.trusted) key = `metadata:${reading.metadataSubject ?? ""}`;
  return {
    participantId,
    key,
    bot: claims.roleName !== null && BOT_ROLES.has(claims.roleName),
    displayName: claims.displayName,
    roleName: claims.roleName,
    externalId: claims.externalId,
    metadata: claims.metadata?.value ?? null,
    metadataSubject: reading?.metadataSubject ?? null,
    metadataVerified: reading?.metadataVerified ?? null,
    metadataProblem: reading?.metadataProblem ?? null,
  };
}

/**
 * Every participantId of a session with the first value its events give for each field.
 *
 * @example
 * identifyParticipants(session.events, { secrets: [] }).get("0f9a…")?.key; // "external:teacher-7"
 */
export function identifyParticipants(
  events: readonly TimedEvent[],
  options: MetadataOptions,
): Map<string, ParticipantIdentity> {
  const claimsOf = new Map<string, Claims>();
  for (const { at, event } of events) {
    if (!isParticipantEvent(event)) continue;
    const { data } = event;
    let claims = claimsOf.get(data.participantId);
    if (claims === undefined) {
      claims = { displayName: null, roleName: null, externalId: null, metadata: null };
      claimsOf.set(data.participantId, claims);
    }
    claims.displayName ??= text(data.displayName);
    if (event.type === "room.client.joined" || event.type === "room.client.left") {
      claims.roleName ??= text(event.data.roleName);
    }
    claims.externalId ??= text(data.externalId);
    const metadata = text(data.metadata);
    if (metadata !== null) claims.metadata ??= { value: metadata, at };
  }
  const identities = new Map<string, ParticipantIdentity>();
  for (const [participantId, claims] of claimsOf) {
    identities.set(participantId, identify(participantId, claims, options));
  }
  return identities;
}
