/**
 * `meetmeter rebuild` recomputes every session from the event log, and what it computes is exactly what the running
 * service had derived live from the same events, delivered shuffled and duplicated. A restarted service derives what
 * the last one committed but had no time to derive.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { SessionDetail } from "../../src/attendance/types.js";
import { lineToEvent } from "../../src/cli/import-export.js";
import { DeriveThread } from "../../src/writer/derive-thread.js";
import { rebuildAll } from "../../src/projection/rebuild.js";
import { createService } from "../../src/server.js";
import { generateTraffic, sendEvents } from "../../src/simulate/index.js";
import type { EventStore, IncomingEvent } from "../../src/store/event-store.js";
import { openStore } from "../../src/store/open-store.js";
import { api } from "../helpers/deliver.js";
import { runCli } from "../helpers/cli.js";
import { startTestServer, testConfig } from "../helpers/server.js";
import { openTestStore, STORE_KINDS, type TestStore } from "../helpers/stores.js";
import { MeetingLog } from "../unit/attendance/meeting-log.js";

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
      if (found) details.set(summary.id, JSON.parse(found.detailJson) as SessionDetail);
    }
    cursor = page.cursor;
  } while (cursor);
  return details;
}

describe.each(STORE_KINDS)("derived sessions on %s", (kind) => {
  let leftover: TestStore | null = null;
  afterEach(async () => {
    await leftover?.cleanup();
    leftover = null;
  });

  it("meetmeter rebuild gives the sessions the service derived live, field for field", async () => {
    const server = await startTestServer({ store: kind, metadataSecrets: [METADATA_SECRET] });
    leftover = server.testStore;
    const traffic = generateTraffic({ scenario: "chaos", sessions: 6, seed: 77, start: START, metadataSecret: METADATA_SECRET });
    const sent = await sendEvents(traffic.events, { url: `${server.url}/webhooks/whereby`, secret: server.secret, concurrency: 8 });
    expect(sent.failed).toBe(0);
    await server.service.readModel.current();
    const live = await allSessions(server.testStore.store);
    expect(live.size).toBe(traffic.truth.sessions.length);
    await server.service.close();

    const result = await runCli(["rebuild", "--database", server.testStore.databaseUrl], { env: { MEETMETER_METADATA_SECRET: METADATA_SECRET } });
    expect(result.code, result.stderr).toBe(0);
    const stored = new Set(traffic.events.map((e) => e.id)).size;
    expect(result.stdout).toContain(`Rebuilt ${live.size} sessions from ${stored} events`);

    const store = await openStore(server.testStore.database);
    const metadata = { metadataSecrets: [METADATA_SECRET] };
    const deriver = await DeriveThread.start({ database: server.testStore.database, metadata, keepStates: false });
    try {
      const rebuilt = await allSessions(store);
      expect([...rebuilt.keys()].sort()).toEqual([...live.keys()].sort());
      for (const [id, detail] of live) expect(rebuilt.get(id), id).toEqual(detail);

      // Again in rounds of two partitions, each derived on the thread while the one before it is saved.
      const rounds: number[] = [];
      const again = await rebuildAll(store, {
        ...metadata,
        partitionsPerRound: 2,
        derive: (keys, now) => deriver.derive(keys, now),
        onProgress: (done) => rounds.push(done),
      });
      expect(rounds.length).toBeGreaterThan(2);
      expect(again.sessions).toBe(live.size);
      const rebuiltAgain = await allSessions(store);
      expect([...rebuiltAgain.keys()].sort()).toEqual([...live.keys()].sort());
      for (const [id, detail] of live) expect(rebuiltAgain.get(id), id).toEqual(detail);
    } finally {
      await deriver.close();
      await store.close();
    }
  });

  it("a restart derives the sessions of events the last process committed but never derived", async () => {
    const testStore = await openTestStore(kind);
    leftover = testStore;
    const log = new MeetingLog({ roomName: "/restart-1", roomSessionId: "s-restart", day: "2026-03-02" })
      .join("09:00:00", "p-teacher", { roleName: "host", externalId: "teacher-1" })
      .join("09:01:00", "p-ana", { externalId: "student-1" })
      .started("09:01:00")
      .leave("09:31:00", "p-ana")
      .leave("09:41:00", "p-teacher")
      .ended("09:42:00");
    // What a process killed right after its commits leaves behind: the events in the log, and no session yet.
    const receivedAt = new Date().toISOString();
    await testStore.store.append(log.raw().map((body) => lineToEvent(JSON.stringify(body), receivedAt) as IncomingEvent));
    expect(await testStore.store.getSession("s-restart")).toBeNull();

    const service = await createService(testConfig({ database: testStore.database }), { store: testStore.store, logger: false });
    try {
      const url = await service.app.listen({ port: 0, host: "127.0.0.1" });
      const res = await api(url, service.token)("/api/sessions/s-restart");
      expect(res.status).toBe(200);
      const detail = (await res.json()) as SessionDetail;
      // 09:01 → 09:31, when Ana's leave left fewer than two; Ana 30 min, the teacher 41 min.
      expect(detail.durationSeconds).toBe(1800);
      expect(detail.participants.map((p) => [p.key, p.connectedSeconds]).sort()).toEqual([
        ["external:student-1", 1800],
        ["external:teacher-1", 2460],
      ]);
    } finally {
      await service.close();
    }
  });
});
