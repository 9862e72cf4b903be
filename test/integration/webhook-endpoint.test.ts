/** SPEC §2 over real HTTP against a running server, on every store. */
import { request } from "node:http";
import { connect } from "node:net";
import { Readable } from "node:stream";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import { signWherebyPayload } from "../../src/whereby/signature.js";
import { api, deliver, fixtureEvents, joinedEvent, uniqueId } from "../helpers/deliver.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { STORE_KINDS, sqlitePath } from "../helpers/stores.js";
import { statusesOf } from "../reliability/raw-http.js";

const MAX_BODY = 4096;

/** Sends a body as a chunked stream without Content-Length, the way a lying or streaming client would. */
function postChunked(url: string, chunks: Buffer[], headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/webhooks/whereby`, { method: "POST", headers }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // The server may answer and close before the whole body is sent; that is the point.
    req.on("error", (error: NodeJS.ErrnoException) => (error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error)));
    Readable.from(chunks).pipe(req);
  });
}

/**
 * A sender as most HTTP clients are: it writes its whole request, 8 kB at a time, and reads the answer only then.
 * Resolves with the statuses it read and the error its writes met, if any (EPIPE: the server closed under it).
 */
function writeThenRead(url: string, bytes: Buffer, headers: string, chunked: boolean): Promise<string> {
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 8192) {
    const part = bytes.subarray(at, at + 8192);
    parts.push(chunked ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from("\r\n")]) : part);
  }
  if (chunked) parts.push(Buffer.from("0\r\n\r\n"));
  const framing = chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${bytes.length}`;
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port: Number(new URL(url).port) });
    socket.pause();
    const received: Buffer[] = [];
    let failed = "";
    socket.on("error", (error: NodeJS.ErrnoException) => (failed ||= ` ${error.code}`));
    socket.on("close", () => resolve(`${statusesOf(Buffer.concat(received)).join(",") || "no answer"}${failed}`));
    socket.once("connect", async () => {
      socket.write(`POST /webhooks/whereby HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}${framing}\r\n\r\n`);
      for (const part of parts) {
        if (socket.destroyed) break;
        socket.write(part);
        await new Promise((done) => setTimeout(done, 1));
      }
      socket.on("data", (chunk: Buffer) => received.push(chunk));
      socket.resume();
      socket.end();
    });
  });
}

