/**
 * Outbound deliveries over real HTTP on both stores (SPEC §10): endpoints registered, listed and removed; a session's
 * end and a meeting's attendance pushed to a loopback receiver, signed as the `standardwebhooks` package verifies;
 * retried on the schedule (shortened here), failed after its last step, sent again by hand.
 */
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { api, deliver } from "../helpers/deliver.js";
import { clientData, wherebyEvent } from "../helpers/events.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { STORE_KINDS } from "../helpers/stores.js";
import type { Delivery } from "../../src/store/event-store.js";

/** A payload as an endpoint receives it. */
interface Pushed {
  type: string;
  data: Record<string, unknown> & {
    participants: Array<{ displayName: string }>;
    roster: Array<{ key: string; status: string }>;
  };
}

/** A 45-minute class that began `startMinutesAgo` minutes ago, in its own room: the teacher and Ada, Bo joining late. */
function lesson(meetingId: string, startMinutesAgo = 90, prefix = "/outbound") {
  const start = Date.now() - startMinutesAgo * 60_000;
  const room = { roomName: `${prefix}-${meetingId}`, meetingId, subdomain: "school", roomSessionId: `rs-${meetingId}` };
  let n = 0;
  const ev = (type: string, minute: number, data: Record<string, unknown> = {}) =>
    wherebyEvent(`${meetingId}-${(n += 1)}`, type, start + minute * 60_000, { ...room, ...data });
  const person = (id: string, name: string, role: string, count: number) => clientData(`p-${id}`, name, role, count, { externalId: id });
  const events = [
    ev("room.client.joined", 0, person("teacher", "Ms Berg", "host", 1)),
    ev("room.client.joined", 0.5, person("ada", "Ada", "visitor", 2)),
    ev("room.session.started", 0.5),
    ev("room.client.left", 45, person("ada", "Ada", "visitor", 1)),
    ev("room.client.left", 46, person("teacher", "Ms Berg", "host", 0)),
    ev("room.session.ended", 47),
  ];
  const plan = {
    title: "Maths 7B",
    roomName: room.roomName,
    scheduledStart: new Date(start).toISOString(),
    scheduledEnd: new Date(start + 45 * 60_000).toISOString(),
    expected: [
      { key: "external:teacher", displayName: "Ms Berg", role: "teacher" },
      { key: "external:ada", displayName: "Ada", role: "student" },
      { key: "external:bo", displayName: "Bo", role: "student" },
    ],
  };
  /** Bo was there from minute 2 to 30, and this arrives late: the attendance changes. */
  const late = [ev("room.client.joined", 2, person("bo", "Bo", "visitor", 3)), ev("room.client.left", 30, person("bo", "Bo", "visitor", 2))];
  return { events, plan, late, room };
}

