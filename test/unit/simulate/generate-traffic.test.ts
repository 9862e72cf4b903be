/** The traffic model's invariants: what Whereby guarantees about its events must hold for every scenario and seed. */
import { describe, expect, it } from "vitest";
import { generateTraffic, type Scenario, type Traffic } from "../../../src/simulate/index.js";
import { END_AFTER_MS } from "../../../src/simulate/play-session.js";
import { parseEvent, type KnownEvent, type WherebyEvent } from "../../../src/whereby/events.js";
import { verifyMetadata } from "../../../src/whereby/metadata.js";

const START = "2026-03-02T08:00:00.000Z";
const SEEDS = [1, 2, 3, 17, 4242];
const METADATA_SECRET = "model-test-metadata-secret";
const SESSIONS: Record<Scenario, number> = { classroom: 8, telehealth: 10, webinar: 2, chaos: 10 };

function traffic(scenario: Scenario, seed: number): Traffic {
  return generateTraffic({ scenario, sessions: SESSIONS[scenario], seed, start: START, metadataSecret: METADATA_SECRET });
}

type ClientData = {
  participantId: string;
  roleName: string;
  numClients: number;
  numClientsByRoleName: Record<string, number>;
  externalId: string | null;
  metadata: string | null;
  roomSessionId: string;
};

const ms = (event: WherebyEvent): number => Date.parse(event.createdAt);
const client = (event: WherebyEvent): ClientData => event.data as ClientData;
const isPresence = (event: WherebyEvent): boolean => event.type === "room.client.joined" || event.type === "room.client.left";

/** Distinct events grouped by roomSessionId, each group in simulated order. */
function bySession(events: readonly WherebyEvent[]): Map<string, WherebyEvent[]> {
  const sessions = new Map<string, WherebyEvent[]>();
  for (const event of new Set(events)) {
    const id = (event.data as { roomSessionId: string }).roomSessionId;
    sessions.set(id, [...(sessions.get(id) ?? []), event]);
  }
  for (const list of sessions.values()) list.sort((a, b) => ms(a) - ms(b) || sameInstant(a, b));
  return sessions;
}

/**
 * Two events of one millisecond (a second tab closed with the first) in the order they happened, which a chaos run's
 * reordering hides: a count rises one join at a time and falls one leave at a time.
 */
function sameInstant(a: WherebyEvent, b: WherebyEvent): number {
  if (a.type !== b.type || !isPresence(a)) return 0;
  const [n, m] = [client(a).numClients, client(b).numClients];
  return a.type === "room.client.joined" ? n - m : m - n;
}

/** SPEC §3's person key, computed from what an event says. */
function keyOf(data: ClientData): string {
  if (data.externalId) return `external:${data.externalId}`;
  if (data.metadata) return `metadata:${verifyMetadata(data.metadata, { secrets: [], now: 0 }).subject}`;
  return `participant:${data.participantId}`;
}

/** Checks one session's events as Whereby would send them and returns what the truth must agree with. */
function checkSession(id: string, events: WherebyEvent[]) {
  const started = events.filter((e) => e.type === "room.session.started");
  const ended = events.filter((e) => e.type === "room.session.ended");
  expect(started, id).toHaveLength(1);
  expect(ended, id).toHaveLength(1);
  const startedAt = ms(started[0]!);
  const endedAt = ms(ended[0]!);

  let count = 0;
  let missingLeaves = 0;
  let reachedTwoAt: number | null = null;
  let peak = 0;
  const falls: number[] = [];
  const rises: number[] = [];
  const joined = new Map<string, WherebyEvent>();
  const left = new Map<string, WherebyEvent>();
  for (const event of events.filter(isPresence)) {
    const data = client(event);
    const roles = Object.values(data.numClientsByRoleName).reduce((sum, n) => sum + n, 0);
    expect(roles, `${id} numClientsByRoleName adds up to numClients`).toBe(data.numClients);
    peak = Math.max(peak, data.numClients);
    if (event.type === "room.client.joined") {
      expect(joined.has(data.participantId), `${id} one join per participantId`).toBe(false);
      joined.set(data.participantId, event);
      // A crashed tab leaves without a word, so the count may be lower than the events alone say, never higher.
      expect(data.numClients).toBeLessThanOrEqual(count + 1);
      missingLeaves += count + 1 - data.numClients;
      if (data.numClients >= 2 && reachedTwoAt === null) reachedTwoAt = ms(event);
      if (data.numClients === 2) rises.push(ms(event));
      expect(ms(event), `${id} nobody joins after the reported end`).toBeLessThan(endedAt);
    } else {
      expect(joined.has(data.participantId), `${id} a leave follows its join`).toBe(true);
      expect(left.has(data.participantId), `${id} one leave per participantId`).toBe(false);
      left.set(data.participantId, event);
      expect(data.numClients).toBeLessThanOrEqual(count - 1);
      missingLeaves += count - 1 - data.numClients;
      if (data.numClients === 1) falls.push(ms(event));
    }
    count = data.numClients;
  }
  expect(missingLeaves, `${id} every count drop without a leave is a crashed tab`).toBe(joined.size - left.size);

  expect(reachedTwoAt, `${id} the count reaches two`).not.toBeNull();
  expect(startedAt - reachedTwoAt!, `${id} started when the count reached two`).toBeGreaterThanOrEqual(0);
  expect(startedAt - reachedTwoAt!).toBeLessThan(1000);
  const lastFall = Math.max(...falls.filter((at) => at < endedAt));
  expect(endedAt - lastFall, `${id} ended about a minute after the last fall below two`).toBeGreaterThanOrEqual(END_AFTER_MS);
  expect(endedAt - lastFall).toBeLessThanOrEqual(END_AFTER_MS + 2000);
  for (const fall of falls.filter((at) => at < lastFall)) {
    const rise = rises.find((at) => at > fall);
    expect(rise, `${id} an earlier fall below two is undone within the minute`).toBeDefined();
    expect(rise! - fall).toBeLessThan(END_AFTER_MS);
  }
  return { startedAt, endedAt, lastFall, peak, joined, left };
}

