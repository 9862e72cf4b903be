/** `meetmeter metadata verify`: what meetmeter makes of a participant's metadata value (SPEC §5). */
import type { Command } from "commander";
import { ConfigError, loadDeriveConfig } from "../config.js";
import { verifyMetadata, type MetadataVerdict } from "../whereby/metadata.js";

interface VerifyFlags {
  secret?: string;
  now?: number;
}

const MEANING: Record<MetadataVerdict["status"], string> = {
  verified: "signed with a configured secret and young enough: the subject is who the link was issued to",
  tampered: "the signature does not match this subject and time under any configured secret: the link was edited, or signed with another secret",
  expired: "genuinely signed, but issued longer ago than METADATA_MAX_AGE_SECONDS allows",
  unsigned: "not a signed value: the whole value is the subject, as the participant's link gave it",
};

/** A parser for options and variables in unix seconds; anything but digits exits 2 naming the setting. */
function wholeSeconds(name: string): (value: string) => number {
  return (value) => {
    if (!/^\d{1,15}$/.test(value.trim())) throw new ConfigError(`${name} must be a whole number of seconds, got "${value}".`);
    return Number(value.trim());
  };
}


/** "3 h", "12 days": enough to judge an age at a glance; the exact seconds are printed beside it. */
function roughly(seconds: number): string {
  const magnitude = Math.abs(seconds);
  if (magnitude < 120) return `${magnitude} s`;
  if (magnitude < 7200) return `${Math.floor(magnitude / 60)} min`;
  if (magnitude < 172_800) return `${Math.floor(magnitude / 3600)} h`;
  return `${Math.floor(magnitude / 86_400)} days`;
}

function describe(verdict: MetadataVerdict, now: number, maxAge: number): string[] {
  const lines = [`${verdict.status}: ${MEANING[verdict.status]}`, `subject: ${verdict.subject}`];
  if (verdict.status === "unsigned") return lines;
  const age = now - verdict.issuedAt;
  lines.push(`issued:  ${new Date(verdict.issuedAt * 1000).toISOString()} (${verdict.issuedAt})`);
  lines.push(
    age >= 0
      ? `age:     ${roughly(age)} (${age} s); at most ${roughly(maxAge)} (${maxAge} s) is accepted`
      : `age:     issued ${roughly(age)} (${-age} s) in the future of this clock`,
  );
  return lines;
}

/**
 * Registers `metadata verify <value>`. Exits 0 when verified or unsigned, 1 when tampered or expired.
 *
 * @example
 * // meetmeter metadata verify "student-2231,1772442000,0671…"
 * register(program);
 */
export function register(program: Command): void {
  const metadata = program.command("metadata").description("check signed participant metadata");
  metadata
    .command("verify")
    .description("tell whether a metadata value is verified, tampered, expired or unsigned")
    .argument("<value>", "the metadata value, as in the link or the event")
    .option("--secret <secrets>", "metadata secret(s), comma-separated (MEETMETER_METADATA_SECRET)")
    .option("--now <unix-seconds>", "check as of this time instead of now, e.g. the event's time", wholeSeconds("--now"))
    .action((value: string, flags: VerifyFlags) => {
      const { metadataSecrets: secrets, metadataMaxAgeSeconds: maxAgeSeconds } = loadDeriveConfig(undefined, flags.secret);
      if (secrets.length === 0) {
        throw new ConfigError("MEETMETER_METADATA_SECRET is not set: it is needed to check signed metadata (or pass --secret).");
      }
      const now = flags.now ?? Math.floor(Date.now() / 1000);
      const verdict = verifyMetadata(value, { secrets, maxAgeSeconds, now });
      console.log(describe(verdict, now, maxAgeSeconds).join("\n"));
      if (verdict.status === "tampered" || verdict.status === "expired") process.exitCode = 1;
    });
}
