/**
 * `meetmeter signature sign|verify`: compute or check a `Whereby-Signature` for a body file, or with `--scheme
 * standard` the Standard Webhooks headers that meetmeter's own deliveries carry (SPEC §10). When a Whereby signature
 * does not match, the diagnosis shows what would have matched, since the usual causes (a re-serialised body, a
 * trailing newline, a clock off by minutes) are invisible in the bytes.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { ConfigError, readEnvironment } from "../config.js";
import {
  compactForm,
  computeSignature,
  DEFAULT_TOLERANCE_SECONDS,
  parseSignatureHeader,
  signWherebyPayload,
  verifyWherebySignature,
} from "../whereby/signature.js";
import { WebhookError } from "../whereby/webhook-error.js";
import { standardSign, standardVerify, type StandardFlags } from "./standard-signature.js";

interface SignFlags extends StandardFlags {
  secret?: string;
  timestamp?: number;
  scheme: "whereby" | "standard";
}

interface VerifyFlags extends StandardFlags {
  secret?: string;
  header?: string;
  scheme: "whereby" | "standard";
  tolerance?: number;
  now?: number;
}

/** A parser for options and variables in seconds; anything but digits exits 2 naming the setting. */
function wholeSeconds(name: string): (value: string) => number {
  return (value) => {
    if (!/^\d{1,15}$/.test(value.trim())) throw new ConfigError(`${name} must be a whole number of seconds, got "${value}".`);
    return Number(value.trim());
  };
}

function secretsFrom(flag: string | undefined): string[] {
  const secrets = (flag ?? readEnvironment().WHEREBY_WEBHOOK_SECRET ?? "")
    .split(",")
    .map((secret) => secret.trim())
    .filter((secret) => secret !== "");
  if (secrets.length === 0) throw new ConfigError("WHEREBY_WEBHOOK_SECRET is not set and no --secret was given.");
  return secrets;
}

function toleranceFrom(flag: number | undefined): number {
  if (flag !== undefined) return flag;
  const variable = readEnvironment().WEBHOOK_TOLERANCE_SECONDS;
  if (variable === undefined || variable.trim() === "") return DEFAULT_TOLERANCE_SECONDS;
  return wholeSeconds("WEBHOOK_TOLERANCE_SECONDS")(variable);
}

/** The body file's bytes, untouched; `-` reads standard input. */
function readBody(file: string): Buffer {
  try {
    return readFileSync(file === "-" ? 0 : file);
  } catch (error) {
    throw new ConfigError(`Cannot read the body file "${file}": ${error instanceof Error ? error.message : String(error)}`);
  }
}

function utf8Text(body: Buffer): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return null;
  }
}

const BYTE_ORDER_MARK = Buffer.from([0xef, 0xbb, 0xbf]);

function hasByteOrderMark(body: Buffer): boolean {
  return body.subarray(0, 3).equals(BYTE_ORDER_MARK);
}

/** The other bytes a sender may have signed, each with what it tells the user when it is the one that matches. */
function bodyForms(body: Buffer): { name: string; bytes: Buffer; hint: string }[] {
  const forms: { name: string; bytes: Buffer; hint: string }[] = [];
  const compact = compactForm(body);
  if (compact !== null) {
    forms.push({
      name: "the compact JSON form",
      bytes: compact,
      hint: "The sender signed JSON.stringify of the body, not the bytes it sent; meetmeter accepts that form too.",
    });
  }
  if (hasByteOrderMark(body)) {
    forms.push({
      name: "the body without its byte order mark",
      bytes: body.subarray(3),
      hint: "The file gained a byte order mark after signing (some Windows editors add one): save the body as received.",
    });
  }
  const trimmed = body.subarray(0, body.length - (/(\r?\n)+$/.exec(body.toString("latin1"))?.[0].length ?? 0));
  if (trimmed.length !== body.length) {
    forms.push({
      name: "the body without its trailing newline",
      bytes: trimmed,
      hint: "The file gained a trailing newline after signing (editors and echo add one): save the body exactly as received, e.g. with curl --data-binary or printf '%s'.",
    });
  }
  return forms;
}

function jsonShape(text: string | null): string {
  const withoutBom = (text ?? "").replace(/^\uFEFF/, "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(withoutBom);
  } catch {
    return "not JSON";
  }
  if (JSON.stringify(parsed) === withoutBom) return "compact JSON";
  return withoutBom.trim().includes("\n") ? "pretty-printed JSON" : "JSON with extra spacing";
}

function describeBody(body: Buffer): string {
  const text = utf8Text(body);
  const yes = (flag: boolean) => (flag ? "yes" : "no");
  return [
    `${body.length} bytes`,
    text === null ? "not UTF-8" : "UTF-8",
    jsonShape(text),
    `byte order mark: ${yes(hasByteOrderMark(body))}`,
    `trailing newline: ${yes(body.at(-1) === 0x0a)}`,
  ].join(", ");
}

function describeSkew(timestamp: number, now: number, tolerance: number): string {
  const skew = now - timestamp;
  const direction = skew >= 0 ? "behind" : "ahead of";
  const verdict = Math.abs(skew) > tolerance ? "outside" : "within";
  return `t is ${Math.abs(skew)} s ${direction} this clock, ${verdict} the tolerance of ${tolerance} s`;
}

