/**
 * Bad input at scale against one running server: a few thousand seeded hostile requests, through node:http and as
 * raw bytes. Never a 5xx, never a crash, never a file or secret leaked, /healthz keeps answering, memory stays
 * bounded. A dashboard's live stream stays open throughout, as it would in production.
 */
import { existsSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DASHBOARD_DIR } from "../../src/dashboard/index.js";
import { signWherebyPayload } from "../../src/whereby/signature.js";
import { deliver, joinedEvent } from "../helpers/deliver.js";
import { heldBytes } from "../helpers/memory.js";
import { startServerProcess, startTestServer, type TestServer } from "../helpers/server.js";
import { openTestStore } from "../helpers/stores.js";
import { deeplyNested, httpCases, rawCases, type AuthKind, type Body, type HttpCase, type SignatureKind } from "./fuzz-cases.js";
import { plainRequest, sendRaw } from "./raw-http.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20260302);
const HTTP_RUNS = Number(process.env.FUZZ_HTTP_RUNS ?? 2000);
const RAW_RUNS = Number(process.env.FUZZ_RAW_RUNS ?? 1000);
const MAX_BODY = 65_536;
/** Node's default limit on the request line and headers together. */
const MAX_HEADER_BYTES = 16_384;
/** What the server may still hold after the fuzzing, once garbage is collected: its caches, not every request. */
const HELD_GROWTH_LIMIT = 64 * 1024 * 1024;
const SECRET = "whsec_fuzz_secret_value";

/** Strings that must never appear in an answer: file contents and the server's own secrets. */
function leaks(server: TestServer): string[] {
  return ['"devDependencies"', "root:x:0:0", "createService(", "import Fastify", SECRET, server.token];
}

function signatureHeader(kind: SignatureKind, body: Buffer): string | null {
  const now = Math.floor(Date.now() / 1000);
  const hex = "ab".repeat(32);
  switch (kind) {
    case "none": return null;
    case "empty": return "";
    case "valid": return signWherebyPayload({ body, secret: SECRET });
    case "wrong-secret": return signWherebyPayload({ body, secret: "whsec_someone_else" });
    case "old": return signWherebyPayload({ body, secret: SECRET, timestamp: now - 10_000 });
    case "future": return signWherebyPayload({ body, secret: SECRET, timestamp: now + 10_000 });
    case "no-v1": return `t=${now},v0=${hex}`;
    case "t-not-digits": return `t=${now}abc,v1=${hex}`;
    case "many-v1": return [`t=${now}`, ...Array.from({ length: 300 }, () => `v1=${hex}`), signWherebyPayload({ body, secret: SECRET }).split(",")[1]].join(",");
    case "t-huge": return `t=${"9".repeat(30)},v1=${hex}`;
    case "latin1": return `t=${now},v1=\u00ff\u00fe${"\u00e9".repeat(62)}`;
  }
}

function authorization(kind: AuthKind, token: string): string | null {
  switch (kind) {
    case "none": return null;
    case "token": return `Bearer ${token}`;
    case "lowercase-scheme": return `bearer ${token}`;
    case "wrong": return `Bearer x${token.slice(1)}`;
    case "token-suffix": return `Bearer ${token}x`;
    case "basic": return `Basic ${Buffer.from(`user:${token}`).toString("base64")}`;
    case "empty-bearer": return "Bearer ";
  }
}

const WEBHOOK_PATH = /^\/webhooks\/whereby(\/[A-Za-z0-9_-]{1,64})?$/;
const REFUSED_SIGNATURES: Partial<Record<SignatureKind, string>> = {
  none: "missing_signature",
  empty: "missing_signature",
  "no-v1": "malformed_signature",
  "t-not-digits": "malformed_signature",
  "t-huge": "malformed_signature",
  "wrong-secret": "invalid_signature",
  latin1: "invalid_signature",
  old: "timestamp_out_of_tolerance",
  future: "timestamp_out_of_tolerance",
};
const ALWAYS_UNUSABLE: Body["kind"][] = ["none", "random-bytes", "invalid-utf8"];
/** Content-Type values that are not media types at all; what they get is the subject of a test of its own below. */
export const NOT_MEDIA_TYPES = ["json", ";;;"];

/**
 * What SPEC §2 says a POST to the webhook endpoint must be answered, where it says one thing; null where several
 * answers are right (a weird field may or may not make an event unusable).
 */
