/**
 * The store goes away: with PostgreSQL unreachable, events are spooled locally, still acknowledged only after a
 * commit, and moved into PostgreSQL in order and without duplicates once it is back. Without a spool, 503.
 */
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseConfig } from "../../src/config.js";
import { createService, type Service } from "../../src/server.js";
import { openStore } from "../../src/store/open-store.js";
import { api, deliver, joinedEvent } from "../helpers/deliver.js";
import { POSTGRES_URL, dropSchema, freshSchemaName, postgresAvailable, postgresDatabase } from "../helpers/postgres.js";
import { testConfig } from "../helpers/server.js";
import { tempDir } from "../helpers/stores.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** PostgreSQL behind a proxy the test can cut: the proxy, and the store in `schema` reached through it. */
async function proxiedPostgres(schema: string): Promise<{ proxy: TcpProxy; database: DatabaseConfig }> {
  const proxy = await startTcpProxy(Number(new URL(POSTGRES_URL).port || 5432));
  const proxied = new URL(POSTGRES_URL);
  proxied.port = String(proxy.port);
  return { proxy, database: postgresDatabase(schema, proxied.toString()) };
}

/** Collects the ids of the events a live stream carries, until `stop`. */
async function watchStream(url: string, token: string) {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/events/stream`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  const seen = new Set<string>();
  const decoder = new TextDecoder();
  let text = "";
  const reading = (async () => {
    const reader = res.body!.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
        const blocks = text.split("\n\n");
        text = blocks.pop() ?? "";
        for (const block of blocks) {
          if (!/^id: \d+$/m.test(block)) continue;
          const data = block.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n");
          seen.add((JSON.parse(data) as { id: string }).id);
        }
      }
    } catch {
      // Stopped.
    }
  })();
  return {
    seen,
    async stop() {
      controller.abort();
      await reading;
    },
  };
}

describe.runIf(postgresAvailable)("PostgreSQL made unreachable and brought back", () => {
  let proxy: TcpProxy;
  let service: Service;
  let url: string;
  /** A second process on the same database, whose PostgreSQL never went away. */
  let other: Service;
  let otherUrl: string;
  const schema = freshSchemaName();
  const secret = "whsec_outage";

  beforeAll(async () => {
    const proxiedStore = await proxiedPostgres(schema);
    proxy = proxiedStore.proxy;
    const config = testConfig({
      secrets: [secret],
      database: proxiedStore.database,
      spoolPath: join(tempDir(), "spool.db"),
    });
    service = await createService(config, { logger: false });
    url = await service.app.listen({ port: 0, host: "127.0.0.1" });
    other = await createService(testConfig({ database: postgresDatabase(schema), apiToken: service.token }), {
      logger: false,
    });
    otherUrl = await other.app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await proxy.restore();
    await other?.close();
    await service.close();
    await proxy.close();
    await dropSchema(schema);
  });

  it("spools every acknowledged event during the outage and drains them into PostgreSQL afterwards", async () => {
    const get = api(url, service.token);
    const before = Array.from({ length: 30 }, () => joinedEvent());
    for (const event of before) expect((await deliver(url, event, { secret })).status).toBe(200);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: "ok", store: "postgres" });

    const watching = await watchStream(otherUrl, service.token);
    await proxy.cut();
    const outageStarted = Date.now();
    const during = Array.from({ length: 120 }, () => joinedEvent());
    // One after another, so that the order they arrive in, which the drain keeps, is the order they were sent in.
    const answers: Response[] = [];
    for (const event of during) answers.push(await deliver(url, event, { secret }));
    expect(answers.map((a) => a.status)).toEqual(during.map(() => 200));
    // A retry of an event already spooled is known as a duplicate.
    const again = await deliver(url, during[0], { secret });
    expect(await again.json()).toMatchObject({ ok: true, duplicate: true });

    const health = await (await fetch(`${url}/healthz`)).json();
    expect(health).toMatchObject({ status: "degraded", store: "postgres", reachable: false, spooled: 120 });
    const metrics = await (await get("/metrics")).text();
    expect(metrics).toContain("meetmeter_spool_depth 120");
    // Reads need the database: they say so instead of failing obscurely.
    const read = await get("/api/sessions");
    expect(read.status).toBe(503);
    expect((await read.json()).error).toBe("store_unavailable");

    await proxy.restore();
    await until("the spool to drain", async () => {
      const body = await (await fetch(`${url}/healthz`)).json();
      return body.status === "ok" ? body : undefined;
    });
    const outageMs = Date.now() - outageStarted;
    // The other process's live stream shows the spooled events once PostgreSQL holds them.
    await until("the other process's live stream to show the spooled events", async () =>
      during.every((e) => watching.seen.has(e.id)) ? true : undefined,
    );
    await watching.stop();

    const direct = await openStore(postgresDatabase(schema));
    try {
      const rows = await direct.scanEvents(0, 10_000);
      const ids = rows.map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual([...before, ...during].map((e) => e.id));
    } finally {
      await direct.close();
    }
    const sessions = await (await get("/api/sessions")).json();
    expect(sessions.results).toHaveLength(1);
    expect(sessions.results[0].peakParticipants).toBeGreaterThan(0);
    console.log(`store outage: ${outageMs} ms end to end, ${during.length} events went through the spool`);
  });
});

describe.runIf(postgresAvailable)("PostgreSQL unreachable with the spool switched off", () => {
  it("answers 503 store_unavailable, acknowledges nothing, and takes events again once it is back", async () => {
    const schema = freshSchemaName();
    const { proxy, database } = await proxiedPostgres(schema);
    const config = testConfig({ database, spoolPath: "off" });
    const service = await createService(config, { logger: false });
    const url = await service.app.listen({ port: 0, host: "127.0.0.1" });
    try {
      await proxy.cut();
      const lost = joinedEvent();
      const res = await deliver(url, lost, { secret: config.secrets[0]! });
      expect(res.status).toBe(503);
      expect((await res.json()).error).toBe("store_unavailable");
      expect((await fetch(`${url}/healthz`)).status).toBe(503);

      await proxy.restore();
      const kept = joinedEvent();
      await until("the store to take events again", async () => {
        const again = await deliver(url, kept, { secret: config.secrets[0]! });
        return again.status === 200 ? again : undefined;
      });
      const direct = await openStore(postgresDatabase(schema));
      try {
        expect((await direct.scanEvents(0, 100)).map((r) => r.id)).toEqual([kept.id]);
      } finally {
        await direct.close();
      }
    } finally {
      await proxy.restore();
      await service.close();
      await proxy.close();
      await dropSchema(schema);
    }
  });
});

describe.runIf(postgresAvailable)("PostgreSQL unreachable when the service starts", () => {
  it("starts on the spool, acknowledges what it spools, and moves it into PostgreSQL once it can be reached", async () => {
    const schema = freshSchemaName();
    const { proxy, database } = await proxiedPostgres(schema);
    await proxy.cut();
    const secret = "whsec_start_outage";
    const config = testConfig({ secrets: [secret], database });
    const service = await createService(config, { logger: false });
    try {
      const url = await service.app.listen({ port: 0, host: "127.0.0.1" });
      const get = api(url, service.token);
      const events = Array.from({ length: 40 }, () => joinedEvent());
      const answers: Response[] = [];
      for (const event of events) answers.push(await deliver(url, event, { secret }));
      expect(answers.map((a) => a.status)).toEqual(events.map(() => 200));
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({
        status: "degraded",
        store: "postgres",
        reachable: false,
        spooled: 40,
      });
      const read = await get("/api/sessions");
      expect(read.status).toBe(503);
      expect((await read.json()).error).toBe("store_unavailable");

      await proxy.restore();
      await until("the store to be reached and the spool to drain", async () => {
        const body = await (await fetch(`${url}/healthz`)).json();
        return body.status === "ok" ? body : undefined;
      });
      const direct = await openStore(postgresDatabase(schema));
      try {
        expect((await direct.scanEvents(0, 1000)).map((r) => r.id)).toEqual(events.map((e) => e.id));
      } finally {
        await direct.close();
      }
      const sessions = await get("/api/sessions");
      expect(sessions.status).toBe(200);
      expect((await sessions.json()).results).toHaveLength(1);
    } finally {
      await proxy.restore();
      await service.close();
      await proxy.close();
      await dropSchema(schema);
    }
  });

  it("drains nothing into a store it cannot migrate, and says why", async () => {
    const schema = freshSchemaName();
    // A schema a newer version migrated: this one refuses to run against it.
    const newer = await openStore(postgresDatabase(schema));
    await newer.migrate();
    await newer.close();
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`insert into ${schema}.kysely_migration (name, timestamp) values ('9999_newer', '2026-01-01')`);
    await admin.end();
    const { proxy, database } = await proxiedPostgres(schema);
    await proxy.cut();
    const secret = "whsec_newer_schema";
    const config = testConfig({ secrets: [secret], database });
    const service = await createService(config, { logger: false });
    try {
      const url = await service.app.listen({ port: 0, host: "127.0.0.1" });
      const events = Array.from({ length: 5 }, () => joinedEvent());
      for (const event of events) expect((await deliver(url, event, { secret })).status).toBe(200);
      await proxy.restore();
      // Two attempts to migrate, and the spool's own retries, go by.
      await new Promise((r) => setTimeout(r, 5_000));
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({
        status: "degraded",
        store: "postgres",
        reachable: true,
        spooled: 5,
      });
      const direct = await openStore(postgresDatabase(schema));
      try {
        expect(await direct.countEvents()).toBe(0);
      } finally {
        await direct.close();
      }
    } finally {
      await proxy.restore();
      await service.close();
      await proxy.close();
      await dropSchema(schema);
    }
  });

  it("does not wait for a database that is not there: a wrong name stops the start", async () => {
    const wrong = new URL(POSTGRES_URL);
    wrong.pathname = "/no_such_database_here";
    const config = testConfig({ database: postgresDatabase(freshSchemaName(), wrong.toString()) });
    await expect(createService(config, { logger: false })).rejects.toThrow(/does not exist/);
  });

  it("does not start without a spool: nothing could keep the events", async () => {
    const { proxy, database } = await proxiedPostgres(freshSchemaName());
    await proxy.cut();
    const config = testConfig({ database, spoolPath: "off" });
    try {
      await expect(createService(config, { logger: false })).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await proxy.close();
    }
  });
});
