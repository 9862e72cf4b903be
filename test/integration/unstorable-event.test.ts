/**
 * An event a store can never keep as it is (PostgreSQL: a room name too long for its index) fails alone: its batch
 * neighbours are stored, it is answered 400 and kept in the quarantine; and one that reached the spool while
 * PostgreSQL was away is quarantined when the spool drains, rather than blocking every later event for ever.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createService, type Service } from "../../src/server.js";
import { openStore } from "../../src/store/open-store.js";
import { api, deliver, joinedEvent } from "../helpers/deliver.js";
import { POSTGRES_URL, dropSchema, freshSchemaName, postgresAvailable, postgresDatabase } from "../helpers/postgres.js";
import { startTestServer, testConfig, type TestServer } from "../helpers/server.js";
import { STORE_KINDS, tempDir } from "../helpers/stores.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";
import { runCli } from "../helpers/cli.js";

/** A room name of 12,000 characters that do not compress: more than a PostgreSQL index row holds. */
function hugeRoomName(): string {
  return `/${randomBytes(6000).toString("hex")}`;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Quarantined {
  reason: string;
  message: string;
  body: string;
}

describe.each(STORE_KINDS)("an event the %s store cannot keep, in a batch with others", (kind) => {
  let server: TestServer;
  afterEach(async () => {
    await server.close();
  });

  it.each(["off", "on"])("fails alone, with the spool %s", async (spool) => {
    server = await startTestServer({ store: kind, config: spool === "off" ? { spoolPath: "off" } : {} });
    const { url, secret, token } = server;
    const get = api(url, token);
    const unkeepable = joinedEvent({}, { roomName: hugeRoomName() });
    const neighbours = Array.from({ length: 6 }, () => joinedEvent());
    // Delivered at once, so that group commit puts them in one batch.
    const answers = await Promise.all([...neighbours, unkeepable].map((event) => deliver(url, event, { secret })));
    const keeps = kind === "sqlite";
    expect(answers.map((a) => a.status)).toEqual([...neighbours.map(() => 200), keeps ? 200 : 400]);
    const events = (await (await get("/api/events?limit=500")).json()) as { results: { id: string }[] };
    expect(events.results.map((e) => e.id).sort()).toEqual([...neighbours, ...(keeps ? [unkeepable] : [])].map((e) => e.id).sort());
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: "ok", store: kind });
    if (keeps) return;
    expect(await answers.at(-1)!.json()).toMatchObject({ error: "invalid_event", message: expect.stringMatching(/^The store cannot keep this event: /) });
    const quarantine = (await (await get("/api/quarantine")).json()) as { results: Quarantined[] };
    expect(quarantine.results).toHaveLength(1);
    expect(Buffer.from(quarantine.results[0]!.body, "base64").toString()).toBe(JSON.stringify(unkeepable));
  });
});

describe.each(STORE_KINDS)("a session the %s store cannot keep, derived with others", (kind) => {
  let server: TestServer;
  afterEach(async () => {
    await server.close();
  });

  it("does not keep the others from being saved", async () => {
    server = await startTestServer({ store: kind });
    const { url, secret, token } = server;
    const get = api(url, token);
    // A person's key of 12,000 characters that do not compress: more than PostgreSQL's index of people holds.
    const unkeepable = joinedEvent({}, { roomSessionId: "session-unkeepable", externalId: randomBytes(6000).toString("hex") });
    const others = Array.from({ length: 5 }, (_, i) => joinedEvent({}, { roomSessionId: `session-${i}` }));
    const answers = await Promise.all([unkeepable, ...others].map((event) => deliver(url, event, { secret })));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const sessions = (await (await get("/api/sessions")).json()) as { results: { id: string }[] };
    const expected = [...others.map((_, i) => `session-${i}`), ...(kind === "sqlite" ? ["session-unkeepable"] : [])];
    expect(sessions.results.map((s) => s.id).sort()).toEqual(expected.sort());

    // meetmeter rebuild, too, saves every other session, and says which it could not.
    await server.service.close();
    const rebuilt = await runCli(["rebuild", "--database", server.testStore.databaseUrl]);
    expect(rebuilt.stdout).toContain(`Rebuilt ${expected.length} sessions from 6 events`);
    if (kind === "sqlite") expect(rebuilt.code, rebuilt.stderr).toBe(0);
    else {
      expect(rebuilt.stderr).toMatch(/^meetmeter: the store cannot keep the sessions of session:session-unkeepable \(index row/);
      expect(rebuilt.code).toBe(1);
    }
    const store = await openStore(server.testStore.database);
    try {
      const again = await store.listSessions({}, 50, null);
      expect(again.results.map((s) => s.id).sort()).toEqual(expected.sort());
    } finally {
      await store.close();
    }
  });
});

describe.runIf(postgresAvailable)("an event the spool cannot drain into PostgreSQL", () => {
  let service: Service | null = null;
  let proxy: TcpProxy | null = null;
  const schema = freshSchemaName();
  afterEach(async () => {
    await proxy?.restore();
    await service?.close();
    await proxy?.close();
    await dropSchema(schema);
  });

  it("is quarantined and counted, and what was spooled behind it, NUL and all, reaches PostgreSQL", async () => {
    proxy = await startTcpProxy(Number(new URL(POSTGRES_URL).port || 5432));
    const proxied = new URL(POSTGRES_URL);
    proxied.port = String(proxy.port);
    const config = testConfig({ database: postgresDatabase(schema, proxied.toString()), spoolPath: join(tempDir(), "spool.db") });
    const secret = config.secrets[0]!;
    service = await createService(config, { logger: false });
    const url = await service.app.listen({ port: 0, host: "127.0.0.1" });
    const get = api(url, service.token);

    await proxy.cut();
    const unkeepable = joinedEvent({}, { roomName: hugeRoomName() });
    const withNul = joinedEvent({ id: `spooled\u0000${randomBytes(4).toString("hex")}` }, { roomName: "/r\u0000", displayName: "A\u0000" });
    const behind = [withNul, ...Array.from({ length: 4 }, () => joinedEvent())];
    for (const event of [joinedEvent(), unkeepable, ...behind]) expect((await deliver(url, event, { secret })).status).toBe(200);
    expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ status: "degraded", spooled: 7 });

    await proxy.restore();
    await until("the spool to drain", async () => {
      const health = (await (await fetch(`${url}/healthz`)).json()) as { status: string };
      return health.status === "ok" ? health : undefined;
    });
    const events = (await (await get("/api/events?limit=500")).json()) as { results: { id: string }[] };
    expect(events.results).toHaveLength(6);
    expect(events.results.map((e) => e.id)).not.toContain(unkeepable.id);
    expect(events.results.map((e) => e.id)).toContain(withNul.id);
    expect(await (await deliver(url, withNul, { secret })).json()).toMatchObject({ duplicate: true });
    const quarantine = (await (await get("/api/quarantine")).json()) as { results: Quarantined[] };
    expect(quarantine.results.map((q) => [q.reason, Buffer.from(q.body, "base64").toString()])).toEqual([
      ["invalid_event", JSON.stringify(unkeepable)],
    ]);
    expect(quarantine.results[0]!.message).toMatch(/^Acknowledged and spooled, but the store cannot keep this event: /);
    expect(await (await get("/metrics")).text()).toContain('meetmeter_quarantined_total{reason="invalid_event"} 1');
  });
});
