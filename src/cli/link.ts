/** `meetmeter link`: prints a participant's room link carrying their signed subject (SPEC §5). */
import type { Command } from "commander";
import { ConfigError, loadDeriveConfig } from "../config.js";
import {
  buildParticipantLink,
  ParticipantLinkError,
  type ParticipantLinkParameter,
} from "../whereby/participant-link.js";

interface LinkFlags {
  roomUrl: string;
  subject: string;
  displayName?: string;
  externalId?: string;
  secret?: string;
}

const FLAG_OF: Partial<Record<ParticipantLinkParameter, string>> = {
  roomUrl: "--room-url",
  subject: "--subject",
  secret: "--secret",
  displayName: "--display-name",
  externalId: "--external-id",
};

/** Links are signed with the newest secret: the first of a comma-separated list, as while rotating. */
function signingSecret(flags: LinkFlags): string {
  const [newest] = loadDeriveConfig(undefined, flags.secret).metadataSecrets;
  if (newest === undefined) {
    throw new ConfigError(
      "MEETMETER_METADATA_SECRET is not set: links are signed with it. Set it to the value the server verifies " +
        "metadata with, or pass --secret.",
    );
  }
  return newest;
}

/**
 * Registers `link`.
 *
 * @example
 * // MEETMETER_METADATA_SECRET=… meetmeter link --room-url https://example.whereby.com/math-101 --subject student-2231
 * register(program);
 */
export function register(program: Command): void {
  program
    .command("link")
    .description("print a participant's room link with their signed subject in its metadata")
    .requiredOption("--room-url <url>", "the room's URL, as Whereby gave it")
    .requiredOption("--subject <id>", "who the participant is in your app, e.g. a student id (no comma)")
    .option("--display-name <name>", "the name shown in the room (at most 100 characters, none of $!<>:;)")
    .option("--external-id <id>", "your id for the participant in Whereby's events ([A-Za-z0-9_-], at most 36)")
    .option("--secret <secret>", "the metadata secret (MEETMETER_METADATA_SECRET; the first one is used)")
    .action((flags: LinkFlags) => {
      const secret = signingSecret(flags);
      try {
        console.log(buildParticipantLink({ ...flags, secret }));
      } catch (error) {
        if (!(error instanceof ParticipantLinkError)) throw error;
        throw new ConfigError(`${FLAG_OF[error.parameter] ?? error.parameter} ${error.problem}`);
      }
    });
}