function diagnose(error: WebhookError, header: string, body: Buffer, secrets: string[], tolerance: number, now: number): string[] {
  const lines = ["", "diagnosis:", `  body:        ${describeBody(body)}`];
  let timestamp = now;
  let given: string[] = [];
  try {
    ({ timestamp, signatures: given } = parseSignatureHeader(header));
    lines.push(`  header:      t=${timestamp} (${new Date(timestamp * 1000).toISOString()}), ${given.length} v1 value(s)`);
    lines.push(`  clock skew:  ${describeSkew(timestamp, now, tolerance)}`);
  } catch {
    lines.push(`  header:      expected t=<unix seconds>,v1=<64 hex digits>; below, v1 is computed for t=${now} (now)`);
  }
  const label = (index: number) => (secrets.length > 1 ? ` (secret ${index + 1})` : "");
  const forms = [{ name: "the raw bytes", bytes: body, hint: "" }, ...bodyForms(body)];
  const hints: string[] = [];
  for (const form of forms) {
    secrets.forEach((secret, index) => {
      const expected = computeSignature(secret, timestamp, form.bytes);
      lines.push(`  expected v1 for ${form.name}${label(index)}: ${expected}`);
      if (form.hint && given.some((value) => value.toLowerCase() === expected)) hints.push(form.hint);
    });
  }
  if (given.some((value) => !/^[0-9a-fA-F]{64}$/.test(value))) {
    hints.push("A v1 value is not 64 hex digits: the header was cut or altered on its way.");
  }
  if (error.code === "timestamp_out_of_tolerance") {
    hints.push(
      "The signature is genuine but old or early: check this machine's clock (NTP), or pass --now <t> to check a " +
        "captured request as of when it arrived. A replayed delivery looks like this too.",
    );
  }
  if (hints.length === 0 && error.code === "invalid_signature") {
    hints.push(
      "No form of this body matches: check that the secret is the one in Whereby's webhook settings for this endpoint, " +
        "and that the body is the request's raw bytes, not an object serialised again by a JSON body parser.",
    );
  }
  return [...lines, ...hints.map((hint) => `  hint: ${hint}`)];
}

function scheme(value: string): "whereby" | "standard" {
  if (value !== "whereby" && value !== "standard") throw new ConfigError(`--scheme must be whereby or standard, got "${value}".`);
  return value;
}

function verifyCommand(file: string, flags: VerifyFlags): void {
  const body = readBody(file);
  const tolerance = toleranceFrom(flags.tolerance);
  const now = flags.now ?? Math.floor(Date.now() / 1000);
  if (flags.scheme === "standard") {
    process.exitCode = standardVerify(body, flags, tolerance, now);
    return;
  }
  if (flags.header === undefined) throw new ConfigError("--header is needed to check a Whereby-Signature.");
  const header = flags.header;
  const secrets = secretsFrom(flags.secret);
  try {
    const verdict = verifyWherebySignature({ header, body, secrets, toleranceSeconds: tolerance, now });
    const { timestamp } = verdict;
    const form = verdict.signed === "raw" ? "the raw bytes" : "the compact JSON form of the body";
    console.log(`valid: a v1 matches ${form}; ${describeSkew(timestamp, now, tolerance)}`);
  } catch (error) {
    if (!(error instanceof WebhookError)) throw error;
    console.log(`invalid: ${error.code}: ${error.message}`);
    console.log(diagnose(error, header, body, secrets, tolerance, now).join("\n"));
    process.exitCode = 1;
  }
}

/**
 * Registers `signature sign` and `signature verify`.
 *
 * @example
 * // meetmeter signature sign --secret whsec_… body.json
 * // meetmeter signature verify --secret whsec_… --header "t=…,v1=…" body.json
 * register(program);
 */
export function register(program: Command): void {
  const signature = program.command("signature").description("compute or check a Whereby-Signature for a body file");
  signature
    .command("sign")
    .description("print the Whereby-Signature header value for a body file")
    .argument("<body-file>", "the request body, byte for byte (- for standard input)")
    .option("--secret <secret>", "the webhook secret (WHEREBY_WEBHOOK_SECRET; the first one is used)")
    .option("--timestamp <unix-seconds>", "sign as of this time instead of now", wholeSeconds("--timestamp"))
    .option("--scheme <scheme>", "whereby (Whereby-Signature) or standard (webhook-* headers of meetmeter's deliveries)", scheme, "whereby")
    .option("--id <webhook-id>", "standard: the message id to sign (a new one by default)")
    .action((file: string, flags: SignFlags) => {
      const body = readBody(file);
      if (flags.scheme === "standard") return standardSign(body, flags, flags.timestamp ?? Math.floor(Date.now() / 1000));
      const [secret = ""] = secretsFrom(flags.secret);
      console.log(signWherebyPayload({ body, secret, timestamp: flags.timestamp }));
    });
  signature
    .command("verify")
    .description("check a Whereby-Signature against a body file, and say why it does not match")
    .argument("<body-file>", "the request body, byte for byte (- for standard input)")
    .option("--header <value>", "the Whereby-Signature header as received")
    .option("--secret <secrets>", "webhook secret(s), comma-separated (WHEREBY_WEBHOOK_SECRET); standard: the endpoint's whsec_ secret")
    .option("--scheme <scheme>", "whereby (Whereby-Signature) or standard (webhook-* headers of meetmeter's deliveries)", scheme, "whereby")
    .option("--id <webhook-id>", "standard: the webhook-id header as received")
    .option("--webhook-timestamp <unix-seconds>", "standard: the webhook-timestamp header as received")
    .option("--signature <value>", "standard: the webhook-signature header as received")
    .option("--tolerance <seconds>", "how far t may be from now (WEBHOOK_TOLERANCE_SECONDS, default 300)", wholeSeconds("--tolerance"))
    .option("--now <unix-seconds>", "check as of this time instead of now, e.g. when the request was captured", wholeSeconds("--now"))
    .action(verifyCommand);
}