function checkEnvelopes(events: readonly WherebyEvent[]): void {
  for (const event of events) {
    const parsed = parseEvent(JSON.parse(JSON.stringify(event)));
    expect(parsed.ok && !("unrecognised" in parsed.event), `${event.type} parses as a known event`).toBe(true);
    expect(event.apiVersion).toBe("1.0");
    expect(event.id).toMatch(/^[0-9a-f]{64}$/);
    expect(new Date(event.createdAt).toISOString()).toBe(event.createdAt);
    expect(ms(event)).toBeGreaterThanOrEqual(Date.parse(START));
    const data = event.data as Record<string, unknown>;
    expect(data.roomSessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(data.roomName).toMatch(/^\/[a-z0-9-]+-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    if (event.type.startsWith("room.") || event.type === "assistant.requested") {
      expect(data.meetingId).toMatch(/^\d{8}$/);
      expect(data.subdomain).toEqual(expect.any(String));
    }
    const bytes = Buffer.byteLength(JSON.stringify(event));
    expect(bytes).toBeLessThanOrEqual(900);
    if (isPresence(event)) expect(bytes).toBeGreaterThanOrEqual(450);
  }
}

function checkTruth(run: Traffic): void {
  const sessions = bySession(run.events);
  expect([...sessions.keys()].sort()).toEqual(run.truth.sessions.map((s) => s.id).sort());
  expect(new Set(run.events).size).toBe(run.truth.events);
  expect(run.events.length).toBe(run.truth.deliveries);
  for (const truth of run.truth.sessions) {
    const seen = checkSession(truth.id, sessions.get(truth.id)!);
    expect(truth.startedAt).toBe(new Date(seen.startedAt).toISOString());
    expect(truth.reportedEndedAt).toBe(new Date(seen.endedAt).toISOString());
    expect(truth.endedAt).toBe(new Date(seen.lastFall).toISOString());
    expect(truth.durationSeconds).toBe((seen.lastFall - seen.startedAt) / 1000);
    expect(truth.peakParticipants).toBe(seen.peak);
    expect(truth.uniqueParticipants).toBe(truth.participants.length);
    const connections = [...truth.participants, ...truth.bots].flatMap((p) => p.connections.map((c) => ({ ...c, key: p.key })));
    expect(connections.map((c) => c.participantId).sort()).toEqual([...seen.joined.keys()].sort());
    for (const connection of connections) {
      const join = seen.joined.get(connection.participantId)!;
      const leave = seen.left.get(connection.participantId);
      expect(connection.key).toBe(keyOf(client(join)));
      expect(connection.joinedAt).toBe(join.createdAt);
      expect(connection.leftInferred).toBe(leave === undefined);
      expect(connection.leftAt).toBe(leave ? leave.createdAt : truth.endedAt);
    }
    const lengths = truth.participants.flatMap((p) => p.connections).map((c) => Date.parse(c.leftAt) - Date.parse(c.joinedAt));
    expect(truth.participantSeconds).toBeCloseTo(lengths.reduce((a, b) => a + b, 0) / 1000, 6);
    expect(truth.billableParticipantMinutes).toBe(lengths.reduce((sum, l) => sum + Math.ceil(l / 60_000), 0));
  }
}

describe.each(["classroom", "telehealth", "webinar", "chaos"] as const)("%s traffic", (scenario) => {
  it.each(SEEDS)("is what Whereby would send, and its truth agrees with it (seed %i)", (seed) => {
    const run = traffic(scenario, seed);
    expect(run.truth.sessions).toHaveLength(SESSIONS[scenario]);
    checkEnvelopes(run.events);
    checkTruth(run);
    if (scenario !== "chaos") {
      expect(new Set(run.events.map((e) => e.id)).size, "every event has its own id").toBe(run.events.length);
      const times = run.events.map(ms);
      expect(times, "delivered in simulated order").toEqual([...times].sort((a, b) => a - b));
      for (const session of run.truth.sessions) expect(session.scenario).toBe(scenario);
    }
  });

  it("reproduces the same bytes from the same seed, and other bytes from another", () => {
    const once = traffic(scenario, 7);
    expect(JSON.stringify(traffic(scenario, 7))).toBe(JSON.stringify(once));
    expect(JSON.stringify(traffic(scenario, 8).events)).not.toBe(JSON.stringify(once.events));
  });
});

describe("what each scenario contains", () => {
  const runs = (scenario: Scenario) => SEEDS.map((seed) => traffic(scenario, seed));
  const all = <T>(scenario: Scenario, pick: (run: Traffic) => T[]): T[] => runs(scenario).flatMap(pick);
  const people = (scenario: Scenario) => all(scenario, (run) => run.truth.sessions.flatMap((s) => s.participants));

  it("classroom: a teacher and 10 to 25 students, late joiners, rejoins, two tabs, crashed tabs, recordings", () => {
    const sessions = all("classroom", (run) => run.truth.sessions);
    for (const session of sessions) {
      const students = session.participants.filter((p) => p.roleName === "visitor" && !p.displayName.endsWith("(guest)"));
      expect(session.participants.filter((p) => p.roleName === "host")).toHaveLength(1);
      expect(students.length).toBeGreaterThanOrEqual(10);
      expect(students.length).toBeLessThanOrEqual(25);
      expect(session.durationSeconds).toBeGreaterThan(29 * 60);
      expect(session.durationSeconds).toBeLessThan(65 * 60);
    }
    const everyone = people("classroom");
    const intervals = (p: (typeof everyone)[number]) => p.connections.map((c) => [Date.parse(c.joinedAt), Date.parse(c.leftAt)]);
    const overlapping = everyone.filter((p) => intervals(p).some(([a, b], i) => intervals(p).some(([c, d], j) => i !== j && a! < d! && c! < b!)));
    const rejoined = everyone.filter((p) => p.connections.length > 1 && !overlapping.includes(p));
    expect(overlapping.length, "two tabs at once").toBeGreaterThan(0);
    expect(rejoined.length, "rejoins under a new participantId").toBeGreaterThan(0);
    expect(everyone.some((p) => p.connections.some((c) => c.leftInferred)), "crashed tabs").toBe(true);
    expect(everyone.some((p) => p.key.startsWith("metadata:")) && everyone.some((p) => p.key.startsWith("external:"))).toBe(true);
    const late = sessions.some((s) => s.participants.some((p) => Date.parse(p.connections[0]!.joinedAt) > Date.parse(s.startedAt) + 5 * 60_000));
    expect(late, "late joiners").toBe(true);
    const types = all("classroom", (run) => run.events.map((e) => e.type));
    for (const type of ["recording.finished", "transcription.started", "transcription.finished"]) expect(types).toContain(type);
    expect(all("classroom", (run) => run.truth.sessions.flatMap((s) => s.bots.map((b) => b.roleName)))).toContain("recorder");
    for (const run of runs("classroom")) {
      for (const [, events] of bySession(run.events)) {
        const endedAt = ms(events.find((e) => e.type === "room.session.ended")!);
        for (const e of events.filter((e) => e.type === "recording.finished")) expect(ms(e)).toBeGreaterThan(endedAt);
      }
    }
  });

  it("telehealth: patients with signed metadata knock, wait and are let in; some withdraw and knock again", () => {
    const sessions = all("telehealth", (run) => run.truth.sessions);
    for (const session of sessions) {
      const patient = session.participants.find((p) => p.key.startsWith("metadata:patient-"))!;
      expect(patient.waitedSeconds).toBeGreaterThanOrEqual(60);
      expect(session.durationSeconds).toBeGreaterThanOrEqual(9 * 60);
      expect(session.durationSeconds).toBeLessThanOrEqual(38 * 60);
      expect(session.knocks).toBeGreaterThanOrEqual(1);
    }
    expect(sessions.some((s) => s.knocksCancelled > 0 && s.knocks > s.knocksCancelled)).toBe(true);
    for (const run of runs("telehealth")) {
      const events = run.events as KnownEvent[];
      for (const event of events.filter((e) => e.type === "room.client.joined" && e.data.roleName === "visitor")) {
        const metadata = client(event).metadata;
        if (metadata) expect(verifyMetadata(metadata, { secrets: [METADATA_SECRET], now: ms(event) / 1000 }).status).toBe("verified");
      }
      // Each admitted knock is answered by a join of the same participantId.
      const joinedIds = new Set(events.filter((e) => e.type === "room.client.joined").map((e) => client(e).participantId));
      const cancelledIds = new Set(events.filter((e) => e.type === "room.client.knockCancelled").map((e) => client(e).participantId));
      for (const knock of events.filter((e) => e.type === "room.client.knocked")) {
        const id = client(knock).participantId;
        expect(joinedIds.has(id) !== cancelledIds.has(id)).toBe(true);
      }
    }
  });

  it("webinar: 100 to 300 viewers, dial-ins, and the assistant joining after it is asked for", () => {
    for (const run of runs("webinar")) {
      for (const session of run.truth.sessions) {
        const viewers = session.participants.filter((p) => p.roleName === "viewer").length;
        expect(viewers).toBeGreaterThanOrEqual(100);
        expect(viewers).toBeLessThanOrEqual(310);
      }
      const events = run.events as KnownEvent[];
      for (const asked of events.filter((e) => e.type === "assistant.requested")) {
        const assistant = events.find((e) => e.type === "room.client.joined" && e.data.roleName === "assistant" && ms(e) > ms(asked));
        expect(assistant && ms(assistant) - ms(asked)).toBeLessThanOrEqual(10_000);
      }
    }
    const events = all("webinar", (run) => run.events as KnownEvent[]);
    expect(events.some((e) => e.type === "assistant.requested")).toBe(true);
    expect(events.some((e) => e.type === "room.client.joined" && e.data.isDialIn === true)).toBe(true);
  });

  it("chaos: duplicates with identical bodies, reordering, and deliveries after the session ended", () => {
    for (const run of runs("chaos")) {
      const bodies = new Map<string, string>();
      let duplicates = 0;
      for (const event of run.events) {
        const body = JSON.stringify(event);
        if (bodies.has(event.id)) {
          duplicates += 1;
          expect(body).toBe(bodies.get(event.id));
        }
        bodies.set(event.id, body);
      }
      expect(duplicates).toBeGreaterThan(0);
      expect(duplicates).toBe(run.truth.deliveries - run.truth.events);
      expect(run.events.some((e, i) => i > 0 && ms(e) < ms(run.events[i - 1]!)), "reordered").toBe(true);
      const endedAt = new Map<string, number>();
      let late = 0;
      run.events.forEach((event, i) => {
        const session = (event.data as { roomSessionId: string }).roomSessionId;
        if (event.type === "room.session.ended") endedAt.set(session, i);
        else if (endedAt.has(session) && isPresence(event)) late += 1;
      });
      expect(late, "joins and leaves delivered after their session's end").toBeGreaterThan(0);
    }
    const kinds = new Set(all("chaos", (run) => run.truth.sessions.map((s) => s.scenario)));
    expect([...kinds].sort()).toEqual(["classroom", "telehealth", "webinar"]);
  });
});

describe("generateTraffic options", () => {
  it.each([
    [{ scenario: "meeting" as Scenario }, /scenario/],
    [{ sessions: -1 }, /sessions/],
    [{ sessions: 1.5 }, /sessions/],
    [{ seed: -3 }, /seed/],
    [{ seed: 2 ** 32 }, /seed/],
    [{ start: "not a date" }, /start/],
  ])("refuses %o", (override, message) => {
    expect(() => generateTraffic({ scenario: "classroom", sessions: 1, seed: 1, start: START, ...override })).toThrow(message);
  });

  it("leaves metadata unsigned without a metadata secret", () => {
    const { events } = generateTraffic({ scenario: "telehealth", sessions: 2, seed: 1, start: START });
    const metadata = events.map((e) => (e.data as { metadata?: string | null }).metadata).filter((m) => m);
    expect(metadata.length).toBeGreaterThan(0);
    for (const value of metadata) expect(value).toMatch(/^patient-\d+$/);
  });
});
