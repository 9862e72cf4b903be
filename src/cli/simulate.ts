/**
 * `meetmeter simulate`: plays realistic, signed Whereby traffic at an endpoint, or writes it to a file, with its
 * ground truth on request.
 */
import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { once } from "node:events";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { ConfigError, loadDeriveConfig, readEnvironment } from "../config.js";
import {
  SCENARIOS,
  generateTraffic,
  isScenario,
  sendEvents,
  timetableCsv,
  type Scenario,
  type SendResult,
  type Traffic,
} from "../simulate/index.js";
import type { WherebyEvent } from "../whereby/events.js";
import { checkWritableFile } from "./files.js";
import { ISO_INSTANT_HINT, parseIsoInstant } from "../iso-time.js";

interface SimulateFlags {
  url?: string;
  secret?: string;
  scenario: string;
  sessions: string;
  seed?: string;
  rate?: string;
  concurrency: string;
  start?: string;
  metadataSecret?: string;
  out?: string;
  truth?: string;
  scheduleOut?: string;
}

function whole(option: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number < min || number > max) {
    throw new ConfigError(`${option} must be a whole number from ${min} to ${max}, got "${value}".`);
  }
  return number;
}

function positive(option: string, value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number <= 0) {
    throw new ConfigError(`${option} must be a number above 0, got "${value}".`);
  }
  return number;
}

function endpoint(value: string | undefined): string {
  if (value === undefined) throw new ConfigError("--url is required to send (or give --out to write the events to a file).");
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return value;
  } catch {
    // answered below, with the same message as a URL of another scheme
  }
  throw new ConfigError(`--url must be an http:// or https:// URL, got "${value}".`);
}

/** Without --start, the traffic is placed so that its last event is now. */
function startFor(flags: SimulateFlags, generate: (start: Date) => Traffic): Traffic {
  if (flags.start !== undefined) {
    const start = parseIsoInstant(flags.start, { dateOnly: true });
    if (start === null) throw new ConfigError(`--start must be ${ISO_INSTANT_HINT}, or a date, got "${flags.start}".`);
    return generate(new Date(start));
  }
  let last = 0;
  for (const event of generate(new Date(0)).events) last = Math.max(last, Date.parse(event.createdAt));
  return generate(new Date(Date.now() - last));
}

async function writeLines(path: string, events: readonly WherebyEvent[]): Promise<void> {
  const file = createWriteStream(path);
  for (const event of events) {
    if (!file.write(`${JSON.stringify(event)}\n`)) await once(file, "drain");
  }
  file.end();
  await once(file, "finish");
}

function tally(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([reason, n]) => `${reason}: ${n}`)
    .join(", ");
}

/**
 * One line on what became of the deliveries.
 *
 * @example
 * describeResult(result); // "sent 523 in 0.4 s (1308/s): 523 acknowledged (0 duplicates), 0 rejected, …"
 */
export function describeResult(result: SendResult): string {
  const seconds = result.elapsedMs / 1000;
  const rejected = Object.values(result.rejected).reduce((sum, n) => sum + n, 0);
  return [
    `sent ${result.sent} in ${seconds.toFixed(1)} s (${Math.round(result.sent / Math.max(seconds, 0.001))}/s):`,
    `${result.acknowledged} acknowledged (${result.duplicates} duplicates),`,
    `${rejected} rejected${rejected ? ` (${tally(result.rejected)})` : ""},`,
    `${result.retried} retried,`,
    `${result.failed} failed${result.failed ? ` (${tally(result.failures)})` : ""};`,
    `latency p50 ${result.latencyMs.p50.toFixed(1)} ms, p99 ${result.latencyMs.p99.toFixed(1)} ms`,
  ].join(" ");
}

interface Delivery {
  url: string;
  secret: string;
  concurrency: number;
  rate: number | undefined;
}

