/**
 * The analytics benchmark: a store of 1,000,000 events (about 20,000 sessions) on each store, then
 *   rebuild throughput and peak RSS (the built `meetmeter rebuild`, in a process of its own as an operator runs it),
 *   GET /api/sessions/:id p50 and p99, one page of GET /api/sessions p99, a year of GET /api/usage, and the peak RSS
 *   of the built `meetmeter serve` that answers them, also in a process of its own; then a timetable of one meeting of
 *   30 expected people per session, imported with the built `meetmeter meetings import`, and GET /api/meetings/:id
 *   and one page of GET /api/meetings p99.
 *
 *   npm run bench:analytics [-- --events 1000000 --stores sqlite,postgres --samples 2000]
 */
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { partitionKeyOf } from "../src/attendance/index.js";
import type { EventStore, IncomingEvent } from "../src/store/event-store.js";
import { parseDatabaseUrl } from "../src/config.js";
import { openStore } from "../src/store/open-store.js";
import { parseEvent } from "../src/whereby/events.js";
import { REPO_ROOT, startTarget, type Target } from "./lib/processes.js";
import { sessionEvents, timetableRows } from "./lib/session-events.js";
import { TIMETABLE_COLUMNS } from "../src/schedule/timetable.js";

const TIMETABLE_HEADER = TIMETABLE_COLUMNS.join(",");

const { values: flags } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    stores: { type: "string", default: "sqlite,postgres" },
    samples: { type: "string", default: "2000" },
    postgres: { type: "string", default: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test" },
  },
});
const TOTAL = Number(flags.events);
const SAMPLES = Number(flags.samples);

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Appends the generated year of sessions, straight into the store in large batches. */
async function fill(store: EventStore): Promise<{ events: number; sessionIds: string[]; seconds: number }> {
  const started = performance.now();
  const sessionIds: string[] = [];
  let batch: IncomingEvent[] = [];
  let events = 0;
  const receivedAt = new Date().toISOString();
  for (let session = 0; events < TOTAL; session += 1) {
    const { id, bodies } = sessionEvents(session);
    sessionIds.push(id);
    for (const body of bodies) {
      const parsed = parseEvent(JSON.parse(body));
      if (!parsed.ok) throw new Error(parsed.message);
      const data = parsed.event.data as { roomName?: string; roomSessionId?: string };
      batch.push({
        id: parsed.event.id,
        type: parsed.event.type,
        createdAt: parsed.event.createdAt,
        receivedAt,
        channel: null,
        roomName: data.roomName ?? null,
        roomSessionId: data.roomSessionId ?? null,
        partitionKey: partitionKeyOf(parsed.event),
        body: Buffer.from(body),
      });
      events += 1;
    }
    if (batch.length >= 5000) {
      await store.append(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await store.append(batch);
  return { events, sessionIds, seconds: (performance.now() - started) / 1000 };
}

async function timeRequests(url: string, token: string, paths: string[]): Promise<number[]> {
  const times: number[] = [];
  for (const path of paths) {
    const t = performance.now();
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    await res.arrayBuffer();
    times.push(performance.now() - t);
  }
  return times;
}

/** Peak RSS of another process so far: the kernel's high-water mark, which only grows. */
function peakRssOf(pid: number): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Compiles this source into dist/, which bin/meetmeter.js runs. */
function build(): void {
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: REPO_ROOT,
    stdio: "inherit",
  });
}

/** What the built meetmeter needs to derive as the data was generated: the app's metadata secret. */
const MEETMETER_ENV = { MEETMETER_METADATA_SECRET: "bench-metadata-secret" };

/** Polls a process's peak RSS until stopped; returns the highest seen. */
function watchPeakRss(pid: number): () => number {
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, peakRssOf(pid))), 20);
  return () => {
    clearInterval(poll);
    return Math.max(peak, peakRssOf(pid));
  };
}

/**
 * `meetmeter rebuild` as an operator runs it: the built command, in a process of its own. Its figures as it prints
 * them, and its peak RSS. Run from source instead, under tsx, its module loader's threads add about 60 MB.
 */
async function runRebuild(databaseUrl: string) {
  const child = spawn(process.execPath, ["bin/meetmeter.js", "rebuild", "--database", databaseUrl], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...MEETMETER_ENV },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const peakSoFar = watchPeakRss(child.pid!);
  const [code] = (await once(child, "exit")) as [number | null];
  const peak = peakSoFar();
  const match = /Rebuilt (\d+) sessions from (\d+) events in ([\d.]+) s \((\d+) events\/s\)/.exec(output);
  if (code !== 0 || !match) throw new Error(`meetmeter rebuild failed (${code}):\n${output}`);
  return { sessions: Number(match[1]), events: Number(match[2]), seconds: Number(match[3]), eventsPerSecond: Number(match[4]), peakRss: peak };
}

