/**
 * Outbound deliveries across `meetmeter serve` processes (SPEC §10): a process killed with SIGKILL while deliveries
 * are due loses none, and once restarted sends each until it is acknowledged, never again after; two processes on one
 * PostgreSQL deliver each exactly once; `meetmeter deliveries retry --since` sends failed ones again.
 */
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { deliver } from "../helpers/deliver.js";
import { clientData, wherebyEvent } from "../helpers/events.js";
import { postgresAvailable } from "../helpers/postgres.js";
import { startReceiver } from "../helpers/receiver.js";
import { startServerProcess, type ServerProcess } from "../helpers/server.js";
import { openTestStore, STORE_KINDS } from "../helpers/stores.js";

const SECRET = "whsec_outbound_processes";
const TOKEN = "outbound-processes-token-0123";

/** A short call that ended a few minutes ago, in a room of its own: what makes one `session.ended`. */
function call(name: string): object[] {
  const start = Date.now() - 10 * 60_000;
  const room = { roomName: `/call-${name}`, meetingId: `m-${name}`, roomSessionId: `rs-${name}` };
  let n = 0;
  const ev = (type: string, second: number, data: Record<string, unknown> = {}) =>
    wherebyEvent(`${name}-${(n += 1)}`, type, start + second * 1000, { ...room, ...data });
  return [
    ev("room.client.joined", 0, clientData(`${name}-a`, "Ada", "host", 1)),
    ev("room.client.joined", 5, clientData(`${name}-b`, "Bo", "visitor", 2)),
    ev("room.session.started", 5),
    ev("room.client.left", 120, clientData(`${name}-b`, "Bo", "visitor", 1)),
    ev("room.client.left", 125, clientData(`${name}-a`, "Ada", "host", 0)),
    ev("room.session.ended", 185),
  ];
}

async function deliverCalls(url: string, names: string[]): Promise<void> {
  for (const name of names) {
    for (const event of call(name)) expect((await deliver(url, event, { secret: SECRET })).status).toBe(200);
  }
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function registerEndpoint(serverUrl: string, url: string): Promise<void> {
  const res = await fetch(`${serverUrl}/api/endpoints`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ url, types: ["session.ended"] }),
  });
  expect(res.status).toBe(201);
}

