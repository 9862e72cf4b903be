/**
 * The soak: `meetmeter serve` on a fresh SQLite file under a steady stream of simulated Whereby traffic, with API
 * reads mixed in, for ten minutes by default. Every 30 seconds it prints the server's resident memory and open file
 * handles; at the end, the first and last of each, the memory's slope, what was acknowledged and what failed, and
 * whether memory and handles stayed flat. Exits 1 when they did not, or when anything failed.
 *
 *   npm run soak [-- --minutes 10 --rate 200 --sample-seconds 30]
 *
 * Reads /proc, so it runs on Linux.
 */
import { readFileSync, readdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateTraffic, sendEvents, type Scenario, type SendResult } from "../src/simulate/index.js";
import type { WherebyEvent } from "../src/whereby/events.js";
import { parseDatabaseUrl } from "../src/config.js";
import { openStore } from "../src/store/open-store.js";
import { startTarget } from "./lib/processes.js";

const { values: flags } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    rate: { type: "string", default: "200" },
    "sample-seconds": { type: "string", default: "30" },
  },
});

function positive(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) {
    console.error(`--${name} must be a number above 0, got "${value}".`);
    process.exit(2);
  }
  return number;
}

const minutes = positive("minutes", flags.minutes);
const rate = positive("rate", flags.rate);
const sampleMs = positive("sample-seconds", flags["sample-seconds"]) * 1000;
const SECRET = "whsec_soak_secret";
const TOKEN = "soak-token-0123456789abcdef";
/** Each call of the sender covers this long, so that the run ends close to its deadline. */
const SLOT_SECONDS = 15;
/** Sessions per simulated run, about two thousand events for each kind of meeting: webinars are large, visits small. */
const SESSIONS_PER_RUN = { classroom: 40, telehealth: 200, webinar: 4 } satisfies Partial<Record<Scenario, number>>;
const SCENARIOS = Object.keys(SESSIONS_PER_RUN) as (keyof typeof SESSIONS_PER_RUN)[];
/** Growth after warm-up that still counts as flat: allocators and SQLite's page cache settle in steps. */
const FLAT_RSS_BYTES = 24 * 2 ** 20;
const FLAT_RSS_SHARE = 0.15;
const FLAT_HANDLES = 8;

interface Sample {
  seconds: number;
  rssBytes: number;
  handles: number;
}

/** The server's resident memory and open file descriptors, straight from the kernel. */
function sample(pid: number, startedAt: number): Sample {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kilobytes = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? Number.NaN);
  return { seconds: (Date.now() - startedAt) / 1000, rssBytes: kilobytes * 1024, handles: readdirSync(`/proc/${pid}/fd`).length };
}

/** Least-squares slope of RSS over time, in MiB per minute. */
function slopeMiBPerMinute(samples: readonly Sample[]): number {
  if (samples.length < 2) return 0;
  const xs = samples.map((s) => s.seconds / 60);
  const ys = samples.map((s) => s.rssBytes / 2 ** 20);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const num = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i]! - my), 0);
  const den = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** Totals across every call of the sender. */
const sent = { sent: 0, acknowledged: 0, duplicates: 0, rejected: 0, failed: 0, retried: 0, worstP99Ms: 0 };
function add(result: SendResult): void {
  sent.sent += result.sent;
  sent.acknowledged += result.acknowledged;
  sent.duplicates += result.duplicates;
  sent.rejected += Object.values(result.rejected).reduce((a, b) => a + b, 0);
  sent.failed += result.failed;
  sent.retried += result.retried;
  sent.worstP99Ms = Math.max(sent.worstP99Ms, result.latencyMs.p99);
}

/** Simulated sessions, one seeded run after another, taking turns through the kinds of meeting. */
function* simulatedTraffic(): Generator<WherebyEvent[], never> {
  for (let run = 0; ; run += 1) {
    const scenario = SCENARIOS[run % SCENARIOS.length]!;
    const start = new Date(Date.UTC(2026, 2, 2) + run * 3_600_000);
    yield generateTraffic({ scenario, sessions: SESSIONS_PER_RUN[scenario], seed: 1000 + run, start }).events;
  }
}

/** Deliveries settled in the sender call under way, for the progress lines. */
let settledNow = 0;

/**
 * Steady traffic until the deadline, in slots of a few seconds. A slot that fell behind (a slow machine, a pause to
 * generate traffic) is made up in the next one, at up to twice the rate, so that the average stays at the rate.
 */
async function sendTraffic(url: string, startedAt: number, deadline: number): Promise<void> {
  const traffic = simulatedTraffic();
  let queue: WherebyEvent[] = [];
  while (Date.now() < deadline) {
    const slotEnd = Math.min(deadline, Date.now() + SLOT_SECONDS * 1000);
    const due = Math.floor(((slotEnd - startedAt) / 1000) * rate) - sent.sent;
    if (due <= 0) {
      await new Promise((resolve) => setTimeout(resolve, slotEnd - Date.now()));
      continue;
    }
    while (queue.length < due) queue = queue.concat(traffic.next().value);
    const batch = queue.splice(0, due);
    const pace = Math.min(2 * rate, batch.length / Math.max(1, (slotEnd - Date.now()) / 1000));
    settledNow = 0;
    const result = await sendEvents(batch, {
      url: `${url}/webhooks/whereby`,
      secret: SECRET,
      rate: pace,
      concurrency: 32,
      onProgress: (settled) => (settledNow = settled),
    });
    settledNow = 0;
    add(result);
  }
}

