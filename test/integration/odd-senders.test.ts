/**
 * Input from real senders that the figures must survive, over real HTTP on each store: a createdAt far in the future
 * (placed at its receipt), a session whose end never comes (over 12 hours after its last event, in every figure), and
 * Whereby's own published payloads, which carry no participantId (counted, and marked in /api/events); and a session
 * saved ongoing that fell silent while no service ran (ended when one starts again).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toIncomingEvent } from "../../src/ingest/receive.js";
import { Projector } from "../../src/projection/projector.js";
import { createService, type Service } from "../../src/server.js";
import { parseEvent } from "../../src/whereby/events.js";
import { api, deliver } from "../helpers/deliver.js";
import { clientData, wherebyEvent } from "../helpers/events.js";
import { REPO_ROOT } from "../helpers/repo.js";
import { startTestServer, testConfig, type TestServer } from "../helpers/server.js";
import { STORE_KINDS, incomingEvent, openTestStore, type TestStore } from "../helpers/stores.js";
import { runCli } from "../helpers/cli.js";

const MINUTE = 60_000;
const SILENCE_MS = 12 * 3_600_000;

const client = clientData;
const eventOf = wherebyEvent;

const PUBLISHED = join(REPO_ROOT, "test/fixtures/whereby-published");
const published = ["2022-04-01", "2022-11-15", "2023-08-22", "2023-12-07", "2025-12-12"].map(
  (date) => [date, JSON.parse(readFileSync(join(PUBLISHED, `room.client.joined.${date}.json`), "utf8"))] as const,
);

interface EventRow {
  id: string;
  derivation: { used: boolean; reason: string; message: string } | null;
}

describe.each(STORE_KINDS)("odd senders on %s", (kind) => {
  let server: TestServer;
  let get: (path: string) => Promise<Response>;
  const json = async (path: string) => {
    const res = await get(path);
    expect(res.status, path).toBe(200);
    return res.json();
  };
  const send = async (event: unknown) => expect((await deliver(server.url, event, { secret: server.secret })).status).toBe(200);

  beforeAll(async () => {
    server = await startTestServer({ store: kind, ongoingRefreshMs: 200 });
    get = api(server.url, server.token);
  });
  afterAll(async () => {
    await server.close();
  });

  it("places a leave dated 3000 at its receipt: no session of centuries, no month of billions", async () => {
    const room = "/far-future";
    const base = Math.floor((Date.now() - 60 * MINUTE) / MINUTE) * MINUTE;
    const data = { roomName: room, meetingId: "1", roomSessionId: "rs-future", subdomain: "school" };
    await send(eventOf("ff-1", "room.client.joined", base, { ...data, ...client("f-ana", "Ana", "host", 1, { externalId: "ff-ana" }) }));
    await send(eventOf("ff-2", "room.client.joined", base + MINUTE, { ...data, ...client("f-ben", "Ben", "visitor", 2) }));
    await send(eventOf("ff-3", "room.session.started", base + MINUTE, data));
    await send(eventOf("ff-4", "room.client.left", base + 40 * MINUTE, { ...data, ...client("f-ana", "Ana", "host", 1, { externalId: "ff-ana" }) }));
    await send(eventOf("ff-5", "room.session.ended", base + 41 * MINUTE, data));
    const before = Date.now();
    await send(eventOf("ff-6", "room.client.left", "3000-01-01T00:00:00.000Z", { ...data, ...client("f-ben", "Ben", "visitor", 0) }));
    const after = Date.now();

    const detail = await json("/api/sessions/rs-future");
    const ben = detail.participants.find((p: { key: string }) => p.key === "participant:f-ben");
    const benLeft = Date.parse(ben.connections[0].leftAt);
    // Within the second of its receipt (receivedAt is kept to the millisecond).
    expect(benLeft).toBeGreaterThanOrEqual(before - 1);
    expect(benLeft).toBeLessThanOrEqual(after + 1);
    // Ana 40 min; Ben from base+1 min to his leave's receipt, about 59 min.
    const benMs = benLeft - (base + MINUTE);
    expect(detail).toMatchObject({
      endedAt: new Date(base + 40 * MINUTE).toISOString(),
      durationSeconds: 39 * 60,
      participantSeconds: (40 * MINUTE + benMs) / 1000,
      billableParticipantMinutes: 40 + Math.ceil(benMs / MINUTE),
    });
    const usage = await json(`/api/usage?interval=month&from=${new Date(base - MINUTE).toISOString()}`);
    expect(usage.total.billableParticipantMinutes).toBe(detail.billableParticipantMinutes);
    const rooms = (await json("/api/rooms?limit=500")).results.find((r: { roomName: string }) => r.roomName === room);
    expect(rooms.billableParticipantMinutes).toBe(detail.billableParticipantMinutes);

    const events: EventRow[] = (await json(`/api/events?roomName=${encodeURIComponent(room)}`)).results;
    expect(events.find((e) => e.id === "ff-6")?.derivation).toMatchObject({ used: true, reason: "clock_ahead" });
    expect(events.filter((e) => e.derivation !== null).map((e) => e.id)).toEqual(["ff-6"]);
    expect(await (await get("/metrics")).text()).toMatch(/^meetmeter_events_adjusted_total\{reason="clock_ahead"\} 1$/m);
  });

  it("ends a session silent for 12 hours at its last event, in the list, detail, rooms, usage and people", async () => {
    const room = "/end-never-came";
    // Its last event 12 hours less 4 seconds ago: ongoing now, over in 4 seconds, with no new event.
    const last = Date.now() - SILENCE_MS + 4000;
    const data = { roomName: room, meetingId: "2", roomSessionId: "rs-silent", subdomain: "school" };
    await send(eventOf("sl-1", "room.client.joined", last - 90_000, { ...data, ...client("s-ana", "Ana", "host", 1, { externalId: "sl-ana" }) }));
    await send(eventOf("sl-2", "room.client.joined", last - 30_000, { ...data, ...client("s-ben", "Ben", "visitor", 2) }));
    await send(eventOf("sl-3", "room.session.started", last, data));
    const listed = async () => (await json(`/api/sessions?roomName=${encodeURIComponent(room)}`)).results[0];
    expect(await listed()).toMatchObject({ ongoing: true, endedAt: null });

    const roomRow = async () => (await json("/api/rooms?limit=500")).results.find((r: { roomName: string }) => r.roomName === room);
    const deadline = Date.now() + 20_000;
    while ((await roomRow()).billableParticipantMinutes !== 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Ana 90 s and Ben 30 s, both closed at the session's last event: 120 s, 2 + 1 billable minutes.
    const figures = { participantSeconds: 120, billableParticipantMinutes: 3 };
    expect(await roomRow()).toMatchObject(figures);
    const endedAt = new Date(last).toISOString();
    expect(await listed()).toMatchObject({ ongoing: false, endedAt, reportedEndedAt: null, durationSeconds: 0, ...figures });
    const detail = await json("/api/sessions/rs-silent");
    expect(detail).toMatchObject({ ongoing: false, endedAt, endInferred: true, ...figures });
    expect(detail.participants.every((p: { connections: { leftInferred: boolean }[] }) => p.connections[0]?.leftInferred)).toBe(true);
    expect((await json("/api/sessions?ongoing=true")).results.map((s: { id: string }) => s.id)).not.toContain("rs-silent");
    const usage = await json(`/api/usage?from=${new Date(last - 60 * MINUTE).toISOString()}&to=${new Date(last + MINUTE).toISOString()}`);
    expect(usage.total).toMatchObject(figures);
    const ana = await json("/api/people/external:sl-ana");
    expect(ana.sessions).toEqual([expect.objectContaining({ sessionId: "rs-silent", ongoing: false, connectedSeconds: 90 })]);
  }, 30_000);

  it("counts every version of Whereby's published room.client.joined example, and marks what it inferred", async () => {
    for (const [date, example] of published) {
      const roomName = `/published-${date}`;
      await send({ ...example, id: `pub-join-${date}`, data: { ...example.data, roomName } });
      await send({
        ...example,
        id: `pub-left-${date}`,
        type: "room.client.left",
        createdAt: "2021-01-21T16:39:59.681Z",
        data: { ...example.data, roomName, numClients: 7 },
      });
      const [session] = (await json(`/api/sessions?roomName=${encodeURIComponent(roomName)}`)).results;
      // Joined 16:29:59.681, left 16:39:59.681: 600 s, 10 billable minutes; over, five years silent.
      expect(session, date).toMatchObject({ ongoing: false, uniqueParticipants: 1, participantSeconds: 600, billableParticipantMinutes: 10 });
      const detail = await json(`/api/sessions/${session.id}`);
      expect(detail.participants[0].connections[0]).toMatchObject({ participantIdInferred: true, joinInferred: false, leftInferred: false });
      const events: EventRow[] = (await json(`/api/events?roomName=${encodeURIComponent(roomName)}`)).results;
      expect(events.map((e) => e.derivation?.reason)).toEqual(["participant_inferred", "participant_inferred"]);
    }
  });

  it("marks, logs and counts an event the figures cannot use: a published example that names nobody", async () => {
    const [, example] = published[0]!;
    const roomName = "/published-nobody";
    await send({ ...example, id: "pub-nobody", data: { ...example.data, roomName, metadata: null } });
    expect((await json(`/api/sessions?roomName=${encodeURIComponent(roomName)}`)).results).toEqual([]);
    const [row] = (await json(`/api/events?roomName=${encodeURIComponent(roomName)}`)).results as EventRow[];
    expect(row?.derivation).toMatchObject({ used: false, reason: "no_participant" });
    expect(await (await get("/metrics")).text()).toMatch(/^meetmeter_events_not_counted_total\{reason="no_participant"\} 1$/m);
  });

  it("answers 400 invalid_json to the newest published example as it is printed, without its comma", async () => {
    const body = readFileSync(join(PUBLISHED, "room.client.joined.2025-12-12.as-published.txt"));
    const res = await deliver(server.url, body, { secret: server.secret });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe("invalid_json");
  });
});

describe.each(STORE_KINDS)("a session saved ongoing that fell silent while no service ran, on %s", (kind) => {
  let testStore: TestStore;
  let service: Service;
  let url: string;

  beforeAll(async () => {
    testStore = await openTestStore(kind);
    const { store } = testStore;
    // Its last event 13 hours ago; saved as ongoing an hour after it, by a service that then stopped.
    const last = Date.now() - 13 * 3_600_000;
    const data = { roomName: "/stopped", meetingId: "3", roomSessionId: "rs-stopped", subdomain: "school" };
    const bodies = [
      eventOf("st-1", "room.client.joined", last - 90_000, { ...data, ...client("t-ana", "Ana", "host", 1, { externalId: "st-ana" }) }),
      eventOf("st-2", "room.client.joined", last - 30_000, { ...data, ...client("t-ben", "Ben", "visitor", 2) }),
      eventOf("st-3", "room.session.started", last, data),
    ];
    await store.append(
      bodies.map((body) => {
        const event = parseEvent(body);
        if (!event.ok) throw new Error(event.message);
        return toIncomingEvent(event.event, { receivedAt: body.createdAt, channel: null, body: Buffer.from(JSON.stringify(body)) });
      }),
    );
    await new Projector(store, { metadataSecrets: [] }).project(["session:rs-stopped"], last + 3_600_000);
    // More events since than a starting service derives again for being the newest.
    const filler = Array.from({ length: 10_001 }, (_, i) => incomingEvent(`filler-${i}`, { partitionKey: "session:filler" }));
    for (let i = 0; i < filler.length; i += 2000) await store.append(filler.slice(i, i + 2000));
    expect((await store.listSessions({ ongoing: true }, 10, null)).results.map((s) => s.id)).toEqual(["rs-stopped"]);

    service = await createService(testConfig({ database: testStore.database }), { store, logger: false });
    url = await service.app.listen({ port: 0, host: "127.0.0.1" });
  }, 60_000);
  afterAll(async () => {
    await service.close();
    await testStore.cleanup();
  });

  it("is saved ended when the service starts again: rooms, usage and the ongoing filter say so", async () => {
    const get = api(url, service.token);
    const roomOf = async () =>
      ((await (await get("/api/rooms?limit=500")).json()).results as { roomName: string }[]).find((r) => r.roomName === "/stopped");
    const deadline = Date.now() + 10_000;
    while ((await (await get("/api/sessions?ongoing=true")).json()).results.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await (await get("/api/sessions?ongoing=true")).json()).results).toEqual([]);
    // Ana 90 s and Ben 30 s to the session's last event, not the hour they were saved with.
    expect(await roomOf()).toMatchObject({ participantSeconds: 120, billableParticipantMinutes: 3 });
    const usage = await (await get("/api/usage")).json();
    expect(usage.total).toMatchObject({ participantSeconds: 120, billableParticipantMinutes: 3 });
  }, 20_000);
});

describe.each(STORE_KINDS)("a saved ongoing session read after it fell silent, with no service to refresh it, on %s", (kind) => {
  let testStore: TestStore;

  beforeAll(async () => {
    testStore = await openTestStore(kind);
    const { store } = testStore;
    // Saved as ongoing an hour after its last event, 13 hours ago: it has been over for an hour.
    const last = Date.now() - 13 * 3_600_000;
    const data = { roomName: "/unrefreshed", meetingId: "4", roomSessionId: "rs-unrefreshed", subdomain: "school" };
    const bodies = [
      eventOf("ur-1", "room.client.joined", last - 90_000, { ...data, ...client("u-ana", "Ana", "host", 1) }),
      eventOf("ur-2", "room.client.joined", last - 30_000, { ...data, ...client("u-ben", "Ben", "visitor", 2) }),
      eventOf("ur-3", "room.session.started", last, data),
    ];
    await store.append(
      bodies.map((body) => {
        const event = parseEvent(body);
        if (!event.ok) throw new Error(event.message);
        return toIncomingEvent(event.event, { receivedAt: body.createdAt, channel: null, body: Buffer.from(JSON.stringify(body)) });
      }),
    );
    await new Projector(store, { metadataSecrets: [] }).project(["session:rs-unrefreshed"], last + 3_600_000);
  }, 60_000);
  afterAll(async () => {
    await testStore.cleanup();
  });

  it("is reported ended at its last event by meetmeter report, not run on to now from what was saved", async () => {
    const figures = { ongoing: false, endInferred: true, participantSeconds: 120, billableParticipantMinutes: 3 };
    const database = ["--database", testStore.databaseUrl];
    const list = await runCli(["report", "sessions", "--format", "json", ...database]);
    expect(list.code, list.stderr).toBe(0);
    const { endInferred: _, ...summary } = figures;
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: "rs-unrefreshed", ...summary })]);
    const detail = await runCli(["report", "session", "rs-unrefreshed", "--format", "json", ...database]);
    expect(detail.code, detail.stderr).toBe(0);
    expect(JSON.parse(detail.stdout)).toMatchObject(figures);
  }, 60_000);
});
