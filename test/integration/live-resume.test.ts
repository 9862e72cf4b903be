/**
 * The live stream resumes (SPEC §4): every stored event goes out unnamed with `id:` its place in the log, after a
 * `retry:` hint; `Last-Event-ID` or `?after=` resumes from the store; `/api/events?after=` lists what came after a
 * place. The `eventsource` package, a client meetmeter did not write, follows the stream across a restart of the
 * server and ends with every event once, in order. On both stores.
 */
import { EventSource } from "eventsource";
import { afterAll, describe, expect, it } from "vitest";
import { deliver, joinedEvent } from "../helpers/deliver.js";
import { openStream, until } from "../helpers/live-stream.js";
import { serveOn, type ServedAgain } from "../helpers/serve-again.js";
import { openTestStore, STORE_KINDS } from "../helpers/stores.js";

const TOKEN = "live-resume-token-0123456789";
const SECRET = "whsec_test_secret";

describe.each(STORE_KINDS)("the live stream resumes on %s", (kind) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const start = async (port?: number) => {
    const testStore = await openTestStore(kind);
    await testStore.store.close();
    cleanups.push(() => testStore.cleanup());
    const server = await serveOn(testStore.database, { token: TOKEN, port });
    return { server, database: testStore.database };
  };
  const store = async (url: string, count: number) => {
    const events = Array.from({ length: count }, () => joinedEvent({}, { roomName: `/resume-${kind}` }));
    for (const event of events) expect((await deliver(url, event, { secret: SECRET })).status).toBe(200);
    return events.map((e) => e.id);
  };
  const listed = async (url: string, query: string) => {
    const res = await fetch(`${url}/api/events${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: res.status, body: (await res.json()) as { results: Array<{ id: string; seq: number }> } };
  };

  it("sends each event unnamed with id: its place, and resumes after Last-Event-ID or ?after= from the store", async () => {
    const { server } = await start();
    cleanups.push(() => server.close());
    const ids = await store(server.url, 6);
    const all = (await listed(server.url, "?limit=500")).body.results;
    expect(all.map((e) => e.id)).toEqual(ids);
    const third = all[2]!.seq;

    const byHeader = await openStream(server.url, TOKEN, { lastEventId: third });
    const byQuery = await openStream(server.url, TOKEN, { after: third });
    for (const stream of [byHeader, byQuery]) {
      await stream.until((events) => events.length >= 3);
      expect(stream.events.map((e) => e.id)).toEqual(ids.slice(3));
      expect(stream.events.every((e) => e.name === "message" && e.eventId === String(e.seq))).toBe(true);
    }
    // And then what comes, once.
    const more = await store(server.url, 2);
    for (const stream of [byHeader, byQuery]) {
      await stream.until((events) => events.length >= 5);
      expect(stream.events.map((e) => e.id)).toEqual([...ids.slice(3), ...more]);
      await stream.close();
    }
    expect((await listed(server.url, `?after=${third}`)).body.results.map((e) => e.id)).toEqual([...ids.slice(3), ...more]);
    expect((await listed(server.url, "?after=soon")).status).toBe(400);
    const bad = await fetch(`${server.url}/api/events/stream`, { headers: { authorization: `Bearer ${TOKEN}`, "last-event-id": "-1" } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_query" });
  });

  it("follows the stream with the eventsource package across a restart, with nothing lost and nothing twice", { timeout: 60_000 }, async () => {
    const started = await start();
    let server = started.server;
    const { database } = started;
    const { port } = server;
    const received: Array<{ id: string; seq: number; lastEventId: string }> = [];
    const source = new EventSource(`${server.url}/api/events/stream`, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${TOKEN}` } }),
    });
    cleanups.push(async () => source.close());
    source.onmessage = (message) => {
      const { id, seq } = JSON.parse(message.data) as { id: string; seq: number };
      received.push({ id, seq, lastEventId: message.lastEventId });
    };
    await new Promise<void>((resolve, reject) => {
      source.onopen = () => resolve();
      source.onerror = (error) => reject(new Error(`the stream did not open: ${error.message ?? "error"}`));
    });
    source.onerror = () => {};
    const before = await store(server.url, 5);
    await until("the first events", () => received.length === 5);

    // The server goes away; the client retries on its own. Events are stored as soon as it is back, before the
    // client's next try (its retry: is two seconds), so the client gets them from the store, after Last-Event-ID.
    await server.close();
    const restarted: ServedAgain = await serveOn(database, { token: TOKEN, port });
    server = restarted;
    cleanups.push(() => restarted.close());
    const meanwhile = await store(restarted.url, 5);
    await until("every event", () => received.length >= 10, 30_000);
    const later = await store(restarted.url, 3);
    await until("the events after the reconnection", () => received.length >= 13, 30_000);
    await new Promise((r) => setTimeout(r, 500));

    expect(received.map((e) => e.id)).toEqual([...before, ...meanwhile, ...later]);
    expect(received.every((e) => e.lastEventId === String(e.seq))).toBe(true);
    expect(received.map((e) => e.seq)).toEqual([...received.map((e) => e.seq)].sort((a, b) => a - b));
    source.close();
  });
});