/** What a dashboard does meanwhile: a round of reads every second. */
async function readApi(url: string, deadline: number, reads: { ok: number; failed: number }): Promise<void> {
  const get = async (path: string): Promise<string | null> => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(10_000) }).catch(() => null);
    const text = (await res?.text().catch(() => null)) ?? null;
    if (res?.status === 200 && text !== null) reads.ok += 1;
    else reads.failed += 1;
    return res?.status === 200 ? text : null;
  };
  while (Date.now() < deadline) {
    const sessions = await get("/api/sessions?limit=20");
    const first = sessions ? (JSON.parse(sessions) as { results: { id: string }[] }).results[0] : undefined;
    if (first) await get(`/api/sessions/${encodeURIComponent(first.id)}`);
    await get("/api/rooms");
    await get("/api/usage?interval=day");
    await get("/api/events?limit=50");
    await get("/metrics");
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const folder = mkdtempSync(join(tmpdir(), "meetmeter-soak-"));
const databaseUrl = `sqlite:${join(folder, "meetmeter.db")}`;
const server = await startTarget("src/cli/main.ts", ["serve", "--port", "0"], {
  WHEREBY_WEBHOOK_SECRET: SECRET,
  MEETMETER_API_TOKEN: TOKEN,
  DATABASE_URL: databaseUrl,
});
const pid = server.child.pid!;
const stop = () => {
  server.child.kill("SIGKILL");
  rmSync(folder, { recursive: true, force: true });
  process.exit(130);
};
process.once("SIGINT", stop);

console.log(`soak: ${minutes} min at ${rate} events/s against ${server.url} (pid ${pid}, ${databaseUrl})`);
const startedAt = Date.now();
const deadline = startedAt + minutes * 60_000;
const samples: Sample[] = [sample(pid, startedAt)];
const reads = { ok: 0, failed: 0 };
const print = (s: Sample) =>
  console.log(
    `  ${s.seconds.toFixed(0).padStart(5)} s  RSS ${mib(s.rssBytes).padStart(10)}  handles ${String(s.handles).padStart(4)}  ` +
      `delivered ${sent.sent + settledNow}  acknowledged ${sent.acknowledged}  failed ${sent.failed}  ` +
      `reads ${reads.ok}/${reads.ok + reads.failed}`,
  );
print(samples[0]!);
const sampler = setInterval(() => {
  const s = sample(pid, startedAt);
  samples.push(s);
  print(s);
}, sampleMs);

try {
  await Promise.all([sendTraffic(server.url, startedAt, deadline), readApi(server.url, deadline, reads)]);
} finally {
  clearInterval(sampler);
}
const last = sample(pid, startedAt);
samples.push(last);
print(last);
await server.stop();

const store = await openStore(parseDatabaseUrl(databaseUrl));
const stored = await store.countEvents();
await store.close();
rmSync(folder, { recursive: true, force: true });

// The first sample is the idle server; memory is judged from the first one under load.
const loaded = samples.slice(1);
const warm = loaded[0] ?? last;
const growth = last.rssBytes - warm.rssBytes;
const rssFlat = growth <= Math.max(FLAT_RSS_BYTES, warm.rssBytes * FLAT_RSS_SHARE);
const handlesFlat = last.handles - warm.handles <= FLAT_HANDLES;
// Every acknowledged event is in the store; one that was given up on may be there too (it may have committed).
const storeHolds = stored >= sent.acknowledged && stored <= sent.acknowledged + sent.failed;
const elapsed = (Date.now() - startedAt) / 1000;

console.log(
  [
    "",
    `soak over after ${elapsed.toFixed(0)} s: ${sent.sent} events sent (${(sent.sent / elapsed).toFixed(0)}/s), ${sent.acknowledged} acknowledged, ` +
      `${sent.failed} failed, ${sent.rejected} rejected, ${sent.retried} retries, worst p99 ${sent.worstP99Ms.toFixed(1)} ms; ` +
      `API reads ${reads.ok} ok, ${reads.failed} failed`,
    `RSS:     idle ${mib(samples[0]!.rssBytes)}, first under load ${mib(warm.rssBytes)}, last ${mib(last.rssBytes)} ` +
      `(${growth >= 0 ? "+" : ""}${mib(growth)}), slope ${slopeMiBPerMinute(loaded).toFixed(2)} MiB/min: ${rssFlat ? "flat" : "GROWING"}`,
    `handles: idle ${samples[0]!.handles}, first under load ${warm.handles}, last ${last.handles}: ${handlesFlat ? "flat" : "GROWING"}`,
    `store:   ${stored} events stored for ${sent.acknowledged} acknowledged: ${storeHolds ? "ok" : "MISMATCH"}`,
  ].join("\n"),
);
if (!rssFlat || !handlesFlat || !storeHolds || sent.failed > 0 || sent.rejected > 0 || reads.failed > 0) process.exitCode = 1;