describe.each(STORE_KINDS)("POST /webhooks/whereby on %s", (kind) => {
  let server: TestServer;
  const count = async () => server.testStore.store.countEvents();

  beforeAll(async () => {
    server = await startTestServer({ store: kind, secrets: ["whsec_current", "whsec_previous"], config: { maxBodyBytes: MAX_BODY } });
  });
  afterAll(async () => {
    await server.close();
  });

  it("stores a signed event and answers 200 with its id", async () => {
    const event = joinedEvent();
    const res = await deliver(server.url, event, { secret: "whsec_current" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, id: event.id, duplicate: false });
    const events = await (await api(server.url, server.token)(`/api/events?type=room.client.joined`)).json();
    expect(events.results.some((e: { id: string }) => e.id === event.id)).toBe(true);
  });

  it("accepts every fixture event type and an unknown type", async () => {
    for (const event of Object.values(fixtureEvents())) {
      const res = await deliver(server.url, { ...event, id: uniqueId() }, { secret: "whsec_current" });
      expect(res.status, String(event.type)).toBe(200);
    }
    const unknown = { apiVersion: "1.0", id: uniqueId(), type: "room.future.thing", createdAt: "2026-03-02T09:00:00Z", data: { extra: [1, 2] } };
    const res = await deliver(server.url, unknown, { secret: "whsec_current" });
    expect(res.status).toBe(200);
    expect((await res.json()).duplicate).toBe(false);
  });

  it("accepts a secret being rotated out", async () => {
    const res = await deliver(server.url, joinedEvent(), { secret: "whsec_previous" });
    expect(res.status).toBe(200);
  });

  it("keeps one row for the same event delivered twice", async () => {
    const event = joinedEvent();
    const before = await count();
    const first = await deliver(server.url, event, { secret: "whsec_current" });
    const second = await deliver(server.url, event, { secret: "whsec_current" });
    expect(await first.json()).toEqual({ ok: true, id: event.id, duplicate: false });
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ ok: true, id: event.id, duplicate: true });
    expect(await count()).toBe(before + 1);
  });

  it("stores 200 concurrent deliveries exactly once each", async () => {
    const before = await count();
    const events = Array.from({ length: 200 }, () => joinedEvent());
    const answers = await Promise.all(events.map((e) => deliver(server.url, e, { secret: "whsec_current" })));
    expect(answers.map((a) => a.status)).toEqual(events.map(() => 200));
    const bodies = await Promise.all(answers.map((a) => a.json()));
    expect(bodies.every((b) => b.duplicate === false)).toBe(true);
    expect(await count()).toBe(before + 200);
    const stored = new Set((await server.testStore.store.scanEvents(0, 100_000)).map((e) => e.id));
    for (const event of events) expect(stored.has(event.id)).toBe(true);
  });

  it("keeps the channel of a per-type URL, and refuses a bad channel name", async () => {
    const event = joinedEvent();
    const res = await deliver(server.url, event, { secret: "whsec_current", path: "/webhooks/whereby/joins_1" });
    expect(res.status).toBe(200);
    const rows = await server.testStore.store.scanEvents(0, 100_000);
    expect(rows.find((r) => r.id === event.id)?.channel).toBe("joins_1");
    const bad = await deliver(server.url, joinedEvent(), { secret: "whsec_current", path: "/webhooks/whereby/bad.name" });
    expect(bad.status).toBe(404);
  });

  it("takes a delivery whose URL carries a query, or a percent-encoded channel", async () => {
    const event = joinedEvent();
    const res = await deliver(server.url, event, { secret: "whsec_current", path: "/webhooks/whereby?source=whereby" });
    expect(res.status).toBe(200);
    const encoded = joinedEvent();
    const onChannel = await deliver(server.url, encoded, { secret: "whsec_current", path: "/webhooks/whereby/left%5F2" });
    expect(onChannel.status).toBe(200);
    const rows = await server.testStore.store.scanEvents(0, 100_000);
    expect(rows.find((r) => r.id === event.id)?.channel).toBeNull();
    expect(rows.find((r) => r.id === encoded.id)?.channel).toBe("left_2");
  });

  it("answers 405 with Allow: POST to other methods on a webhook URL, and 404 to other paths, in its own shape", async () => {
    const cases = [
      ["GET", "/webhooks/whereby", 405, "method_not_allowed"],
      ["PUT", "/webhooks/whereby/left", 405, "method_not_allowed"],
      ["DELETE", "/webhooks/whereby", 405, "method_not_allowed"],
      ["POST", "/webhooks/whereby/a/b", 404, "not_found"],
      ["POST", "/webhooks/wherebyx", 404, "not_found"],
    ] as const;
    for (const [method, path, status, error] of cases) {
      const before = await count();
      const body = method === "GET" ? undefined : JSON.stringify(joinedEvent());
      const res = await fetch(`${server.url}${path}`, { method, body });
      expect(res.status, `${method} ${path}`).toBe(status);
      expect((await res.json()).error).toBe(error);
      if (status === 405) expect(res.headers.get("allow")).toBe("POST");
      expect(await count()).toBe(before);
    }
    const head = await fetch(`${server.url}/webhooks/whereby`, { method: "HEAD" });
    expect([head.status, head.headers.get("allow"), await head.text()]).toEqual([405, "POST", ""]);
  });

  it("takes a signed event whatever the Content-Type header holds, even one that does not parse", async () => {
    for (const contentType of ["application/json; charset", "}{", "multipart/form-data"]) {
      const res = await deliver(server.url, joinedEvent(), { secret: "whsec_current", headers: { "content-type": contentType } });
      expect(res.status, contentType).toBe(200);
    }
  });

  const refusals: { name: string; status: number; error: string; send: () => Promise<Response> }[] = [
    {
      name: "body over MAX_BODY_BYTES by Content-Length",
      status: 413,
      error: "payload_too_large",
      send: () => deliver(server.url, joinedEvent({}, { displayName: "x".repeat(MAX_BODY) }), { secret: "whsec_current" }),
    },
    { name: "no signature header", status: 401, error: "missing_signature", send: () => deliver(server.url, joinedEvent(), { secret: "", header: null }) },
    { name: "empty signature header", status: 401, error: "missing_signature", send: () => deliver(server.url, joinedEvent(), { secret: "", header: "" }) },
    {
      name: "t with trailing garbage",
      status: 401,
      error: "malformed_signature",
      send: () => deliver(server.url, joinedEvent(), { secret: "", header: "t=1700000000abc,v1=00" }),
    },
    { name: "no v1", status: 401, error: "malformed_signature", send: () => deliver(server.url, joinedEvent(), { secret: "", header: `t=${Math.floor(Date.now() / 1000)}` }) },
    { name: "wrong secret", status: 401, error: "invalid_signature", send: () => deliver(server.url, joinedEvent(), { secret: "whsec_wrong" }) },
    {
      name: "signature too old",
      status: 401,
      error: "timestamp_out_of_tolerance",
      send: () => deliver(server.url, joinedEvent(), { secret: "whsec_current", timestamp: Math.floor(Date.now() / 1000) - 301 }),
    },
    {
      name: "signature from the future",
      status: 401,
      error: "timestamp_out_of_tolerance",
      send: () => deliver(server.url, joinedEvent(), { secret: "whsec_current", timestamp: Math.floor(Date.now() / 1000) + 301 }),
    },
    { name: "signed body that is not JSON", status: 400, error: "invalid_json", send: () => deliver(server.url, "{not json", { secret: "whsec_current" }) },
    {
      name: "signed body that is not UTF-8",
      status: 400,
      error: "invalid_json",
      send: () => deliver(server.url, Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), { secret: "whsec_current" }),
    },
    { name: "signed JSON array", status: 400, error: "invalid_event", send: () => deliver(server.url, "[1,2]", { secret: "whsec_current" }) },
    {
      name: "signed event without an id",
      status: 400,
      error: "invalid_event",
      send: () => deliver(server.url, { type: "room.client.joined", createdAt: "2026-03-02T09:00:00Z" }, { secret: "whsec_current" }),
    },
    {
      name: "signed event whose id is over 256 characters",
      status: 400,
      error: "invalid_event",
      send: () => deliver(server.url, joinedEvent({ id: "x".repeat(257) }), { secret: "whsec_current" }),
    },
    {
      name: "signed event whose createdAt is not a date",
      status: 400,
      error: "invalid_event",
      send: () => deliver(server.url, joinedEvent({ createdAt: "yesterday-ish" }), { secret: "whsec_current" }),
    },
    ...["5", "2026-02-30T09:00:00Z", "2026-03-02T09:00:00", "Mon, 02 Mar 2026 09:00:00 GMT", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59-23:59"].map((createdAt) => ({
      name: `signed event whose createdAt "${createdAt}" is not an ISO 8601 time with its zone`,
      status: 400,
      error: "invalid_event",
      send: () => deliver(server.url, joinedEvent({ createdAt }), { secret: "whsec_current" }),
    })),
  ];

  it.each(refusals)("answers $status $error for: $name, and stores nothing", async ({ status, error, send }) => {
    const before = await count();
    const res = await send();
    expect(res.status).toBe(status);
    const body = await res.json();
    expect(body.error).toBe(error);
    expect(typeof body.message).toBe("string");
    expect(await count()).toBe(before);
  });

  it("quarantines signed bodies that are not usable events, with their reason", async () => {
    const marker = `not json ${uniqueId()}`;
    expect((await deliver(server.url, marker, { secret: "whsec_current" })).status).toBe(400);
    const page = await (await api(server.url, server.token)("/api/quarantine?limit=500")).json();
    const kept = page.results.find((q: { body: string }) => Buffer.from(q.body, "base64").toString() === marker);
    expect(kept?.reason).toBe("invalid_json");
  });

  it("quarantines an event whose createdAt lies past year 9999 once its offset is applied", async () => {
    const event = joinedEvent({ createdAt: "9999-12-31T23:59:59-23:59" });
    const res = await deliver(server.url, event, { secret: "whsec_current" });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe("invalid_event");
    const page = await (await api(server.url, server.token)("/api/quarantine?limit=500")).json();
    const kept = page.results.find((q: { body: string }) => Buffer.from(q.body, "base64").toString().includes(event.id));
    expect(kept?.reason).toBe("invalid_event");
  });

  it("does not quarantine what is not signed", async () => {
    const marker = `unsigned ${uniqueId()}`;
    expect((await deliver(server.url, marker, { secret: "whsec_wrong" })).status).toBe(401);
    const page = await (await api(server.url, server.token)("/api/quarantine?limit=500")).json();
    expect(page.results.some((q: { body: string }) => Buffer.from(q.body, "base64").toString() === marker)).toBe(false);
  });

  it("answers 413 to a chunked body over the limit without Content-Length, and stores nothing", async () => {
    const before = await count();
    const event = JSON.stringify(joinedEvent({}, { displayName: "y".repeat(MAX_BODY * 4) }));
    const header = signWherebyPayload({ body: event, secret: "whsec_current" });
    const bytes = Buffer.from(event);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 1000) }, (_, i) => bytes.subarray(i * 1000, i * 1000 + 1000));
    const res = await postChunked(server.url, chunks, { "content-type": "application/json", "whereby-signature": header });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error).toBe("payload_too_large");
    expect(await count()).toBe(before);
  });

  it("lets a sender that writes its whole body before reading see the 413, chunked or not (30 tries each)", async () => {
    const before = await count();
    const seen: Record<string, string[]> = { chunked: [], "content-length": [] };
    for (let i = 0; i < 30; i += 1) {
      const event = JSON.stringify(joinedEvent({}, { displayName: "y".repeat(MAX_BODY * [2, 8, 64][i % 3]!) }));
      const headers = `Content-Type: application/json\r\nWhereby-Signature: ${signWherebyPayload({ body: event, secret: "whsec_current" })}\r\n`;
      seen.chunked!.push(await writeThenRead(server.url, Buffer.from(event), headers, true));
      seen["content-length"]!.push(await writeThenRead(server.url, Buffer.from(event), headers, false));
    }
    expect(seen).toEqual({ chunked: Array(30).fill("413"), "content-length": Array(30).fill("413") });
    expect(await count()).toBe(before);
  });

  it("takes a chunked body under the limit", async () => {
    const event = joinedEvent();
    const bytes = Buffer.from(JSON.stringify(event));
    const header = signWherebyPayload({ body: bytes, secret: "whsec_current" });
    const res = await postChunked(server.url, [bytes.subarray(0, 10), bytes.subarray(10)], {
      "content-type": "application/json",
      "whereby-signature": header,
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true, id: event.id, duplicate: false });
  });

  it("verifies a pretty-printed body on its raw bytes, whatever the content type", async () => {
    const event = joinedEvent();
    const res = await deliver(server.url, JSON.stringify(event, null, 2), {
      secret: "whsec_current",
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(200);
  });

  it("reports health with the store kind", async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", store: kind });
  });
});

