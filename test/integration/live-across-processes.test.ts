/**
 * SPEC §8: several `meetmeter serve` processes may share one PostgreSQL behind a load balancer. A dashboard's live
 * stream, served by one of them, shows what any of them stored.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createService, type Service } from "../../src/server.js";
import { deliver, joinedEvent } from "../helpers/deliver.js";
import { postgresAvailable } from "../helpers/postgres.js";
import { startTestServer, testConfig, type TestServer } from "../helpers/server.js";

/** Reads a live stream for `ms`; resolves with how many of its events had this id. */
async function sightings(url: string, token: string, id: string, ms: number) {
  return (await streamedIds(url, token, ms)).filter((seen) => seen === id).length;
}

/** Reads a live stream for `ms`; resolves with the ids of its events. */
async function streamedIds(url: string, token: string, ms: number): Promise<string[]> {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/events/stream`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // Aborted at the deadline.
  } finally {
    clearTimeout(timer);
  }
  const events = text
    .split("\n\n")
    // Each stored event is unnamed (an EventSource's onmessage gets it), with its data on `data:` lines.
    .filter((block) => block.split("\n").some((line) => line.startsWith("data: ")))
    .map((block) => block.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n"))
    .map((data) => (JSON.parse(data) as { id: string }).id);
  return events;
}

describe.runIf(postgresAvailable)("the live stream with two processes on one PostgreSQL", () => {
  let first: TestServer;
  let second: Service;
  let secondUrl: string;

  beforeAll(async () => {
    first = await startTestServer({ store: "postgres" });
    second = await createService(testConfig({ database: first.testStore.database, apiToken: first.token }), { logger: false });
    secondUrl = await second.app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it("shows on each process's stream, once, an event that either of them stored", async () => {
    const event = joinedEvent();
    const watchFirst = sightings(first.url, first.token, event.id, 3000);
    const watchSecond = sightings(secondUrl, first.token, event.id, 3000);
    // Both streams are open before the delivery.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await deliver(secondUrl, event, { secret: first.secret })).status).toBe(200);
    expect(await watchFirst).toBe(1);
    expect(await watchSecond).toBe(1);
  });

  it("shows events whose ids are as long as an id may be, or hold NUL, many at once", async () => {
    // 256 characters each (the most an id may have), some with NUL: more than one notice of PostgreSQL's carries.
    const events = Array.from({ length: 60 }, (_, i) =>
      joinedEvent({ id: `${i % 2 ? "\u0000" : "-"}${i}-${"x".repeat(256)}`.slice(0, 256) }),
    );
    const watching = streamedIds(first.url, first.token, 4000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const answers = await Promise.all(events.map((event) => deliver(secondUrl, event, { secret: first.secret })));
    expect(answers.map((a) => a.status)).toEqual(events.map(() => 200));
    expect(new Set(await watching)).toEqual(new Set(events.map((e) => e.id)));
  });
});