async function deliveryStatuses(serverUrl: string): Promise<string[]> {
  const res = await fetch(`${serverUrl}/api/deliveries?limit=500`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return ((await res.json()) as { results: Array<{ status: string }> }).results.map((d) => d.status);
}

describe.each(STORE_KINDS)("outbound deliveries across processes on %s", (kind) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const serve = async (env: Record<string, string>) => {
    const server = await startServerProcess(env);
    cleanups.push(async () => {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
      await server.exited;
    });
    return server;
  };

  it("loses no delivery to a SIGKILL, and after a restart sends each until it is acknowledged, once", { timeout: 120_000 }, async () => {
    const testStore = await openTestStore(kind);
    await testStore.store.close();
    cleanups.push(() => testStore.cleanup());
    const answered = new Map<string, number>();
    let accepting = false;
    const receiver = await startReceiver((request) => {
      if (!accepting) return 503;
      const id = request.headers["webhook-id"]!;
      answered.set(id, (answered.get(id) ?? 0) + 1);
      return 200;
    });
    cleanups.push(() => receiver.close());
    const env = {
      WHEREBY_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: testStore.databaseUrl,
      MEETMETER_API_TOKEN: TOKEN,
      MEETMETER_FINAL_AFTER_SECONDS: "0",
      MEETMETER_RETRY_SCHEDULE: "0,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3",
      MEETMETER_DELIVERY_TIMEOUT_SECONDS: "1",
    };
    const names = Array.from({ length: 30 }, (_, i) => `kill-${kind}-${i}`);
    const first: ServerProcess = await serve(env);
    await registerEndpoint(first.url, receiver.url);
    await deliverCalls(first.url, names);
    // Every delivery has been tried and refused at least once: all are due again when the process dies.
    await until(() => new Set(receiver.received.map((r) => r.headers["webhook-id"])).size === names.length);
    first.child.kill("SIGKILL");
    await first.exited;

    accepting = true;
    const second = await serve(env);
    await until(async () => {
      const statuses = await deliveryStatuses(second.url);
      return statuses.length === names.length && statuses.every((s) => s === "delivered");
    });
    // By webhook-id, how many requests were answered 2xx: each exactly once.
    expect(answered.size).toBe(names.length);
    expect([...answered.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    // Nothing more comes once each is acknowledged.
    const seen = receiver.received.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.received).toHaveLength(seen);
  });

  it("sends failed deliveries again with meetmeter deliveries retry --since", { timeout: 60_000 }, async () => {
    const testStore = await openTestStore(kind);
    await testStore.store.close();
    cleanups.push(() => testStore.cleanup());
    let status = 500;
    const receiver = await startReceiver(() => status);
    cleanups.push(() => receiver.close());
    const env = {
      WHEREBY_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: testStore.databaseUrl,
      MEETMETER_API_TOKEN: TOKEN,
      MEETMETER_FINAL_AFTER_SECONDS: "0",
      MEETMETER_RETRY_SCHEDULE: "0",
    };
    const server = await serve(env);
    const before = new Date(Date.now() - 1000).toISOString();
    await registerEndpoint(server.url, receiver.url);
    await deliverCalls(server.url, [`cli-${kind}-1`, `cli-${kind}-2`]);
    await until(async () => (await deliveryStatuses(server.url)).filter((s) => s === "failed").length === 2);
    status = 200;
    const later = await runCli(["deliveries", "retry", "--since", new Date(Date.now() + 60_000).toISOString()], { env });
    expect(later.stdout).toBe("0 failed deliveries are due again; a running meetmeter serve sends them.\n");
    const retried = await runCli(["deliveries", "retry", "--since", before], { env });
    expect(retried.code).toBe(0);
    expect(retried.stdout).toBe("2 failed deliveries are due again; a running meetmeter serve sends them.\n");
    await until(async () => (await deliveryStatuses(server.url)).filter((s) => s === "delivered").length === 2);
    const bad = await runCli(["deliveries", "retry", "--since", "yesterday"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since must be an ISO 8601 time/);
  });
});

describe.runIf(postgresAvailable)("two serve processes on one PostgreSQL", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("deliver each delivery exactly once to a counting receiver", { timeout: 120_000 }, async () => {
    const testStore = await openTestStore("postgres");
    await testStore.store.close();
    cleanups.push(() => testStore.cleanup());
    const answered = new Map<string, number>();
    const receiver = await startReceiver((request) => {
      const id = request.headers["webhook-id"]!;
      answered.set(id, (answered.get(id) ?? 0) + 1);
      return 200;
    });
    cleanups.push(() => receiver.close());
    const env = { WHEREBY_WEBHOOK_SECRET: SECRET, DATABASE_URL: testStore.databaseUrl, MEETMETER_API_TOKEN: TOKEN, MEETMETER_FINAL_AFTER_SECONDS: "0" };
    const servers = [await startServerProcess(env), await startServerProcess(env)];
    for (const server of servers) {
      cleanups.push(async () => {
        if (server.child.exitCode === null) server.child.kill("SIGKILL");
        await server.exited;
      });
    }
    await registerEndpoint(servers[0]!.url, receiver.url);
    const names = Array.from({ length: 60 }, (_, i) => `pair-${i}`);
    // Each call's events split between the two processes, as a load balancer would.
    await Promise.all(
      servers.map(async (server, s) => {
        for (const name of names) {
          const events = call(name).filter((_, i) => i % 2 === s);
          for (const event of events) expect((await deliver(server.url, event, { secret: SECRET })).status).toBe(200);
        }
      }),
    );
    await until(async () => {
      const statuses = await deliveryStatuses(servers[1]!.url);
      return statuses.length === names.length && statuses.every((s) => s === "delivered");
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(answered.size).toBe(names.length);
    expect([...answered.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(receiver.received).toHaveLength(names.length);
  });
});
