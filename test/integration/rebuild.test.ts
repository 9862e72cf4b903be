/**
 * `meetmeter rebuild` recomputes every session from the event log, and what it computes is exactly what the running
 * service had derived live from the same events, delivered shuffled and duplicated.
 */
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import type { SessionDetail } from "../../src/attendance/types.js";
import { generateTraffic, sendEvents } from "../../src/simulate/index.js";
import type { EventStore } from "../../src/store/event-store.js";
import { openStore } from "../../src/store/open-store.js";
import { CLI, REPO_ROOT, startTestServer } from "../helpers/server.js";
import { STORE_KINDS, type TestStore } from "../helpers/stores.js";

const METADATA_SECRET = "rebuild-metadata-secret";
// Yesterday: every session is over, so no figure moves with the clock between the live derivation and the rebuild.
const START = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000);

async function allSessions(store: EventStore): Promise<Map<string, SessionDetail>> {
  const details = new Map<string, SessionDetail>();
  let cursor: string | null = null;
  do {
    const page = await store.listSessions({}, 100, cursor);
    for (const summary of page.results) {
      const found = await store.getSession(summary.id);
      if (found) details.set(summary.id, found.detail);
    }
    cursor = page.cursor;
  } while (cursor);
  return details;
}

describe.each(STORE_KINDS)("meetmeter rebuild on %s", (kind) => {
  let leftover: TestStore | null = null;
  afterEach(async () => {
    await leftover?.cleanup();
    leftover = null;
  });

  it("gives the sessions the service derived live, field for field", async () => {
    const server = await startTestServer({ store: kind, metadataSecrets: [METADATA_SECRET] });
    leftover = server.testStore;
    const traffic = generateTraffic({ scenario: "chaos", sessions: 6, seed: 77, start: START, metadataSecret: METADATA_SECRET });
    const sent = await sendEvents(traffic.events, { url: `${server.url}/webhooks/whereby`, secret: server.secret, concurrency: 8 });
    expect(sent.failed).toBe(0);
    await server.service.readModel.current();
    const live = await allSessions(server.testStore.store);
    expect(live.size).toBe(traffic.truth.sessions.length);
    await server.service.close();

    const result = spawnSync(process.execPath, [...CLI, "rebuild", "--database", server.testStore.databaseUrl], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, MEETMETER_METADATA_SECRET: METADATA_SECRET },
    });
    expect(result.status, result.stderr).toBe(0);
    const stored = new Set(traffic.events.map((e) => e.id)).size;
    expect(result.stdout).toContain(`Rebuilt ${live.size} sessions from ${stored} events`);

    const store = await openStore(server.testStore.databaseUrl);
    try {
      const rebuilt = await allSessions(store);
      expect([...rebuilt.keys()].sort()).toEqual([...live.keys()].sort());
      for (const [id, detail] of live) expect(rebuilt.get(id), id).toEqual(detail);
    } finally {
      await store.close();
    }
  });
});