describe("POST /webhooks/whereby while the service shuts down", () => {
  it("answers a delivery begun before the shutdown, and refuses one begun after it with 503, storing it not", async () => {
    const server = await startTestServer({ store: "sqlite" });
    const request = (event: object) => {
      const body = JSON.stringify(event);
      const header = signWherebyPayload({ body, secret: server.secret });
      const head = `POST /webhooks/whereby HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n` +
        `Whereby-Signature: ${header}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
      return { head, body };
    };
    const before = request(joinedEvent());
    const after = request(joinedEvent());
    const socket = connect(Number(new URL(server.url).port), "127.0.0.1");
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
    const ended = new Promise((done) => socket.on("close", done));
    // The first delivery is under way, half its body sent, when the shutdown begins.
    socket.write(before.head + before.body.slice(0, 20));
    await new Promise((done) => setTimeout(done, 100));
    const closing = server.service.close();
    await new Promise((done) => setTimeout(done, 100));
    // The rest of it, and then a second delivery on the same connection.
    socket.write(before.body.slice(20) + after.head + after.body);
    await ended;
    await closing;

    const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    expect(statuses).toEqual([200, 503]);
    expect(received).toContain('"error":"store_unavailable"');
    const store = await openStore(server.testStore.database);
    try {
      const ids = (await store.scanEvents(0, 100)).map((row) => row.id);
      expect(ids).toEqual([JSON.parse(before.body).id]);
    } finally {
      await store.close();
      await server.testStore.cleanup();
    }
  });
});

describe("a SQLite file that another program holds locked for writing", () => {
  it("answers 503 before Whereby's 5 s timeout, answers other requests meanwhile, and stores what is retried", async () => {
    const server = await startTestServer({ store: "sqlite" });
    const locker = new Database(sqlitePath(server.testStore.database));
    try {
      locker.exec("BEGIN EXCLUSIVE");
      const event = joinedEvent();
      const broken = `{"id": ${JSON.stringify(uniqueId())}`;
      const finished: string[] = [];
      const timed = async (name: string, answer: Promise<Response>) => {
        const res = await answer;
        finished.push(name);
        return { status: res.status, body: await res.json(), at: Date.now() };
      };
      const sent = Date.now();
      const stuck = [
        timed("event", deliver(server.url, event, { secret: server.secret })),
        timed("broken", deliver(server.url, broken, { secret: server.secret })),
      ];
      await new Promise((done) => setTimeout(done, 300));
      const health = await timed("healthz", fetch(`${server.url}/healthz`));
      const [stored, kept] = await Promise.all(stuck);
      // The health check went out while both deliveries waited for the lock.
      expect(health.status).toBe(200);
      expect(finished[0]).toBe("healthz");
      for (const answer of [stored!, kept!]) {
        expect(answer.status).toBe(503);
        expect(answer.body.error).toBe("store_unavailable");
        expect(answer.at - sent).toBeLessThan(5_000);
      }
      locker.exec("COMMIT");
      // Whereby retries: the event is stored once, the broken body quarantined.
      const retried = await deliver(server.url, event, { secret: server.secret });
      expect(retried.status).toBe(200);
      expect((await server.testStore.store.listEvents({}, 500, null)).results.filter((e) => e.id === event.id)).toHaveLength(1);
      expect((await deliver(server.url, broken, { secret: server.secret })).status).toBe(400);
    } finally {
      if (locker.inTransaction) locker.exec("ROLLBACK");
      locker.close();
      await server.close();
    }
  }, 20_000);
});