describe.each(STORE_KINDS)("outbound deliveries on %s", (kind) => {
  let server: TestServer;
  let receiver: Receiver;
  let get: (path: string) => Promise<Response>;
  const send = (method: string, path: string, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${server.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  const deliverAll = async (events: object[]) => {
    for (const event of events) expect((await deliver(server.url, event, { secret: server.secret })).status).toBe(200);
  };
  const register = async (body: Record<string, unknown>) => {
    const res = await send("POST", "/api/endpoints", body);
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; secret: string };
  };
  const deliveries = async (query = "") => ((await (await get(`/api/deliveries${query}`)).json()) as { results: Delivery[] }).results;
  const until = async (check: () => Promise<boolean>, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    server = await startTestServer({
      store: kind,
      config: { outbound: { finalAfterSeconds: 0, retrySchedule: [0, 0.2, 0.2], timeoutSeconds: 1, denyPrivateAddresses: false } },
    });
    get = api(server.url, server.token);
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(async () => {
    for (const { id } of (await (await get("/api/endpoints")).json()).results) await send("DELETE", `/api/endpoints/${id}`);
    await receiver?.close();
  });

  it("registers an endpoint, shows its secret once, lists it without, and removes it", async () => {
    receiver = await startReceiver();
    const res = await send("POST", "/api/endpoints", { url: receiver.url, types: ["session.ended"], roomNamePrefix: "/class-" });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created).toEqual({ id: expect.stringMatching(/^ep_/), url: receiver.url, secret: expect.stringMatching(/^whsec_/), types: ["session.ended"], roomNamePrefix: "/class-" });
    const listed = await (await get("/api/endpoints")).json();
    expect(listed.results).toEqual([{ id: created.id, url: receiver.url, types: ["session.ended"], roomNamePrefix: "/class-", createdAt: expect.any(String) }]);
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    const given = await register({ url: receiver.url, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" });
    expect(given.secret).toBe("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    expect((await send("DELETE", `/api/endpoints/${created.id}`)).status).toBe(204);
    expect((await send("DELETE", `/api/endpoints/${created.id}`)).status).toBe(404);
    expect((await (await get("/api/endpoints")).json()).results.map((e: { id: string }) => e.id)).toEqual([given.id]);
  });

  it.each([
    [{ url: "ftp://example.com/x" }, "url"],
    [{ url: "not a url" }, "url"],
    [{ url: "https://user:pw@example.com/" }, "url"],
    [{ url: "https://example.com/", types: ["session.started"] }, "types"],
    [{ url: "https://example.com/", types: [] }, "types"],
    [{ url: "https://example.com/", secret: "plain-text" }, "secret"],
    [{ url: "https://example.com/", extra: 1 }, "body"],
    ["{not json", "body"],
  ])("refuses %j naming %s, and stores nothing", async (body, field) => {
    const res = await send("POST", "/api/endpoints", body);
    expect(res.status).toBe(400);
    const answer = await res.json();
    expect(answer.error).toBe("invalid_endpoint");
    expect(answer.message.startsWith(field)).toBe(true);
    expect((await (await get("/api/endpoints")).json()).results).toEqual([]);
  });

  it("sends a session's end, signed so that the standardwebhooks package verifies it, once", async () => {
    receiver = await startReceiver();
    const { secret } = await register({ url: receiver.url, types: ["session.ended"] });
    const { events, room } = lesson(`ended-${kind}`);
    await deliverAll(events);
    const [got] = await receiver.waitFor(1);
    const verified = new Webhook(secret).verify(got!.body, got!.headers) as Pushed;
    expect(verified.type).toBe("session.ended");
    expect(verified.data).toMatchObject({ id: room.roomSessionId, roomName: room.roomName, ongoing: false, uniqueParticipants: 2 });
    expect(verified.data.participants.map((p) => p.displayName).sort()).toEqual(["Ada", "Ms Berg"]);
    expect(() => new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").verify(got!.body, got!.headers)).toThrow();
    await until(async () => (await deliveries())[0]?.status === "delivered");
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ id: got!.headers["webhook-id"], type: "session.ended", subjectId: room.roomSessionId, status: "delivered" });
    expect(delivery!.attempts).toEqual([{ at: expect.any(String), status: 200, error: null, durationMs: expect.any(Number) }]);
    // Derived again by a late duplicate, the session is not announced again.
    await deliverAll([events[0]!]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.received).toHaveLength(1);
  });

  it("tries again after 500s: the third try succeeds with the same webhook-id", async () => {
    receiver = await startReceiver((_request, n) => (n <= 2 ? 500 : 200));
    const { secret } = await register({ url: receiver.url });
    await deliverAll(lesson(`retry-${kind}`).events);
    const got = await receiver.waitFor(3);
    expect(new Set(got.map((r) => r.headers["webhook-id"])).size).toBe(1);
    for (const request of got) expect(() => new Webhook(secret).verify(request.body, request.headers)).not.toThrow();
    await until(async () => (await deliveries())[0]?.status === "delivered");
    expect((await deliveries())[0]!.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(receiver.received).toHaveLength(3);
  });

  it("fails a delivery nobody answers after the last step, and sends it again when asked", async () => {
    receiver = await startReceiver(() => "hang");
    await register({ url: receiver.url, types: ["session.ended"] });
    await deliverAll(lesson(`silent-${kind}`).events);
    await until(async () => (await deliveries("?status=failed")).length === 1);
    const [failed] = await deliveries("?status=failed");
    expect(failed!.attempts).toHaveLength(3);
    expect(failed!.attempts.every((a) => a.status === null && /no answer within 1 s/.test(a.error ?? ""))).toBe(true);
    expect(failed!.nextAttemptAt).toBeNull();
    receiver.answer(() => 204);
    const retried = await send("POST", `/api/deliveries/${failed!.id}/retry`);
    expect(retried.status).toBe(202);
    await until(async () => (await (await get(`/api/deliveries/${failed!.id}`)).json()).status === "delivered");
    const metrics = await (await get("/metrics")).text();
    expect(metrics).toMatch(/meetmeter_outbound_deliveries_total\{outcome="failed"\} [1-9]/);
    expect(metrics).toMatch(/meetmeter_outbound_deliveries_total\{outcome="delivered"\} [1-9]/);
    expect(metrics).toMatch(/meetmeter_outbox_depth 0/);
    expect((await send("POST", "/api/deliveries/msg_nothing/retry")).status).toBe(404);
    expect((await get("/api/deliveries?status=lost")).status).toBe(400);
  });

  it("sends a meeting's attendance once its session is final, and again as updated when a late event changes it", async () => {
    receiver = await startReceiver();
    const { secret } = await register({ url: receiver.url, types: ["meeting.attendance", "meeting.attendance.updated"] });
    const meetingId = `m-${kind}`;
    const { events, plan, late } = lesson(meetingId);
    expect((await send("PUT", `/api/meetings/${meetingId}`, plan)).status).toBe(200);
    await deliverAll(events);
    const [first] = await receiver.waitFor(1);
    const attendance = new Webhook(secret).verify(first!.body, first!.headers) as Pushed;
    expect(attendance.type).toBe("meeting.attendance");
    expect(attendance.data).toMatchObject({ meetingId, status: "held" });
    expect(attendance.data.roster.map((r) => [r.key, r.status])).toEqual([
      ["external:teacher", "present"],
      ["external:ada", "present"],
      ["external:bo", "absent"],
    ]);
    await deliverAll(late);
    const [, second] = await receiver.waitFor(2);
    const updated = new Webhook(secret).verify(second!.body, second!.headers) as Pushed;
    expect(updated.type).toBe("meeting.attendance.updated");
    expect(updated.data.roster[2]).toMatchObject({ key: "external:bo", status: "left_early" });
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.received).toHaveLength(2);
  });

  it("sends an endpoint only what its filters take", async () => {
    receiver = await startReceiver();
    await register({ url: receiver.url, roomNamePrefix: "/elsewhere" });
    const other = await startReceiver();
    try {
      await register({ url: other.url, roomNamePrefix: "/filtered" });
      await deliverAll(lesson(`filter-${kind}`, 90, "/filtered").events);
      await other.waitFor(1);
      await new Promise((r) => setTimeout(r, 1500));
      expect(receiver.received).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});

describe("endpoints at private addresses", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      config: { outbound: { finalAfterSeconds: 0, retrySchedule: [0], timeoutSeconds: 1, denyPrivateAddresses: true } },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it.each(["http://127.0.0.1:9/x", "http://10.1.2.3/x", "http://[::1]/x", "http://169.254.169.254/latest", "http://localhost/x", "http://[::ffff:192.168.0.1]/"])(
    "refuses %s when MEETMETER_DENY_PRIVATE_ENDPOINTS is on",
    async (url) => {
      const res = await fetch(`${server.url}/api/endpoints`, {
        method: "POST",
        headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
        body: JSON.stringify({ url }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_endpoint", message: expect.stringMatching(/^url: .*private/) });
    },
  );
});
