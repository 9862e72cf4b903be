/**
 * Crash safety: `meetmeter serve` is killed with SIGKILL again and again in the middle of a burst of signed
 * deliveries and restarted on the same store. Whatever was answered 200 must be in the store exactly once, and the
 * store must open cleanly afterwards, on SQLite and on PostgreSQL.
 */
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { Random } from "../../src/simulate/random.js";
import { openStore } from "../../src/store/open-store.js";
import { joinedEvent } from "../helpers/deliver.js";
import { startServerProcess, type ServerProcess } from "../helpers/server.js";
import { STORE_KINDS, openTestStore, sqlitePath } from "../helpers/stores.js";
import { deliverAll, type Delivered } from "./burst.js";

const SECRET = "whsec_crash_test";
const TOKEN = "crash-test-token-0123456789";
const KILLS = 5;
const BURST = 160;
const CONCURRENCY = 16;
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 2 ** 31);

type Event = ReturnType<typeof joinedEvent>;

/** Everything the test knows about one event id: what it sent and what it was told. */
interface Ledger {
  events: Map<string, Event>;
  acknowledged: Set<string>;
  /** Acknowledged ids that a later delivery called new: the store had lost them. */
  forgotten: string[];
}

function record(ledger: Ledger, outcomes: Delivered[]): void {
  for (const outcome of outcomes) {
    if (outcome.status !== 200) continue;
    if (ledger.acknowledged.has(outcome.id) && outcome.duplicate === false) ledger.forgotten.push(outcome.id);
    ledger.acknowledged.add(outcome.id);
  }
}

/** What Whereby would send next: retries of those never answered 200, a few already acknowledged, and new events. */
function nextDeliveries(ledger: Ledger, random: Random): Event[] {
  const retries = [...ledger.events.values()].filter((e) => !ledger.acknowledged.has(e.id));
  const acknowledged = [...ledger.acknowledged];
  const repeats = Array.from({ length: Math.min(10, acknowledged.length) }, () => ledger.events.get(random.pick(acknowledged))!);
  const fresh = Array.from({ length: BURST }, () => joinedEvent({}, { roomName: `/crash-${random.int(1, 8)}` }));
  for (const event of fresh) ledger.events.set(event.id, event);
  return [...retries, ...repeats, ...fresh];
}

describe.each(STORE_KINDS)("crash safety on %s", (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it(
    `keeps every acknowledged event exactly once across ${KILLS} SIGKILLs mid-burst`,
    async () => {
      const random = new Random(SEED);
      const testStore = await openTestStore(kind);
      await testStore.store.close();
      cleanups.push(() => testStore.cleanup());
      const env = { WHEREBY_WEBHOOK_SECRET: SECRET, DATABASE_URL: testStore.databaseUrl, MEETMETER_API_TOKEN: TOKEN };
      const ledger: Ledger = { events: new Map(), acknowledged: new Set(), forgotten: [] };
      let server: ServerProcess | null = null;
      cleanups.push(async () => {
        if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
      });

      let killedMidFlight = 0;
      for (let round = 0; round < KILLS; round++) {
        const running: ServerProcess = await startServerProcess(env);
        server = running;
        const batch = nextDeliveries(ledger, random);
        // Killed after a random number of answers, so that requests are always in flight at that moment.
        const killAfter = random.int(10, Math.floor(batch.length * 0.8));
        const outcomes = await deliverAll(running.url, batch, SECRET, CONCURRENCY, (answered) => {
          if (answered === killAfter) running.child.kill("SIGKILL");
        });
        // Should every answer come first, the kill still happens; the in-flight check below then fails.
        running.child.kill("SIGKILL");
        expect((await running.exited).signal).toBe("SIGKILL");
        record(ledger, outcomes);
        if (outcomes.some((o) => o.status === 0)) killedMidFlight += 1;
      }

      // Opened as the next start would open it: the migration must find nothing to repair.
      let stored = 0;
      const store = await openStore(testStore.database);
      try {
        await store.migrate();
        await store.ping();
        const rows = await store.scanEvents(0, 1_000_000);
        const counts = new Map<string, number>();
        for (const row of rows) counts.set(row.id, (counts.get(row.id) ?? 0) + 1);
        const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
        const missing = [...ledger.acknowledged].filter((id) => !counts.has(id));
        const unknown = [...counts.keys()].filter((id) => !ledger.events.has(id));
        expect({ missing, twice, unknown, forgotten: ledger.forgotten }).toEqual({ missing: [], twice: [], unknown: [], forgotten: [] });
        expect(await store.countEvents()).toBe(rows.length);
        stored = rows.length;
      } finally {
        await store.close();
      }
      if (kind === "sqlite") {
        const file = new Database(sqlitePath(testStore.database), { readonly: true });
        try {
          expect(file.pragma("integrity_check", { simple: true })).toBe("ok");
        } finally {
          file.close();
        }
      }

      expect(killedMidFlight).toBe(KILLS);
      console.log(
        `crash safety on ${kind} (seed ${SEED}): survived ${KILLS} SIGKILLs with requests in flight; ` +
          `checked ${ledger.acknowledged.size} acknowledged events, all there once (${stored} stored of ${ledger.events.size} sent)`,
      );
    },
    150_000,
  );
});
