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
 * What a session's events say about each participantId, gathered an event at a time: the first value given for each
 * field. Each identity is worked out once, and again only when its claims change.
 */
export class ClaimsFold {
  private readonly claimsOf = new Map<string, Claims>();
  private readonly identities = new Map<string, ParticipantIdentity>();

  constructor(private readonly options: MetadataOptions) {}

  /**
   * Takes in what the event says of its participant. True when that changes the person key of a participantId that
   * earlier events already named (a first externalId or metadata after events without): what was told apart by the
   * old key must then be told apart again.
   */
  add({ at, event }: TimedEvent): boolean {
    if (!isParticipantEvent(event)) return false;
    const { data } = event;
    let claims = this.claimsOf.get(data.participantId);
    const known = claims !== undefined;
    if (claims === undefined) {
      claims = { displayName: null, roleName: null, externalId: null, metadata: null };
      this.claimsOf.set(data.participantId, claims);
    }
    const { displayName, roleName, externalId } = claims;
    const hadMetadata = claims.metadata !== null;
    claims.displayName ??= text(data.displayName);
    if (event.type === "room.client.joined" || event.type === "room.client.left") {
      claims.roleName ??= text(event.data.roleName);
    }
    claims.externalId ??= text(data.externalId);
    const metadata = text(data.metadata);
    if (metadata !== null) claims.metadata ??= { value: metadata, at };
    const keyMayChange = externalId !== claims.externalId || hadMetadata !== (claims.metadata !== null);
    if (keyMayChange || displayName !== claims.displayName || roleName !== claims.roleName) {
      this.identities.delete(data.participantId);
    }
    return known && keyMayChange;
  }

  /** The identity of a participantId its events named; undefined for one they did not. */
  identityOf(participantId: string): ParticipantIdentity | undefined {
    let identity = this.identities.get(participantId);
    if (identity === undefined) {
      const claims = this.claimsOf.get(participantId);
      if (claims === undefined) return undefined;
      identity = identify(participantId, claims, this.options);
      this.identities.set(participantId, identity);
    }
    return identity;
  }

  /** Every participantId named, with its identity. */
  all(): Map<string, ParticipantIdentity> {
    return new Map([...this.claimsOf.keys()].map((participantId) => [participantId, this.identityOf(participantId)!]));
  }
}
