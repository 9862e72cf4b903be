/**
 * The simulator's traffic, sent signed to a running meetmeter server, must yield derived figures equal to the
 * simulator's own ground truth: for every scenario, seeded, and on every store for the chaos run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTraffic, sendEvents, type Scenario, type SessionTruth, type Traffic } from "../../src/simulate/index.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { STORE_KINDS, type StoreKind } from "../helpers/stores.js";

const METADATA_SECRET = "simulate-truth-metadata-secret";
// Yesterday, so that signed metadata links are fresh (verified) and every session is over by now.
const START = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000);

const RUNS: Array<{ scenario: Scenario; sessions: number; seed: number; store: StoreKind }> = [
  { scenario: "classroom", sessions: 4, seed: 101, store: "sqlite" },
  { scenario: "telehealth", sessions: 8, seed: 13, store: "sqlite" },
  { scenario: "webinar", sessions: 2, seed: 2, store: "sqlite" },
  ...STORE_KINDS.map((store) => ({ scenario: "chaos" as const, sessions: 8, seed: 404, store })),
];

interface ApiConnection {
  participantId: string;
  joinedAt: string;
  leftAt: string | null;
  leftInferred: boolean;
}

interface ApiPerson {
  key: string;
  connectedSeconds: number;
  waitedSeconds: number | null;
  connections: ApiConnection[];
}

type ApiSession = Record<string, unknown> & { participants?: ApiPerson[]; bots?: ApiPerson[] };

const SECONDS_FIELDS = ["durationSeconds", "participantSeconds"] as const;
const EXACT_FIELDS = [
  "roomName",
  "startedAt",
  "endedAt",
  "reportedEndedAt",
  "ongoing",
  "peakParticipants",
  "uniqueParticipants",
  "billableParticipantMinutes",
  "knocks",
  "knocksCancelled",
] as const;

/** Durations are seconds with up to three decimals. */
function sameSeconds(expected: number | null, actual: unknown): boolean {
  if (expected === null || actual === null) return expected === actual;
  return typeof actual === "number" && Math.abs(actual - expected) < 0.0005;
}

/** Every difference between the truth of a session and what the API says, one line each. */
function differences(truth: SessionTruth, got: ApiSession): string[] {
  const out: string[] = [];
  const expected: Record<string, unknown> = { ...truth, ongoing: false };
  const say = (field: string, want: unknown, have: unknown) =>
    out.push(`${truth.scenario} ${truth.id} ${field}: expected ${JSON.stringify(want)}, got ${JSON.stringify(have)}`);
  for (const field of EXACT_FIELDS) if (got[field] !== expected[field]) say(field, expected[field], got[field]);
  for (const field of SECONDS_FIELDS) if (!sameSeconds(truth[field], got[field])) say(field, truth[field], got[field]);

  for (const group of ["participants", "bots"] as const) {
    const people = new Map((got[group] ?? []).map((p) => [p.key, p]));
    const wantKeys = truth[group].map((p) => p.key).sort();
    const haveKeys = [...people.keys()].sort();
    if (JSON.stringify(wantKeys) !== JSON.stringify(haveKeys)) say(`${group} keys`, wantKeys, haveKeys);
    for (const person of truth[group]) {
      const have = people.get(person.key);
      if (!have) continue;
      if (!sameSeconds(person.connectedSeconds, have.connectedSeconds)) {
        say(`${person.key} connectedSeconds`, person.connectedSeconds, have.connectedSeconds);
      }
      if (!sameSeconds(person.waitedSeconds, have.waitedSeconds)) {
        say(`${person.key} waitedSeconds`, person.waitedSeconds, have.waitedSeconds);
      }
      const connections = (list: ReadonlyArray<Omit<ApiConnection, "leftAt"> & { leftAt: string | null }>) =>
        list.map((c) => `${c.participantId} ${c.joinedAt}–${c.leftAt}${c.leftInferred ? " inferred" : ""}`).sort();
      const wantConnections = connections(person.connections);
      const haveConnections = connections(have.connections ?? []);
      if (JSON.stringify(wantConnections) !== JSON.stringify(haveConnections)) {
        say(`${person.key} connections`, wantConnections, haveConnections);
      }
    }
  }
  return out;
}

describe.each(RUNS)("$scenario traffic (seed $seed) on $store", ({ scenario, sessions, seed, store }) => {
  let server: TestServer;
  let traffic: Traffic;

  beforeAll(async () => {
    server = await startTestServer({ store, metadataSecrets: [METADATA_SECRET] });
    traffic = generateTraffic({ scenario, sessions, seed, start: START, metadataSecret: METADATA_SECRET });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("is acknowledged in full, duplicates as duplicates", async () => {
    const result = await sendEvents(traffic.events, {
      url: `${server.url}/webhooks/whereby`,
      secret: server.secret,
      concurrency: 32,
      retryDelaysMs: [50, 100],
    });
    expect(result).toMatchObject({ sent: traffic.truth.deliveries, acknowledged: traffic.truth.deliveries, rejected: {}, failed: 0 });
    expect(result.duplicates).toBe(traffic.truth.deliveries - traffic.truth.events);
  });

  it("derives every session's figures and every person's time as they really were", async () => {
    const read = async (id: string): Promise<ApiSession> => {
      const response = await fetch(`${server.url}/api/sessions/${encodeURIComponent(id)}`, {
        headers: { authorization: `Bearer ${server.token}` },
      });
      return response.status === 200 ? ((await response.json()) as ApiSession) : { status: response.status };
    };
    // The figures are materialised after the events are committed: give the projection a moment to catch up.
    let found: string[] = [];
    for (let tries = 0; tries < 50; tries++) {
      found = [];
      for (const truth of traffic.truth.sessions) found.push(...differences(truth, await read(truth.id)));
      if (found.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(found).toEqual([]);
  });
});
