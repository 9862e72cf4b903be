/**
 * Slow clients are cut off by the server's request timeout, while everyone else is served as usual: a body trickled
 * a byte a second, headers that never end, a connection that says nothing. Whereby itself gives up after 5 seconds,
 * so nothing legitimate is ever that slow.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliver, joinedEvent } from "../helpers/deliver.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sendRaw, type RawAnswer } from "./raw-http.js";

const REQUEST_TIMEOUT_MS = 2000;
/** Room for the server's periodic check of expired requests and a busy machine. */
const CUT_OFF_WITHIN_MS = 3 * REQUEST_TIMEOUT_MS;
/** How long each slow client would go on if nothing stopped it. */
const SLOW_FOR_MS = 2 * CUT_OFF_WITHIN_MS;
const SLOW_CLIENTS = 40;

function trickle(text: string): Buffer[] {
  return [...Buffer.from(text)].map((byte) => Buffer.from([byte]));
}

const BODY = JSON.stringify(joinedEvent());
const HEAD = `POST /webhooks/whereby HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n`;

/** Each kind of slow client, as the chunks it writes a second apart. */
const SLOW: Record<string, Buffer[]> = {
  "a body trickled one byte a second": [Buffer.from(`${HEAD}Whereby-Signature: t=1,v1=00\r\n\r\n`), ...trickle(BODY)],
  "headers that never end, a byte a second": trickle(`${HEAD}X-Slow: ${"z".repeat(500)}`),
  "headers that never end, a header a second": [Buffer.from(HEAD), ...Array.from({ length: 100 }, (_, i) => Buffer.from(`X-Slow-${i}: z\r\n`))],
  "headers begun and then silence": [Buffer.from(HEAD)],
  "a connection that says nothing": [],
};

function slowClient(url: string, chunks: Buffer[]): Promise<RawAnswer> {
  return sendRaw(url, chunks, { gapMs: 1000, keepOpen: true, timeoutMs: SLOW_FOR_MS });
}

describe("slow clients", () => {
  let server: TestServer;

  beforeAll(async () => {
    // requestTimeoutMs is the Config field for fastify's requestTimeout (30 s in production).
    const config = { maxBodyBytes: 4096, requestTimeoutMs: REQUEST_TIMEOUT_MS };
    server = await startTestServer({ config });
  });
  afterAll(async () => {
    await server.close();
  });

  it.concurrent.each(Object.keys(SLOW))("cuts off %s within the request timeout", async (kind) => {
    const answer = await slowClient(server.url, SLOW[kind]!);
    expect(answer.settled, "the server was still waiting").toBe(true);
    expect(answer.elapsedMs).toBeLessThan(CUT_OFF_WITHIN_MS);
    for (const status of answer.statuses) expect([400, 408]).toContain(status);
  });

  it(`serves others while ${SLOW_CLIENTS} slow clients hang on, and stores nothing of theirs`, async () => {
    const before = await server.testStore.store.countEvents();
    const kinds = Object.values(SLOW);
    const slow = Array.from({ length: SLOW_CLIENTS }, (_, i) => slowClient(server.url, kinds[i % kinds.length]!));

    const started = Date.now();
    const served: number[] = [];
    while (Date.now() - started < REQUEST_TIMEOUT_MS) {
      const began = Date.now();
      const [delivery, health] = await Promise.all([
        deliver(server.url, joinedEvent(), { secret: server.secret }),
        fetch(`${server.url}/healthz`),
      ]);
      expect([delivery.status, health.status]).toEqual([200, 200]);
      served.push(Date.now() - began);
    }
    // Generous for a busy machine: the point is that nobody waits for the slow clients.
    expect(Math.max(...served)).toBeLessThan(1000);

    const answers = await Promise.all(slow);
    expect(answers.filter((a) => !a.settled)).toEqual([]);
    expect(Math.max(...answers.map((a) => a.elapsedMs))).toBeLessThan(CUT_OFF_WITHIN_MS);
    expect(await server.testStore.store.countEvents()).toBe(before + served.length);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