/** Checks the sending options even when the traffic is only written, so that a typo is never silently ignored. */
function delivery(flags: SimulateFlags, env: Record<string, string | undefined>): Delivery | null {
  const concurrency = whole("--concurrency", flags.concurrency, 1, 10_000);
  const rate = flags.rate === undefined ? undefined : positive("--rate", flags.rate);
  if (flags.out !== undefined) return null;
  const url = endpoint(flags.url);
  const secret = (flags.secret ?? env.WHEREBY_WEBHOOK_SECRET)?.split(",")[0]?.trim();
  if (!secret) throw new ConfigError("--secret (or WHEREBY_WEBHOOK_SECRET) is required to sign the deliveries.");
  return { url, secret, concurrency, rate };
}

async function send(events: readonly WherebyEvent[], options: Delivery): Promise<void> {
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : null;
  bar?.start(events.length, 0);
  const result = await sendEvents(events, { ...options, onProgress: bar ? (settled) => bar.update(settled) : undefined });
  bar?.stop();
  console.log(describeResult(result));
  if (result.acknowledged < result.sent) process.exitCode = 1;
}

export function register(program: Command): void {
  program
    .command("simulate")
    .description("play realistic, signed Whereby traffic at an endpoint (or write it to a file)")
    .option("--url <endpoint>", "webhook endpoint, e.g. http://127.0.0.1:8000/webhooks/whereby")
    .option("--secret <secret>", "webhook secret to sign with (WHEREBY_WEBHOOK_SECRET; the first of a list)")
    .option("--scenario <name>", `one of ${SCENARIOS.join(", ")}`, "classroom")
    .option("--sessions <n>", "how many sessions", "10")
    .option("--seed <n>", "the same seed (and --start) gives the same traffic; random by default")
    .option("--rate <n>", "most events sent per second (default: as fast as --concurrency allows)")
    .option("--concurrency <n>", "requests in flight at once", "16")
    .option("--start <iso>", "simulated time of the first events (default: the traffic ends now)")
    .option("--metadata-secret <secret>", "signs participant metadata (MEETMETER_METADATA_SECRET)")
    .option("--out <file.jsonl>", "write the events as JSON lines instead of sending them")
    .option("--truth <file.json>", "write the ground truth: each session's real start and end, each person's time")
    .option("--schedule-out <file.csv>", "write the timetable of the lessons and appointments played, for `meetmeter meetings import`")
    .action(async (flags: SimulateFlags) => {
      const env = readEnvironment();
      if (!isScenario(flags.scenario)) {
        throw new ConfigError(`--scenario must be one of ${SCENARIOS.join(", ")}, got "${flags.scenario}".`);
      }
      const scenario: Scenario = flags.scenario;
      const sessions = whole("--sessions", flags.sessions, 1, 1_000_000);
      const seed = flags.seed === undefined ? Math.floor(Math.random() * 0x100000000) : whole("--seed", flags.seed, 0, 0xffffffff);
      // Signed with the newest secret, as links are while rotating.
      const [metadataSecret] = loadDeriveConfig(env, flags.metadataSecret).metadataSecrets;
      const sending = delivery(flags, env);
      if (flags.out !== undefined) checkWritableFile("--out", flags.out);
      if (flags.truth !== undefined) checkWritableFile("--truth", flags.truth);
      if (flags.scheduleOut !== undefined) checkWritableFile("--schedule-out", flags.scheduleOut);

      const traffic = startFor(flags, (start) => generateTraffic({ scenario, sessions, seed, start, metadataSecret }));
      console.log(
        `simulated ${sessions} ${scenario} sessions (--seed ${seed} --start ${traffic.truth.start}): ` +
          `${traffic.truth.events} events, ${traffic.truth.deliveries} deliveries`,
      );
      if (flags.truth !== undefined) {
        await writeFile(flags.truth, `${JSON.stringify(traffic.truth, null, 2)}\n`);
        console.log(`wrote the ground truth to ${flags.truth}`);
      }
      if (flags.scheduleOut !== undefined) {
        await writeFile(flags.scheduleOut, timetableCsv(traffic.schedule));
        console.log(`wrote the timetable of ${traffic.schedule.length} meetings to ${flags.scheduleOut}`);
      }
      if (flags.out !== undefined) {
        await writeLines(flags.out, traffic.events);
        console.log(`wrote ${traffic.events.length} deliveries to ${flags.out}`);
      }
      if (sending) await send(traffic.events, sending);
    });
}
