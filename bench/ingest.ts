/**
 * The ingest benchmark: four receivers under the same load, in turn and twice over so that drift hits them alike.
 *   (a) raw node:http that reads the body and answers 200: the machine's ceiling
 *   (b) verify + parse, store nothing: the limit for any correct receiver
 *   (c) meetmeter serve on SQLite (WAL, synchronous=FULL) in a temporary folder
 *   (d) meetmeter serve on PostgreSQL (synchronous commit), a fresh schema
 * Load: wrk, 50 connections, a distinct pre-signed event of about 800 bytes on every request, in the order of each
 * scenario (lib/scenarios.ts): sequential sessions, a school morning of 500 classes opening at once, webinars of
 * 5,000. While a store is loaded, a reader asks for the session list and the newest session's detail every 100 ms
 * (lib/reader.ts). After each run on a store, the store is opened and checked to hold exactly the events that were
 * acknowledged. Beside the speed it prints the CPU each request cost the receiver (all its threads, and its HTTP
 * thread and two busiest others apart) and PostgreSQL, and how much of the machine sat idle.
 *
 *   npm run bench [-- --scenarios sequential,school-morning,webinar --seconds 12 --rounds 2 --connections 50 --json
 *                    --targets a,b,c,d]
 */
import { execFileSync } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { parseDatabaseUrl } from "../src/config.js";
import { openStore } from "../src/store/open-store.js";
import { writeSignedDeliveries } from "./lib/signed-events.js";
import { measureCpu, type CpuUse } from "./lib/cpu.js";
import { startTarget } from "./lib/processes.js";
import { runWrk, type LoadResult } from "./lib/wrk.js";
import { startReader, type ReadTimes } from "./lib/reader.js";
import { recentTiming, SCENARIOS, type Scenario } from "./lib/scenarios.js";

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: "12" },
    rounds: { type: "string", default: "2" },
    connections: { type: "string", default: "50" },
    targets: { type: "string", default: "a,b,c,d" },
    scenarios: { type: "string", default: SCENARIOS.join(",") },
    json: { type: "boolean", default: false },
    // Each store run again with an endpoint registered, right after the run without: sequential traffic of the past
    // week (so that its sessions are announced), every ended session a delivery to a loopback receiver.
    outbox: { type: "boolean", default: false },
    postgres: { type: "string", default: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test" },
  },
});
const seconds = Number(flags.seconds);
const rounds = Number(flags.rounds);
const connections = Number(flags.connections);
const SECRET = "whsec_benchmark_secret";
const API_TOKEN = "bench-token-0123456789";
/** The fastest store this benchmark has distinct events for. */
const STORE_EVENTS_PER_SECOND = 25_000;

try {
  execFileSync("wrk", ["--version"], { stdio: "ignore" });
} catch (error) {
  // wrk --version exits 1 after printing its version; only a missing binary is a problem.
  if ((error as NodeJS.ErrnoException).code === "ENOENT") {
    console.error("The benchmark needs wrk: apt-get install -y wrk");
    process.exit(2);
  }
}

interface Run extends LoadResult, CpuUse {
  scenario: Scenario;
  target: string;
  reads: ReadTimes | null;
  round: number;
  stored: number | null;
  check: string;
}

const NAMES: Record<string, string> = {
  a: "(a) raw node:http",
  b: "(b) verify+parse, no store",
  c: "(c) meetmeter, SQLite FULL",
  d: "(d) meetmeter, PostgreSQL",
  e: "(e) meetmeter, SQLite FULL, busy outbox",
  f: "(f) meetmeter, PostgreSQL, busy outbox",
};

/** The store target a busy-outbox target runs as. */
const STORE_OF: Record<string, string> = { c: "c", d: "d", e: "c", f: "d" };

