/**
 * The sender's delivery policy against real local HTTP servers: Whereby retries only after a 5xx or no answer in time,
 * twice at most, with backoff, never after a 4xx, and signs every attempt at the moment it is sent.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { generateTraffic, sendEvents } from "../../../src/simulate/index.js";
import type { WherebyEvent } from "../../../src/whereby/events.js";
import { verifyWherebySignature } from "../../../src/whereby/signature.js";

const SECRET = "whsec_sender_test";

interface Received {
  id: string;
  body: string;
  signature: string | undefined;
  contentType: string | undefined;
  at: number;
}

type Answer = (received: Received, attempt: number, response: http.ServerResponse) => void;

const open: http.Server[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => new Promise((done) => server.close(done))));
});

/** A real HTTP endpoint that records every request and answers as `answer` says (attempt counts from 1 per id). */
async function endpoint(answer: Answer) {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  let inFlight = 0;
  let mostInFlight = 0;
  const server = http.createServer((request, response) => {
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    response.on("close", () => (inFlight -= 1));
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const id = (JSON.parse(body) as { id: string }).id;
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      const entry = {
        id,
        body,
        signature: request.headers["whereby-signature"] as string | undefined,
        contentType: request.headers["content-type"],
        at: performance.now(),
      };
      received.push(entry);
      answer(entry, attempt, response);
    });
  });
  open.push(server);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/whereby`;
  return { url, received, mostInFlight: () => mostInFlight, server };
}

function reply(response: http.ServerResponse, status: number, body: Record<string, unknown>): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

const ok: Answer = (received, _attempt, response) => reply(response, 200, { ok: true, id: received.id, duplicate: false });

const FAST = { secret: SECRET, retryDelaysMs: [40, 80], timeoutMs: 1000 };

function someEvents(n: number): WherebyEvent[] {
  const { events } = generateTraffic({ scenario: "classroom", sessions: 3, seed: 5, start: "2026-03-02T08:00:00Z" });
  return events.slice(0, n);
}

describe("sendEvents", () => {
  it("tries a delivery answered 503 exactly three times, with the backoff between, then gives up", async () => {
    const server = await endpoint((_r, _a, response) => reply(response, 503, { error: "store_unavailable", message: "busy" }));
    const result = await sendEvents(someEvents(1), { url: server.url, ...FAST });
    expect(server.received).toHaveLength(3);
    expect(result).toMatchObject({ sent: 1, attempts: 3, retried: 2, acknowledged: 0, failed: 1, failures: { "503": 1 } });
    const [first, second, third] = server.received.map((r) => r.at);
    expect(second! - first!).toBeGreaterThanOrEqual(35);
    expect(third! - second!).toBeGreaterThanOrEqual(75);
  });

  it("never retries a 4xx answer", async () => {
    const server = await endpoint((_r, _a, response) => reply(response, 400, { error: "invalid_event", message: "no" }));
    const result = await sendEvents(someEvents(1), { url: server.url, ...FAST });
    expect(server.received).toHaveLength(1);
    expect(result).toMatchObject({ attempts: 1, retried: 0, failed: 0, acknowledged: 0, rejected: { "400 invalid_event": 1 } });
  });

  it("counts rejections by status and code, 401s included, without retrying them", async () => {
    const server = await endpoint((received, _a, response) =>
      received.body.includes('"room.client.joined"')
        ? reply(response, 401, { error: "invalid_signature", message: "no" })
        : response.writeHead(404).end(),
    );
    const events = someEvents(20);
    const result = await sendEvents(events, { url: server.url, ...FAST });
    const joins = events.filter((e) => e.type === "room.client.joined").length;
    expect(result.rejected).toEqual({ "401 invalid_signature": joins, "404": events.length - joins });
    expect(server.received).toHaveLength(events.length);
  });

  it("abandons a request that gets no answer within the timeout and retries it", async () => {
    const server = await endpoint(() => {
      // never answers
    });
    const began = performance.now();
    const result = await sendEvents(someEvents(1), { url: server.url, ...FAST, timeoutMs: 150 });
    expect(server.received).toHaveLength(3);
    expect(result).toMatchObject({ attempts: 3, retried: 2, failed: 1, failures: { timeout: 1 } });
    expect(performance.now() - began).toBeGreaterThanOrEqual(3 * 150 + 40 + 80 - 10);
  });

  it("is acknowledged on the retry after a stall", async () => {
    const server = await endpoint((received, attempt, response) => {
      if (attempt > 1) ok(received, attempt, response);
    });
    const result = await sendEvents(someEvents(1), { url: server.url, ...FAST, timeoutMs: 150 });
    expect(result).toMatchObject({ attempts: 2, retried: 1, acknowledged: 1, failed: 0 });
  });

  it("is acknowledged after two attempts when a 503 is followed by a 200", async () => {
    const server = await endpoint((received, attempt, response) =>
      attempt === 1 ? reply(response, 503, { error: "store_unavailable", message: "busy" }) : ok(received, attempt, response),
    );
    const result = await sendEvents(someEvents(1), { url: server.url, ...FAST });
    expect(server.received).toHaveLength(2);
    expect(result).toMatchObject({ attempts: 2, retried: 1, acknowledged: 1, failed: 0, rejected: {} });
  });

  it("signs each attempt at the time of sending over the exact body, as JSON", async () => {
    const server = await endpoint((received, attempt, response) =>
      attempt === 1 ? reply(response, 500, { error: "oops" }) : ok(received, attempt, response),
    );
    const events = someEvents(5);
    await sendEvents(events, { url: server.url, ...FAST });
    expect(server.received).toHaveLength(10);
    for (const received of server.received) {
      const event = events.find((e) => e.id === received.id);
      expect(received.body).toBe(JSON.stringify(event));
      expect(received.contentType).toBe("application/json");
      const { timestamp } = verifyWherebySignature({ header: received.signature, body: Buffer.from(received.body), secrets: [SECRET] });
      expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(5);
    }
  });

  it("gives up on an endpoint that refuses connections after three attempts", async () => {
    const server = await endpoint(ok);
    await new Promise((done) => server.server.close(done));
    const result = await sendEvents(someEvents(1), { url: server.url, ...FAST });
    expect(result).toMatchObject({ attempts: 3, failed: 1, failures: { ECONNREFUSED: 1 } });
  });

  it("counts the deliveries the endpoint already had", async () => {
    const seen = new Set<string>();
    const server = await endpoint((received, _attempt, response) => {
      reply(response, 200, { ok: true, id: received.id, duplicate: seen.has(received.id) });
      seen.add(received.id);
    });
    const { events, truth } = generateTraffic({ scenario: "chaos", sessions: 4, seed: 9, start: "2026-03-02T08:00:00Z" });
    const result = await sendEvents(events, { url: server.url, ...FAST, concurrency: 1 });
    expect(result.acknowledged).toBe(truth.deliveries);
    expect(result.duplicates).toBe(truth.deliveries - truth.events);
    expect(result.duplicates).toBeGreaterThan(0);
  });

  it("keeps at most `concurrency` requests in flight, and a retry's backoff holds none", async () => {
    const slow = await endpoint((received, attempt, response) => setTimeout(() => ok(received, attempt, response), 20));
    await sendEvents(someEvents(60), { url: slow.url, ...FAST, concurrency: 8 });
    expect(slow.mostInFlight()).toBe(8);

    const events = someEvents(3);
    const flaky = await endpoint((received, attempt, response) =>
      received.id === events[0]!.id && attempt === 1 ? reply(response, 503, { error: "busy" }) : ok(received, attempt, response),
    );
    await sendEvents(events, { url: flaky.url, ...FAST, concurrency: 1, retryDelaysMs: [300, 300] });
    expect(flaky.received.map((r) => r.id)).toEqual([events[0]!.id, events[1]!.id, events[2]!.id, events[0]!.id]);
  });

  it("holds to the rate", async () => {
    const server = await endpoint(ok);
    const result = await sendEvents(someEvents(41), { url: server.url, ...FAST, rate: 200, concurrency: 8 });
    expect(result.acknowledged).toBe(41);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(195);
  });

  it("pushes thousands of events with high concurrency and reports latency", async () => {
    const server = await endpoint(ok);
    const { events } = generateTraffic({ scenario: "webinar", sessions: 6, seed: 1, start: "2026-03-02T08:00:00Z" });
    const result = await sendEvents(events, { url: server.url, secret: SECRET, concurrency: 64 });
    expect(result).toMatchObject({ sent: events.length, acknowledged: events.length, failed: 0, retried: 0 });
    expect(events.length).toBeGreaterThan(2000);
    expect(result.latencyMs.p50).toBeGreaterThan(0);
    expect(result.latencyMs.p99).toBeGreaterThanOrEqual(result.latencyMs.p50);
  });

  it("refuses options it cannot honour", async () => {
    await expect(sendEvents([], { url: "ftp://example.test/", secret: SECRET })).rejects.toThrow(/url/);
    await expect(sendEvents([], { url: "http://127.0.0.1:1/", secret: SECRET, concurrency: 0 })).rejects.toThrow(/concurrency/);
    await expect(sendEvents([], { url: "http://127.0.0.1:1/", secret: SECRET, rate: 0 })).rejects.toThrow(/rate/);
  });
});
