/**
 * A participant's own room link: the room URL with a signed `metadata` parameter, and optionally the `displayName`
 * and `externalId` parameters, checked as Whereby documents them so that a link never fails once it is in a user's hands.
 */
import { signMetadata } from "./metadata.js";

export type ParticipantLinkParameter = "roomUrl" | "subject" | "secret" | "displayName" | "externalId" | "issuedAt";

/**
 * A parameter of {@link buildParticipantLink} that Whereby or the signature cannot take. `problem` is the sentence
 * without the parameter's name, so that a command can name its own flag instead.
 *
 * @example
 * catch (error) { if (error instanceof ParticipantLinkError) console.error(`--external-id ${error.problem}`); }
 */
export class ParticipantLinkError extends Error {
  readonly parameter: ParticipantLinkParameter;
  readonly problem: string;

  constructor(parameter: ParticipantLinkParameter, problem: string) {
    super(`${parameter} ${problem}`);
    this.name = "ParticipantLinkError";
    this.parameter = parameter;
    this.problem = problem;
  }
}

export interface ParticipantLinkOptions {
  /** The room's URL as Whereby gave it (a host's link with its `roomKey` works too). */
  roomUrl: string;
  /** Who the participant is in the app, e.g. a student or patient id. It travels in the link, signed. */
  subject: string;
  /** The metadata secret (`MEETMETER_METADATA_SECRET`; the first one while rotating). */
  secret: string;
  displayName?: string;
  externalId?: string;
  /** Unix seconds; defaults to now. */
  issuedAt?: number;
}

const OWN_PARAMETERS = new Set(["metadata", "displayName", "externalId"]);
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const EXTERNAL_ID = /^[A-Za-z0-9_-]{1,36}$/;
const DISPLAY_NAME_FORBIDDEN = /[$!<>:;]/;
const DISPLAY_NAME_MAX_CHARACTERS = 100;

function roomUrlOf(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ParticipantLinkError("roomUrl", `must be a full room URL such as https://example.whereby.com/room, got "${value}".`);
  }
  const local = LOCAL_HOSTS.has(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) {
    throw new ParticipantLinkError("roomUrl", `must use https (http only for localhost), got "${value}".`);
  }
  return url;
}

function check(options: ParticipantLinkOptions): void {
  const { subject, secret, displayName, externalId, issuedAt } = options;
  if (subject.trim() === "") throw new ParticipantLinkError("subject", "must not be empty.");
  if (subject.includes(",")) throw new ParticipantLinkError("subject", `must not contain a comma, got "${subject}".`);
  if (secret === "") throw new ParticipantLinkError("secret", "must not be empty.");
  if (displayName !== undefined) {
    if (displayName.trim() === "") throw new ParticipantLinkError("displayName", "must not be empty when given.");
    const length = [...displayName].length;
    if (length > DISPLAY_NAME_MAX_CHARACTERS) {
      throw new ParticipantLinkError("displayName", `must be at most ${DISPLAY_NAME_MAX_CHARACTERS} characters, got ${length}.`);
    }
    const forbidden = DISPLAY_NAME_FORBIDDEN.exec(displayName);
    if (forbidden) {
      throw new ParticipantLinkError("displayName", `must not contain any of $!<>:; (found "${forbidden[0]}").`);
    }
  }
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    throw new ParticipantLinkError("externalId", `must be 1 to 36 letters, digits, "-" or "_", got "${externalId}".`);
  }
  if (issuedAt !== undefined && !(Number.isSafeInteger(issuedAt) && issuedAt >= 0)) {
    throw new ParticipantLinkError("issuedAt", `must be a whole number of unix seconds, got ${issuedAt}.`);
  }
}

/** The name of a `name=value` query part, decoded as a browser reads it. */
function parameterName(part: string): string {
  const name = part.split("=", 1)[0] ?? "";
  try {
    return decodeURIComponent(name.replaceAll("+", " "));
  } catch {
    return name;
  }
}

/**
 * Builds a participant's room link with their signed subject. The room URL's other parameters are kept as they are
 * written; a `metadata`, `displayName` or `externalId` already there is replaced.
 *
 * @example
 * buildParticipantLink({ roomUrl: "https://example.whereby.com/math-101", subject: "student-2231", secret, displayName: "Zoë" });
 * // "https://example.whereby.com/math-101?metadata=student-2231%2C1772442000%2C0671…&displayName=Zo%C3%AB"
 * @throws {ParticipantLinkError} naming the parameter Whereby or the signature cannot take
 */
export function buildParticipantLink(options: ParticipantLinkOptions): string {
  const url = roomUrlOf(options.roomUrl);
  check(options);
  const metadata = signMetadata({ subject: options.subject, secret: options.secret, issuedAt: options.issuedAt });
  const added: [string, string | undefined][] = [
    ["metadata", metadata],
    ["displayName", options.displayName],
    ["externalId", options.externalId],
  ];
  // Rebuilt by hand rather than with URLSearchParams, which would rewrite the parameters that are kept ("embed" as "embed=").
  const kept = url.search
    .slice(1)
    .split("&")
    .filter((part) => part !== "" && !OWN_PARAMETERS.has(parameterName(part)));
  const ours = added.flatMap(([name, value]) => (value === undefined ? [] : [`${name}=${encodeURIComponent(value)}`]));
  url.search = [...kept, ...ours].join("&");
  return url.toString();
}