/** A receiver for the busy outbox's deliveries, answering 204 at once, counting what it got. */
async function startOutboxReceiver() {
  let received = 0;
  const server = http.createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      received += 1;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function countStored(databaseUrl: string): Promise<{ events: number; pendingDeliveries: number }> {
  const store = await openStore(parseDatabaseUrl(databaseUrl));
  try {
    return { events: await store.countEvents(), pendingDeliveries: await store.pendingDeliveries() };
  } finally {
    await store.close();
  }
}

async function runOnce(scenario: Scenario, target: string, round: number, work: string): Promise<Run> {
  const file = join(work, `deliveries-${target}-${round}.txt`);
  const runTag = `r${round}${target}${Date.now().toString(36)}`;
  // wrk holds every delivery in memory, and a larger file costs its own latencies: with 600,000 deliveries it added
  // a quarter of a second to the p99 of a store that answers within 30 ms with 300,000. So: enough distinct events
  // for a store at 25,000/s (the check says when they wrapped), and 100,000 for (a) and (b), which may wrap around.
  const storeTarget = STORE_OF[target];
  const stores = storeTarget !== undefined;
  const count = stores ? Math.max(50_000, STORE_EVENTS_PER_SECOND * seconds) : 100_000;
  await writeSignedDeliveries(file, count, SECRET, runTag, scenario, flags.outbox ? recentTiming() : undefined);

  let databaseUrl: string | null = null;
  let schema: string | null = null;
  let folder: string | null = null;
  const env: Record<string, string> = { WHEREBY_WEBHOOK_SECRET: SECRET, MEETMETER_API_TOKEN: API_TOKEN };
  // With and without an endpoint, the service runs alike: an ended session is final at once.
  if (flags.outbox) env.MEETMETER_FINAL_AFTER_SECONDS = "0";
  let script = "src/cli/main.ts";
  let args = ["serve", "--port", "0"];
  if (target === "a") [script, args] = ["bench/targets/raw-http.ts", []];
  if (target === "b") [script, args] = ["bench/targets/verify-only.ts", []];
  if (storeTarget === "c") {
    folder = mkdtempSync(join(tmpdir(), "meetmeter-bench-"));
    databaseUrl = `sqlite:${join(folder, "meetmeter.db")}`;
  }
  if (storeTarget === "d") {
    schema = `bench_${runTag}`;
    databaseUrl = `${flags.postgres}?schema=${schema}`;
  }
  if (databaseUrl) env.DATABASE_URL = databaseUrl;

  const server = await startTarget(script, args, env);
  const busy = target === "e" || target === "f" ? await startOutboxReceiver() : null;
  let result: LoadResult;
  let cpu: CpuUse;
  let reads: ReadTimes | null = null;
  try {
    if (busy) {
      const res = await fetch(`${server.url}/api/endpoints`, {
        method: "POST",
        headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ url: busy.url }),
      });
      if (res.status !== 201) throw new Error(`registering the endpoint answered ${res.status}`);
    }
    const cpuUsed = measureCpu(server.child.pid!);
    const stopReading = databaseUrl ? startReader(server.url, API_TOKEN) : null;
    result = await runWrk(server.url, file, { connections, seconds });
    cpu = cpuUsed(result.requests);
    reads = stopReading ? await stopReading() : null;
  } finally {
    await server.stop();
    await busy?.close();
    rmSync(file, { force: true });
  }

  let stored: number | null = null;
  let check = "-";
  if (databaseUrl) {
    const counted = await countStored(databaseUrl);
    stored = counted.events;
    // wrk stops counting at the deadline; up to one request per connection may be answered after it.
    const extra = stored - result.acknowledged;
    check = extra >= 0 && extra <= connections ? `ok (+${extra} in flight at the end)` : `MISMATCH (${extra})`;
    if (result.acknowledged > count) check += " (ids wrapped)";
    if (busy) check += `; ${busy.received()} deliveries sent, ${counted.pendingDeliveries} pending at the end`;
  }
  if (folder) rmSync(folder, { recursive: true, force: true });
  if (schema) {
    const client = new pg.Client({ connectionString: flags.postgres });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  }
  // PostgreSQL's work counts only where it serves the receiver; otherwise it is whatever it still did from before.
  if (storeTarget !== "d") cpu.postgresMicros = null;
  return { scenario, target, round, stored, check, reads, ...result, ...cpu };
}

const work = mkdtempSync(join(tmpdir(), "meetmeter-bench-load-"));
// With --outbox, each store target is followed by itself with a busy outbox: the two alternate, round after round.
const targets = flags.targets
  .split(",")
  .filter((t) => t in NAMES)
  .flatMap((t) => (flags.outbox && (t === "c" || t === "d") ? [t, t === "c" ? "e" : "f"] : [t]));