function expectedWebhookStatus(c: HttpCase): number | null {
  if (c.method !== "POST" || !WEBHOOK_PATH.test(c.path)) return null;
  // HTTP itself answers an Expect it cannot meet with 417, before any route.
  if (c.headers.some(([name]) => name === "expect") || NOT_MEDIA_TYPES.includes(c.contentType ?? "")) return null;
  if (c.body.bytes.length > MAX_BODY) return 413;
  if (REFUSED_SIGNATURES[c.signature]) return 401;
  if (c.body.kind === "event" || c.body.kind === "sized") return 200;
  if (ALWAYS_UNUSABLE.includes(c.body.kind)) return 400;
  return null;
}

function headerBytes(c: HttpCase, headers: Record<string, string>): number {
  return c.method.length + c.path.length + Object.entries(headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
}

function notPolluted(): boolean {
  const probe = {} as Record<string, unknown>;
  return probe.polluted === undefined && probe.isAdmin === undefined;
}

describe("fuzzing the running server", () => {
  let server: TestServer;
  let live: http.ClientRequest;
  let liveMessages = 0;
  let liveClosed = false;
  let heldBefore = 0;
  const tally = { http: 0, raw: 0, statuses: new Map<number, number>() };
  const count = (status: number) => tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
  const dashboardBuilt = existsSync(join(DEFAULT_DASHBOARD_DIR, "index.html"));

  async function healthy(): Promise<void> {
    const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(200);
  }

  beforeAll(async () => {
    server = await startTestServer({ secrets: [SECRET], config: { maxBodyBytes: MAX_BODY } });
    live = http.get(`${server.url}/api/events/stream`, { headers: { authorization: `Bearer ${server.token}` } }, (res) => {
      res.on("data", () => (liveMessages += 1));
      res.on("close", () => (liveClosed = true));
    });
    live.on("error", () => (liveClosed = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    heldBefore = heldBytes();
  });

  afterAll(async () => {
    live?.destroy();
    await server?.close();
    const statuses = [...tally.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(" ");
    console.log(`fuzz (seed ${SEED}): ${tally.http} node:http cases and ${tally.raw} raw-socket cases; answers ${statuses}`);
  });

  it(`answers ${HTTP_RUNS} hostile requests without a 5xx, a leak or a wrong verdict`, async () => {
    const forbidden = leaks(server);
    await fc.assert(
      fc.asyncProperty(httpCases(MAX_BODY), async (c) => {
        tally.http += 1;
        const headers: Record<string, string> = Object.fromEntries(c.headers);
        if (c.contentType !== null) headers["content-type"] = c.contentType;
        const signature = signatureHeader(c.signature, c.body.bytes);
        if (signature !== null) headers["whereby-signature"] = signature;
        const auth = authorization(c.auth, server.token);
        if (auth !== null) headers.authorization = auth;
        const answer = await plainRequest(server.url, { method: c.method, path: c.path, headers, body: c.body.bytes.length > 0 ? c.body.bytes : null });
        count(answer.status);
        const size = headerBytes(c, headers);

        if (size > MAX_HEADER_BYTES) {
          // Cut off by the HTTP parser before any route: 431, or the connection closed mid-send.
          expect([0, 400, 413, 414, 431]).toContain(answer.status);
          return;
        }
        expect(answer.status, "no answer").toBeGreaterThan(0);
        const builtIndex = !dashboardBuilt && ["/", "/index.html"].includes(c.path.split("?")[0]!);
        if (!builtIndex) expect(answer.status).toBeLessThan(500);
        const expected = expectedWebhookStatus(c);
        if (expected !== null && size < MAX_HEADER_BYTES - 1024) expect(answer.status).toBe(expected);
        if (/^\/(api|metrics)/.test(c.path) && !["token", "lowercase-scheme"].includes(c.auth)) {
          expect(answer.status).not.toBeLessThan(300);
        }
        const text = answer.body.toString("latin1");
        for (const secret of forbidden) expect(text).not.toContain(secret);
        expect(notPolluted()).toBe(true);
        if (tally.http % 250 === 0) await healthy();
      }),
      { seed: SEED, numRuns: HTTP_RUNS, endOnFailure: true },
    );
    await healthy();
  }, 300_000);

  it(`answers ${RAW_RUNS} malformed byte streams with a 4xx or by closing, never a 5xx`, async () => {
    const forbidden = leaks(server);
    await fc.assert(
      fc.asyncProperty(rawCases(MAX_BODY), async (c) => {
        tally.raw += 1;
        const signature = c.signedBody ? signWherebyPayload({ body: c.signedBody, secret: SECRET }) : "";
        const answer = await sendRaw(server.url, c.build(signature), { timeoutMs: 10_000 });
        for (const status of answer.statuses) count(status);
        expect(answer.settled, `${c.label}: the server kept a half-closed connection open`).toBe(true);
        for (const status of answer.statuses) expect(status, c.label).toBeLessThan(500);
        const text = answer.bytes.toString("latin1");
        for (const secret of forbidden) expect(text).not.toContain(secret);
        if (tally.raw % 250 === 0) await healthy();
      }),
      { seed: SEED, numRuns: RAW_RUNS, endOnFailure: true },
    );
    await healthy();
  }, 300_000);

  it("is still serving, the live stream still open, and its memory bounded", async () => {
    await healthy();
    const listed = await fetch(`${server.url}/api/events?limit=500`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(listed.status).toBe(200);
    expect(liveClosed).toBe(false);
    expect(liveMessages).toBeGreaterThan(0);
    const growth = heldBytes() - heldBefore;
    const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
    console.log(`fuzz: memory held ${Math.round(heldBefore / 2 ** 20)} MiB before, grew by ${Math.round(growth / 2 ** 20)} MiB (RSS now ${rss} MiB)`);
    expect(growth).toBeLessThan(HELD_GROWTH_LIMIT);
  });
});

/** Opens the live stream as the dashboard does, counting the events it brings. */
function openLiveStream(url: string, token: string) {
  const state = { events: 0, closed: false, request: null as http.ClientRequest | null };
  state.request = http.get(`${url}/api/events/stream`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
    res.on("data", (chunk: Buffer) => (state.events += (chunk.toString().match(/^id: \d+$/gm) ?? []).length));
    res.on("close", () => (state.closed = true));
    res.on("error", () => (state.closed = true));
  });
  state.request.on("error", () => (state.closed = true));
  return state;
}

describe("what fuzzing found, case by case", () => {
  it("survives a validly signed event nested 20 000 levels deep while a dashboard watches the live stream", async () => {
    const testStore = await openTestStore("sqlite");
    await testStore.store.close();
    const token = "fuzz-process-token-0123456789";
    const server = await startServerProcess({ WHEREBY_WEBHOOK_SECRET: SECRET, DATABASE_URL: testStore.databaseUrl, MEETMETER_API_TOKEN: token });
    try {
      const stream = openLiveStream(server.url, token);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const deep = await deliver(server.url, deeplyNested(joinedEvent(), 20_000), { secret: SECRET });
      // Refused and quarantined as unusable (deeper than MAX_JSON_DEPTH); a crash would be the bug.
      expect(deep.status).toBe(400);
      expect(await deep.json()).toMatchObject({ error: "invalid_event" });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(server.child.exitCode, server.output().slice(-2000)).toBeNull();

      expect((await deliver(server.url, joinedEvent(), { secret: SECRET })).status).toBe(200);
      const listed = await fetch(`${server.url}/api/events?limit=500`, { headers: { authorization: `Bearer ${token}` } });
      expect(listed.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(stream.closed).toBe(false);
      expect(stream.events).toBeGreaterThan(0);
      stream.request?.destroy();
    } finally {
      server.child.kill("SIGKILL");
      await server.exited;
      await testStore.cleanup();
    }
  }, 60_000);

  it("keeps memory bounded and commits prompt when signed events carry fields nested 30 000 levels deep", async () => {
    const server = await startTestServer({ secrets: [SECRET], config: { maxBodyBytes: MAX_BODY } });
    let peak = process.memoryUsage().rss;
    const before = peak;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    try {
      for (let i = 0; i < 60; i++) {
        const body = deeplyNested(joinedEvent({}, { roomName: `/deep-${i % 20}` }), 30_000);
        expect((await deliver(server.url, body, { secret: SECRET })).status).toBe(400);
      }
      const waits: number[] = [];
      for (let i = 0; i < 20; i++) {
        const began = performance.now();
        expect((await deliver(server.url, joinedEvent({}, { roomName: `/deep-${i}` }), { secret: SECRET })).status).toBe(200);
        waits.push(performance.now() - began);
      }
      // The same number of flat 60 kB events costs about 40 MiB and a few milliseconds each.
      expect(Math.round((peak - before) / 2 ** 20), "RSS growth in MiB").toBeLessThan(128);
      expect(Math.max(...waits), "slowest ordinary delivery in ms").toBeLessThan(500);
    } finally {
      clearInterval(sampler);
      await server.close();
    }
  }, 120_000);

  it.each(NOT_MEDIA_TYPES)("stores a validly signed event sent with Content-Type %j rather than refusing it with 415", async (type) => {
    const server = await startTestServer({ secrets: [SECRET] });
    try {
      const event = joinedEvent();
      const res = await deliver(server.url, event, { secret: SECRET, headers: { "content-type": type } });
      expect(res.status).toBe(200);
      expect((await server.testStore.store.scanEvents(0, 10)).map((e) => e.id)).toEqual([event.id]);
    } finally {
      await server.close();
    }
  });
});
