/** `meetmeter serve` as its own process: configuration errors, durability across a kill, graceful shutdown. */
import { rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { api, deliver, joinedEvent } from "../helpers/deliver.js";
import { queryPostgres } from "../helpers/postgres.js";
import { runCli } from "../helpers/cli.js";
import { startServerProcess } from "../helpers/server.js";
import { STORE_KINDS, openTestStore, tempDir } from "../helpers/stores.js";

const SECRET = "whsec_process_test";
const TOKEN = "process-test-token-0123456789";

/** The command in a folder of its own, seeing no variable but these (and PATH and HOME). */
async function cli(args: string[], env: Record<string, string> = {}) {
  const cwd = tempDir();
  const onlyEnv = { PATH: process.env.PATH ?? "", HOME: cwd, ...env };
  const result = await runCli(args, { cwd, onlyEnv, timeoutMs: 20_000 });
  rmSync(cwd, { recursive: true, force: true });
  return result;
}

describe("meetmeter serve configuration", () => {
  it("refuses to start without a secret, naming the variable and the demo", async () => {
    const result = await cli(["serve"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("WHEREBY_WEBHOOK_SECRET");
    expect(result.stderr).toContain("npm run demo");
  });

  it.each([
    [["serve", "--port", "eighty"], {}, "--port"],
    [["serve"], { PORT: "99999" }, "PORT"],
    [["serve", "--database", "mysql://x"], {}, "--database"],
    [["serve"], { DATABASE_URL: "nonsense" }, "DATABASE_URL"],
    [["serve"], { MAX_BODY_BYTES: "-5" }, "MAX_BODY_BYTES"],
    [["serve"], { WEBHOOK_TOLERANCE_SECONDS: "1e3" }, "WEBHOOK_TOLERANCE_SECONDS"],
    [["serve", "--no-such-flag"], {}, "--no-such-flag"],
    [["serve"], { LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [["serve", "--database", "postgres://127.0.0.1:5432/test?schema=a;drop"], {}, "--database"],
    [["migrate"], { DATABASE_URL: "postgres://127.0.0.1:5432/test?schema=Upper" }, "DATABASE_URL"],
    [["nosuchcommand"], {}, "nosuchcommand"],
  ] as [string[], Record<string, string>, string][])("exits 2 for %j %j, with one line naming %s", async (args, env, name) => {
    const result = await cli(args, { WHEREBY_WEBHOOK_SECRET: SECRET, ...env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(name);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("exits 1 when its port is taken, rather than staying up without listening", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const data = tempDir();
      const result = await cli(["serve", "--port", String(port)], {
        WHEREBY_WEBHOOK_SECRET: SECRET,
        MEETMETER_API_TOKEN: TOKEN,
        DATABASE_URL: `sqlite:${join(data, "meetmeter.db")}`,
      });
      rmSync(data, { recursive: true, force: true });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain("address already in use");
    } finally {
      taken.close();
    }
  });
});

describe.each(STORE_KINDS)("meetmeter serve process on %s", (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it("warns at start when PostgreSQL's autovacuum is off, and only then", async () => {
    const testStore = await openTestStore(kind);
    await testStore.store.close();
    cleanups.push(() => testStore.cleanup());
    const server = await startServerProcess({ WHEREBY_WEBHOOK_SECRET: SECRET, DATABASE_URL: testStore.databaseUrl, MEETMETER_API_TOKEN: TOKEN });
    server.child.kill("SIGTERM");
    expect((await server.exited).code).toBe(0);
    const [setting] = kind === "postgres" ? await queryPostgres<{ autovacuum: string }>("show autovacuum") : [];
    const warned = server.output().includes("autovacuum is off");
    expect(warned, server.output()).toBe(setting?.autovacuum === "off");
  });

  it("keeps an acknowledged event after SIGKILL and restart, and shuts down cleanly on SIGTERM", async () => {
    const testStore = await openTestStore(kind);
    await testStore.store.close();
    cleanups.push(() => testStore.cleanup());
    const env = { WHEREBY_WEBHOOK_SECRET: SECRET, DATABASE_URL: testStore.databaseUrl, MEETMETER_API_TOKEN: TOKEN };

    const first = await startServerProcess(env);
    const events = Array.from({ length: 20 }, () => joinedEvent());
    const answers = await Promise.all(events.map((e) => deliver(first.url, e, { secret: SECRET })));
    expect(answers.map((a) => a.status)).toEqual(events.map(() => 200));
    first.child.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");

    const second = await startServerProcess(env);
    const answer = await api(second.url, TOKEN)("/api/events?limit=500");
    expect(answer.status, second.output()).toBe(200);
    const listed = await answer.json();
    const ids = new Set(listed.results.map((e: { id: string }) => e.id));
    for (const event of events) expect(ids.has(event.id)).toBe(true);
    expect(listed.results).toHaveLength(20);

    // An open live stream does not hold the shutdown up.
    const stream = await fetch(`${second.url}/api/events/stream`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(stream.status).toBe(200);

    // Deliveries in flight when SIGTERM arrives are answered and committed before the process exits.
    const late = Array.from({ length: 30 }, () => joinedEvent());
    const inFlight = late.map((e) => deliver(second.url, e, { secret: SECRET }).then((r) => r.status, () => 0));
    second.child.kill("SIGTERM");
    const statuses = await Promise.all(inFlight);
    expect((await second.exited).code).toBe(0);

    const third = await startServerProcess(env);
    const after = await (await api(third.url, TOKEN)("/api/events?limit=500")).json();
    const stored = new Set(after.results.map((e: { id: string }) => e.id));
    late.forEach((event, i) => {
      if (statuses[i] === 200) expect(stored.has(event.id)).toBe(true);
    });
    third.child.kill("SIGTERM");
    expect((await third.exited).code).toBe(0);
  });
});