const scenarios = flags.scenarios.split(",").filter((s): s is Scenario => (SCENARIOS as readonly string[]).includes(s));
const runs: Run[] = [];
try {
  for (const scenario of scenarios) {
    for (let round = 1; round <= rounds; round += 1) {
      for (const target of targets) {
        if (!flags.json) process.stderr.write(`${scenario}, round ${round}: ${NAMES[target]}…\n`);
        runs.push(await runOnce(scenario, target, round, work));
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

function summarise(scenario: Scenario) {
  const ofScenario = runs.filter((r) => r.scenario === scenario);
  const rate = (target: string) => median(ofScenario.filter((r) => r.target === target).map((r) => r.requestsPerSecond));
  const ceiling = rate("a");
  const limit = rate("b");
  return targets.map((target) => {
    const mine = ofScenario.filter((r) => r.target === target);
    const rps = rate(target);
    const medianOf = (pick: (r: Run) => number | null | undefined): number | null => {
      const values = mine.map(pick).filter((v): v is number => v !== null && v !== undefined);
      return values.length > 0 ? Number(median(values).toFixed(1)) : null;
    };
    return {
      scenario,
      target: NAMES[target]!,
      requestsPerSecond: Math.round(rps),
      p50Ms: Number(median(mine.map((r) => r.p50Ms)).toFixed(2)),
      p99Ms: Number(median(mine.map((r) => r.p99Ms)).toFixed(2)),
      errors: mine.reduce((sum, r) => sum + r.errors, 0),
      ratioToRaw: ceiling ? Number((rps / ceiling).toFixed(2)) : null,
      ratioToVerify: limit ? Number((rps / limit).toFixed(2)) : null,
      cpuMicrosPerEvent: medianOf((r) => r.targetMicros),
      threadMicrosPerEvent: [0, 1, 2].map((i) => medianOf((r) => r.threadMicros?.[i])),
      postgresMicrosPerEvent: medianOf((r) => r.postgresMicros),
      idlePercent: medianOf((r) => r.idlePercent),
      readListP99Ms: medianOf((r) => r.reads?.listP99Ms),
      readDetailP99Ms: medianOf((r) => r.reads?.detailP99Ms),
      readDetailMaxMs: medianOf((r) => r.reads?.detailMaxMs),
      readFailures: mine.reduce((sum, r) => sum + (r.reads?.failures ?? 0), 0),
      storeCheck: mine.map((r) => r.check).join("; "),
      runs: mine.map((r) => Math.round(r.requestsPerSecond)),
    };
  });
}

const fixed = (value: number | null, digits = 1) => value?.toFixed(digits) ?? "-";
for (const scenario of scenarios) {
  const rows = summarise(scenario);
  if (flags.json) {
    for (const row of rows) console.log(JSON.stringify(row));
    continue;
  }
  console.log(`\n${scenario}: ${connections} connections, ${seconds} s per run, ${rounds} rounds, median of runs\n`);
  const header = [
    ...["target", "req/s", "p50 ms", "p99 ms", "errors", "÷(a)", "÷(b)", "CPU µs/ev", "HTTP/2nd/3rd thread µs/ev"],
    ...["DB µs/ev", "idle %", "read list/detail p99 ms", "detail max", "runs req/s", "store check"],
  ];
  const table = rows.map((r) => [
    r.target,
    String(r.requestsPerSecond),
    r.p50Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    String(r.errors + r.readFailures),
    fixed(r.ratioToRaw, 2),
    fixed(r.ratioToVerify, 2),
    fixed(r.cpuMicrosPerEvent),
    r.threadMicrosPerEvent.map((v) => fixed(v)).join(" / "),
    fixed(r.postgresMicrosPerEvent),
    fixed(r.idlePercent, 0),
    r.readListP99Ms === null ? "-" : `${fixed(r.readListP99Ms)} / ${fixed(r.readDetailP99Ms)}`,
    fixed(r.readDetailMaxMs),
    r.runs.join(", "),
    r.storeCheck,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  console.log([line(header), line(widths.map((w) => "-".repeat(w))), ...table.map(line)].join("\n"));
  for (const [busy, quiet] of [["e", "c"], ["f", "d"]] as const) {
    const [b, q] = [rows.find((r) => r.target === NAMES[busy]), rows.find((r) => r.target === NAMES[quiet])];
    if (b && q) console.log(`busy outbox ${NAMES[busy]} ÷ ${NAMES[quiet]}: ${(b.requestsPerSecond / q.requestsPerSecond).toFixed(2)}`);
  }
}
if (runs.some((r) => r.check.startsWith("MISMATCH"))) process.exitCode = 1;
