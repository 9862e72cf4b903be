/**
 * Who a simulated participant is in Whereby's events: the externalId and metadata an app puts in room links, and the
 * bots Whereby itself adds.
 */
import { signMetadata } from "../whereby/metadata.js";
import type { Identity } from "./plan.js";
import type { Random } from "./random.js";

/** What every scenario model needs besides its room: the random source, the metadata key, and fresh serial numbers. */
export interface ModelContext {
  random: Random;
  /** Signs metadata subjects as SPEC §5 does; without it, links carry the plain subject. */
  metadataSecret?: string;
  /** A number never handed out before in this run: keeps people, rooms and recordings apart. */
  serial(): number;
}

export interface PersonOptions {
  displayName: string;
  roleName: string;
  externalId?: string;
  /** A metadata subject; signed with the context's key, issued at `linkIssuedAt`. */
  subject?: string;
  /** When the app made the person's room link, in unix milliseconds. */
  linkIssuedAt: number;
  isDialIn?: boolean;
}

/**
 * A human participant as their room link makes them appear.
 *
 * @example
 * person(context, { displayName: "Sam Park", roleName: "visitor", subject: "student-12", linkIssuedAt: Date.now() });
 */
export function person(context: ModelContext, options: PersonOptions): Identity {
  const subject = options.subject ?? null;
  const metadata =
    subject === null
      ? null
      : context.metadataSecret
        ? signMetadata({ subject, secret: context.metadataSecret, issuedAt: Math.floor(options.linkIssuedAt / 1000) })
        : subject;
  return {
    displayName: options.displayName,
    roleName: options.roleName,
    externalId: options.externalId ?? null,
    metadata,
    metadataSubject: subject,
    isDialIn: options.isDialIn ?? false,
  };
}

/**
 * A bot that Whereby adds to the room: it counts in numClients but is no participant.
 *
 * @example
 * bot("recorder", "Recorder");
 */
export function bot(roleName: string, displayName: string): Identity {
  return { displayName, roleName, externalId: null, metadata: null, metadataSubject: null, isDialIn: false };
}
