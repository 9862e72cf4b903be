/**
 * The live stream (GET /api/events/stream) against what real clients do: ask with HEAD, read it from a browser on a
 * configured origin, open more streams than the server takes, and open it and then never read.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, deliver, joinedEvent } from "../helpers/deliver.js";
import { heldBytes } from "../helpers/memory.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { plainRequest } from "./raw-http.js";

/** A subscriber on a socket of its own that sends its request and never reads a byte of the answer. */
function neverReading(url: string, token: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port: Number(new URL(url).port) }, () => {
      socket.pause();
      socket.write(`GET /api/events/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`, () => resolve(socket));
    });
    socket.on("error", reject);
  });
}

/** A subscriber that reads, as a browser's EventSource would; `text()` is everything received so far. */
async function reading(url: string, token: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/events/stream`, { headers: { authorization: `Bearer ${token}`, ...headers }, signal: controller.signal });
  let text = "";
  const done = (async () => {
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done: ended } = await reader.read();
        if (ended) return;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // Closed by the test.
    }
  })();
  return {
    res,
    text: () => text,
    async close() {
      controller.abort();
      await done;
    },
  };
}

async function metricValue(server: TestServer, name: string): Promise<number | undefined> {
  const text = await (await api(server.url, server.token)("/metrics")).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(" ")[1]);
}

/** Delivers one event and resolves with the milliseconds until its 200. */
async function timedDelivery(server: TestServer, event: object): Promise<number> {
  const started = performance.now();
  const res = await deliver(server.url, event, { secret: server.secret });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
  return performance.now() - started;
}

const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("the live stream", () => {
  let server: TestServer;
  const ORIGIN = "https://dashboard.example";

  beforeAll(async () => {
    server = await startTestServer({ config: { corsOrigins: [ORIGIN], streamMaxClients: 3 } });
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers HEAD at once, with the stream's headers and no body", async () => {
    const started = Date.now();
    const head = await plainRequest(server.url, { method: "HEAD", path: "/api/events/stream", headers: { authorization: `Bearer ${server.token}` }, body: null }, 3000);
    expect(head.status).toBe(200);
    expect(head.headers["content-type"]).toContain("text/event-stream");
    expect(head.body.length).toBe(0);
    expect(Date.now() - started).toBeLessThan(2000);
    const unauthorized = await plainRequest(server.url, { method: "HEAD", path: "/api/events/stream", headers: {}, body: null }, 3000);
    expect(unauthorized.status).toBe(401);
    // A HEAD is no subscriber.
    expect(await metricValue(server, "meetmeter_live_stream_subscribers")).toBe(0);
  });

  it("lets a configured origin read the stream, and no other", async () => {
    const allowed = await reading(server.url, server.token, { origin: ORIGIN });
    const other = await reading(server.url, server.token, { origin: "https://elsewhere.example" });
    try {
      expect(allowed.res.status).toBe(200);
      expect(allowed.res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
      expect(allowed.res.headers.get("vary") ?? "").toMatch(/origin/i);
      expect(other.res.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await allowed.close();
      await other.close();
    }
  });

  it("takes at most MEETMETER_STREAM_MAX_CLIENTS subscribers, and refuses more with 503 in the usual shape", async () => {
    await until(async () => (await metricValue(server, "meetmeter_live_stream_subscribers")) === 0);
    const open = await Promise.all([1, 2, 3].map(() => reading(server.url, server.token)));
    try {
      expect(open.map((s) => s.res.status)).toEqual([200, 200, 200]);
      const refused = await fetch(`${server.url}/api/events/stream`, { headers: { authorization: `Bearer ${server.token}` } });
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("30");
      const body = await refused.json();
      expect(Object.keys(body).sort()).toEqual(["error", "message"]);
      expect(body.error).toBe("too_many_streams");
      // One leaves: there is room again.
      await open.pop()!.close();
      await until(async () => (await metricValue(server, "meetmeter_live_stream_subscribers")) === 2);
      const again = await reading(server.url, server.token);
      expect(again.res.status).toBe(200);
      open.push(again);
    } finally {
      for (const stream of open) await stream.close();
    }
  });
});

describe("the live stream with subscribers that never read", () => {
  let server: TestServer;
  const SUBSCRIBERS = 50;
  const EVENTS = 40;

  beforeAll(async () => {
    server = await startTestServer({ config: { streamMaxClients: SUBSCRIBERS + 1 } });
  });
  afterAll(async () => {
    await server.close();
  });

  it(`cuts off ${SUBSCRIBERS} subscribers that never read ${EVENTS} events of 200 kB, without slowing a delivery or growing memory`, async () => {
    // The same deliveries with nobody watching first: what an acknowledgement takes on this machine right now.
    const alone: number[] = [];
    for (let i = 0; i < 10; i += 1) alone.push(await timedDelivery(server, joinedEvent({}, { displayName: "x".repeat(200_000) })));
    const sockets = await Promise.all(Array.from({ length: SUBSCRIBERS }, () => neverReading(server.url, server.token)));
    const reader = await reading(server.url, server.token);
    try {
      await until(async () => (await metricValue(server, "meetmeter_live_stream_subscribers")) === SUBSCRIBERS + 1);
      const heldBefore = heldBytes();
      const acks: number[] = [];
      const ids: string[] = [];
      for (let i = 0; i < EVENTS; i += 1) {
        const event = joinedEvent({}, { displayName: `${i}-${"x".repeat(200_000)}` });
        ids.push(event.id);
        acks.push(await timedDelivery(server, event));
      }
      // The subscriber that reads gets every event.
      await until(() => ids.every((id) => reader.text().includes(`"id":"${id}"`)), 20_000);
      const grownMb = (heldBytes() - heldBefore) / 2 ** 20;
      const [median, usual] = [medianOf(acks), medianOf(alone)];
      const slowest = Math.max(...acks);
      const figures =
        `${SUBSCRIBERS} never reading: memory held +${grownMb.toFixed(1)} MB, acknowledgements median ${median.toFixed(0)} ms ` +
        `(${usual.toFixed(0)} ms with nobody watching), slowest ${slowest.toFixed(0)} ms`;
      console.info(figures);
      expect(grownMb, figures).toBeLessThan(40);
      // However loaded the machine, watchers that never read must not make acknowledging slower.
      expect(median, figures).toBeLessThan(2 * usual + 50);
      expect(slowest, figures).toBeLessThan(2000);
      expect(await metricValue(server, "meetmeter_live_stream_subscribers_cut_total"), figures).toBe(SUBSCRIBERS);
      expect(await metricValue(server, "meetmeter_live_stream_subscribers"), figures).toBe(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await reader.close();
    }
  });
});
