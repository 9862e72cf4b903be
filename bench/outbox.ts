/**
 * The outbox benchmark: how fast a backlog of deliveries drains. On each store, N short sessions that ended ten minutes
 * ago are stored and derived, an endpoint on a loopback receiver (in this process) is registered, and the built
 * `meetmeter serve` is started: it finds all N due at once, announces them and sends them. Measured from the first
 * request the receiver gets until every delivery is recorded as delivered in the store.
 *
 *   npm run bench:outbox [-- --sessions 1000 --stores sqlite,postgres]
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { partitionKeyOf } from "../src/attendance/index.js";
import { parseDatabaseUrl } from "../src/config.js";
import { generateSecret } from "../src/outbound/standard-webhooks.js";
import { derivePartitionRows } from "../src/projection/projector.js";
import type { EventStore, IncomingEvent } from "../src/store/event-store.js";
import { openStore } from "../src/store/open-store.js";
import { partsOf } from "../src/store/session-rows.js";
import { parseEvent } from "../src/whereby/events.js";
import { REPO_ROOT, startTarget } from "./lib/processes.js";

const { values: flags } = parseArgs({
  options: {
    sessions: { type: "string", default: "1000" },
    stores: { type: "string", default: "sqlite,postgres" },
    postgres: { type: "string", default: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test" },
  },
});
const SESSIONS = Number(flags.sessions);

/** A short call of two people that ended ten minutes ago, as Whereby sends it. */
function callBodies(n: number): string[] {
  const start = Date.now() - 20 * 60_000;
  const data = { roomName: `/outbox-${n % 100}`, meetingId: `m-${n}`, roomSessionId: `rs-outbox-${n}`, subdomain: "bench" };
  const person = (id: string, name: string, role: string, numClients: number) => ({
    participantId: `p-${n}-${id}`,
    displayName: name,
    roleName: role,
    numClients,
    numClientsByRoleName: {},
    metadata: null,
    externalId: `${id}-${n}`,
  });
  const at = (second: number) => new Date(start + n + second * 1000).toISOString();
  const events = [
    ["room.client.joined", 0, person("a", "Ada Provider", "host", 1)],
    ["room.client.joined", 20, person("b", "Bo Patient", "visitor", 2)],
    ["room.session.started", 20, {}],
    ["room.client.left", 600, person("b", "Bo Patient", "visitor", 1)],
    ["room.client.left", 610, person("a", "Ada Provider", "host", 0)],
    ["room.session.ended", 670, {}],
  ] as const;
  return events.map(([type, second, extra], i) =>
    JSON.stringify({ apiVersion: "1.0", id: `outbox-${n}-${i}`, createdAt: at(second), type, data: { ...data, ...extra } }),
  );
}

async function fill(store: EventStore): Promise<void> {
  const receivedAt = new Date().toISOString();
  const keys = new Set<string>();
  let batch: IncomingEvent[] = [];
  for (let n = 0; n < SESSIONS; n += 1) {
    for (const body of callBodies(n)) {
      const parsed = parseEvent(JSON.parse(body));
      if (!parsed.ok) throw new Error(parsed.message);
      const data = parsed.event.data as { roomName?: string; roomSessionId?: string };
      const partitionKey = partitionKeyOf(parsed.event);
      if (partitionKey) keys.add(partitionKey);
      batch.push({
        id: parsed.event.id,
        type: parsed.event.type,
        createdAt: parsed.event.createdAt,
        receivedAt,
        channel: null,
        roomName: data.roomName ?? null,
        roomSessionId: data.roomSessionId ?? null,
        partitionKey,
        body: Buffer.from(body),
      });
    }
    if (batch.length >= 3000) {
      await store.append(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await store.append(batch);
  const rows = await derivePartitionRows(store, [...keys], { now: Date.now(), metadataSecrets: [], metadataMaxAgeSeconds: 2_592_000 });
  for (const part of partsOf(rows, 200)) await store.replaceSessions(part);
}

/** A receiver that answers 204 at once and notes when each request came. */
async function startReceiver() {
  const times: number[] = [];
  const server = http.createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      times.push(performance.now());
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    times,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function run(kind: string) {
  let databaseUrl: string;
  let folder: string | null = null;
  const schema = `bench_outbox_${Date.now().toString(36)}`;
  if (kind === "sqlite") {
    folder = mkdtempSync(join(tmpdir(), "meetmeter-bench-outbox-"));
    databaseUrl = `sqlite:${join(folder, "meetmeter.db")}`;
  } else {
    databaseUrl = `${flags.postgres}?schema=${schema}`;
  }
  const receiver = await startReceiver();
  const store = await openStore(parseDatabaseUrl(databaseUrl));
  try {
    await store.migrate();
    await fill(store);
    const createdAt = new Date(Date.now() - 3_600_000).toISOString();
    await store.addEndpoint({ id: "ep_bench", url: receiver.url, secret: generateSecret(), types: null, roomNamePrefix: null, createdAt });
    const env = { WHEREBY_WEBHOOK_SECRET: "whsec_bench", DATABASE_URL: databaseUrl, MEETMETER_API_TOKEN: "bench-token-0123456789", MEETMETER_FINAL_AFTER_SECONDS: "0" };
    const started = performance.now();
    const server = await startTarget("bin/meetmeter.js", ["serve", "--port", "0"], env);
    try {
      // Every delivery sent, and none left pending: all recorded as delivered.
      const deadline = Date.now() + 300_000;
      while (receiver.times.length < SESSIONS || (await store.pendingDeliveries()) > 0) {
        if (Date.now() > deadline) throw new Error(`only ${receiver.times.length} of ${SESSIONS} sent after 5 minutes`);
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await server.stop();
    }
    const done = performance.now();
    const first = receiver.times[0]!;
    return {
      store: kind,
      deliveries: await deliveredCount(store),
      requests: receiver.times.length,
      firstRequestAfterStartMs: Math.round(first - started),
      drainSeconds: Number(((done - first) / 1000).toFixed(2)),
      perSecond: Math.round(SESSIONS / ((done - first) / 1000)),
    };
  } finally {
    await store.close();
    await receiver.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
    if (kind === "postgres") {
      const client = new pg.Client({ connectionString: flags.postgres });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
  }
}

async function deliveredCount(store: EventStore): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<EventStore["listDeliveries"]>> = await store.listDeliveries({ status: "delivered", endpointId: null }, 500, cursor);
    count += page.results.length;
    cursor = page.cursor;
  } while (cursor !== null);
  return count;
}

execFileSync(process.execPath, [createRequire(import.meta.url).resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: REPO_ROOT, stdio: "inherit" });
const results = [];
for (const kind of flags.stores.split(",")) {
  process.stderr.write(`${kind}: ${SESSIONS} sessions due at once…\n`);
  results.push(await run(kind));
}
console.table(results);
