/**
 * Reads of a session whose signed bodies are large: 150 joins, each carrying a `numClientsByRoleName` of 9,000 roles
 * (what issue 19 reported), delivered signed over HTTP to `meetmeter serve` in a process of its own, on each store.
 * Then GET /api/sessions?limit=1 and GET /api/sessions/:id, each timed over HTTP, and the detail's size. The first
 * list read also waits until the deliveries before it are derived (every read does), so it is shown apart.
 *
 *   npx tsx bench/big-bodies.ts [-- --stores sqlite,postgres --joins 150 --roles 9000 --reads 5]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { signWherebyPayload } from "../src/whereby/signature.js";
import { startTarget } from "./lib/processes.js";

const { values: flags } = parseArgs({
  options: {
    stores: { type: "string", default: "sqlite,postgres" },
    joins: { type: "string", default: "150" },
    roles: { type: "string", default: "9000" },
    reads: { type: "string", default: "5" },
    postgres: { type: "string", default: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test" },
  },
});
const JOINS = Number(flags.joins);
const ROLES = Number(flags.roles);
const READS = Number(flags.reads);
const SECRET = "whsec_big_bodies";
const TOKEN = "big-bodies-token-0123456789";

function joinBody(i: number, startedAt: number): string {
  const numClientsByRoleName: Record<string, number> = { host: 1, visitor: i };
  for (let r = 0; r < ROLES; r += 1) numClientsByRoleName[`role-${r}`] = (r * 7 + i) % 13;
  return JSON.stringify({
    apiVersion: "1.0",
    id: `big-${i}`,
    type: "room.client.joined",
    createdAt: new Date(startedAt + i * 1000).toISOString(),
    data: {
      roomName: "/big-bodies",
      roomSessionId: "rs-big-bodies",
      participantId: `p-${i}`,
      displayName: `Person ${i}`,
      roleName: i === 0 ? "host" : "visitor",
      numClients: i + 1,
      numClientsByRoleName,
    },
  });
}

async function timed(url: string): Promise<{ ms: number; bytes: number; status: number }> {
  const started = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  return { ms: performance.now() - started, bytes: Buffer.byteLength(text), status: res.status };
}

const fmt = (values: number[]) => values.map((v) => v.toFixed(0)).join(", ");

async function run(store: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "meetmeter-big-bodies-"));
  let databaseUrl = `sqlite:${join(dir, "big.db")}`;
  let dropSchema: (() => Promise<void>) | null = null;
  if (store === "postgres") {
    const schema = `big_bodies_${process.pid}`;
    const client = new pg.Client({ connectionString: flags.postgres });
    await client.connect();
    await client.query(`create schema ${schema}`);
    databaseUrl = `${flags.postgres}?schema=${schema}`;
    dropSchema = async () => {
      await client.query(`drop schema ${schema} cascade`);
      await client.end();
    };
  }
  const target = await startTarget("src/cli/main.ts", ["serve", "--port", "0"], {
    DATABASE_URL: databaseUrl,
    WHEREBY_WEBHOOK_SECRET: SECRET,
    MEETMETER_API_TOKEN: TOKEN,
    MEETMETER_SPOOL_PATH: "off",
    MAX_BODY_BYTES: String(4 * 1024 * 1024),
  });
  try {
    const startedAt = Date.now() - 10 * 60 * 1000;
    let bodyBytes = 0;
    for (let i = 0; i < JOINS; i += 1) {
      const body = Buffer.from(joinBody(i, startedAt));
      bodyBytes = body.length;
      const res = await fetch(`${target.url}/webhooks/whereby`, {
        method: "POST",
        headers: { "content-type": "application/json", "whereby-signature": signWherebyPayload({ body, secret: SECRET }) },
        body,
      });
      if (res.status !== 200) throw new Error(`delivery ${i}: ${res.status} ${await res.text()}`);
    }
    const first = await timed(`${target.url}/api/sessions?limit=1`);
    const list: number[] = [];
    const detail: number[] = [];
    let listBytes = 0;
    let detailBytes = 0;
    for (let n = 0; n < READS; n += 1) {
      const l = await timed(`${target.url}/api/sessions?limit=1`);
      const d = await timed(`${target.url}/api/sessions/rs-big-bodies`);
      if (l.status !== 200 || d.status !== 200) throw new Error(`reads answered ${l.status} and ${d.status}`);
      list.push(l.ms);
      detail.push(d.ms);
      listBytes = l.bytes;
      detailBytes = d.bytes;
    }
    console.log(
      `${store}: ${JOINS} joins of ${(bodyBytes / 1024).toFixed(0)} kB\n` +
        `  first list read (waits until derived) ms: ${first.ms.toFixed(0)}\n` +
        `  GET /api/sessions?limit=1     ms: ${fmt(list)}   (${listBytes} bytes)\n` +
        `  GET /api/sessions/:id         ms: ${fmt(detail)}   (${(detailBytes / 1024).toFixed(0)} kB)`,
    );
  } finally {
    await target.stop();
    await dropSchema?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const store of flags.stores.split(",")) await run(store);