async function benchStore(kind: string) {
  let databaseUrl: string;
  let cleanup: () => Promise<void>;
  if (kind === "sqlite") {
    const folder = mkdtempSync(join(tmpdir(), "meetmeter-analytics-"));
    databaseUrl = `sqlite:${join(folder, "meetmeter.db")}`;
    cleanup = async () => rmSync(folder, { recursive: true, force: true });
  } else {
    const schema = `bench_analytics_${Date.now().toString(36)}`;
    databaseUrl = `${flags.postgres}?schema=${schema}`;
    cleanup = async () => {
      const client = new pg.Client({ connectionString: flags.postgres });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    };
  }
  let server: Target | null = null;
  try {
    const store = await openStore(parseDatabaseUrl(databaseUrl));
    const filled = await store.migrate().then(() => fill(store)).finally(() => store.close());
    process.stderr.write(`${kind}: stored ${filled.events} events in ${filled.seconds.toFixed(1)} s\n`);

    const rebuilt = await runRebuild(databaseUrl);
    process.stderr.write(`${kind}: rebuilt ${rebuilt.sessions} sessions in ${rebuilt.seconds.toFixed(1)} s\n`);

    const token = "bench-token-0123456789";
    server = await startTarget("bin/meetmeter.js", ["serve", "--port", "0", "--database", databaseUrl], {
      ...MEETMETER_ENV,
      WHEREBY_WEBHOOK_SECRET: "bench-webhook-secret",
      MEETMETER_API_TOKEN: token,
    });
    const servePeak = watchPeakRss(server.child.pid!);
    const { url } = server;
    const pick = (n: number) => Array.from({ length: n }, (_, i) => filled.sessionIds[(i * 7919) % filled.sessionIds.length]!);
    await timeRequests(url, token, pick(200).map((id) => `/api/sessions/${id}`)); // warm-up
    const detail = await timeRequests(url, token, pick(SAMPLES).map((id) => `/api/sessions/${id}`));
    const list = await timeRequests(url, token, Array.from({ length: 500 }, () => "/api/sessions?limit=50"));
    const rooms = pick(200).map((_, i) => `/api/sessions?roomName=${encodeURIComponent(`/analytics-room-${i % 100}`)}&limit=50`);
    const roomList = await timeRequests(url, token, rooms);
    const year = "/api/usage?interval=day&tz=Europe/Oslo&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z";
    // One warm-up, as for the other reads: the first answer also compiles the route's code, at twice the time.
    await timeRequests(url, token, [year]);
    const usage = await timeRequests(url, token, Array.from({ length: 20 }, () => year));
    await server.stop();
    server = null;

    const timetable = join(tmpdir(), `meetmeter-timetable-${Date.now().toString(36)}.csv`);
    writeFileSync(timetable, `${TIMETABLE_HEADER}\n${filled.sessionIds.flatMap((_, n) => timetableRows(n)).join("\n")}\n`);
    const importStarted = performance.now();
    execFileSync(process.execPath, [join(REPO_ROOT, "bin/meetmeter.js"), "meetings", "import", timetable, "--database", databaseUrl], {
      env: { ...process.env, ...MEETMETER_ENV },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const importSeconds = (performance.now() - importStarted) / 1000;
    rmSync(timetable, { force: true });
    process.stderr.write(`${kind}: imported ${filled.sessionIds.length} meetings in ${importSeconds.toFixed(1)} s\n`);
    server = await startTarget("bin/meetmeter.js", ["serve", "--port", "0", "--database", databaseUrl], {
      ...MEETMETER_ENV,
      WHEREBY_WEBHOOK_SECRET: "bench-webhook-secret",
      MEETMETER_API_TOKEN: token,
    });
    const meetingIds = pick(SAMPLES).map((_, i) => String(1_000_000 + ((i * 7919) % filled.sessionIds.length)));
    await timeRequests(server.url, token, meetingIds.slice(0, 200).map((id) => `/api/meetings/${id}`)); // warm-up
    const meeting = await timeRequests(server.url, token, meetingIds.map((id) => `/api/meetings/${id}`));
    const meetingList = await timeRequests(server.url, token, Array.from({ length: 500 }, () => "/api/meetings?limit=50"));
    return {
      store: kind,
      events: filled.events,
      sessions: rebuilt.sessions,
      rebuildEventsPerSecond: rebuilt.eventsPerSecond,
      rebuildPeakRssMb: mb(rebuilt.peakRss),
      detailP50Ms: Number(percentile(detail, 50).toFixed(2)),
      detailP99Ms: Number(percentile(detail, 99).toFixed(2)),
      listP99Ms: Number(percentile(list, 99).toFixed(2)),
      roomListP99Ms: Number(percentile(roomList, 99).toFixed(2)),
      usageYearP50Ms: Number(percentile(usage, 50).toFixed(1)),
      usageYearMaxMs: Number(Math.max(...usage).toFixed(1)),
      servePeakRssMb: mb(servePeak()),
      timetableImportS: Number(importSeconds.toFixed(1)),
      meetingP99Ms: Number(percentile(meeting, 99).toFixed(2)),
      meetingListP99Ms: Number(percentile(meetingList, 99).toFixed(2)),
    };
  } finally {
    await server?.stop();
    await cleanup();
  }
}

build();
const results = [];
for (const kind of flags.stores.split(",")) results.push(await benchStore(kind));
console.log(`\nAnalytics benchmark (${TOTAL} events; targets: rebuild >= 50000 ev/s, detail and list p99 <= 10 ms, usage year <= 200 ms, RSS <= 300 MB; meeting and meeting list p99 <= 10 ms, timetable import <= 20 s)\n`);
console.table(results);
for (const row of results) console.log(JSON.stringify(row));
