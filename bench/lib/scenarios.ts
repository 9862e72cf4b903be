/**
 * The traffic shapes the ingest benchmark plays, each an endless run of event bodies in delivery order:
 *   sequential      20-person sessions one after another, each over before the next begins (one or two open at once)
 *   school-morning  500 classes of 30 opening within two minutes, their joins interleaved, some leaving and
 *                   rejoining in a second tab, all ending about 45 minutes later; then the next morning
 *   webinar         one session at a time, 5,000 attendees joining in bursts of 500, some leaving and coming back,
 *                   then all leaving; then the next webinar
 * Bodies are about 800 bytes, as Whereby's are with an externalId and signed metadata.
 */
import { signMetadata } from "../../src/whereby/metadata.js";

export const SCENARIOS = ["sequential", "school-morning", "webinar"] as const;
export type Scenario = (typeof SCENARIOS)[number];

const PEOPLE_PER_SESSION = 20;

/** When the sequential scenario's sessions happen: the first one's start, then a session and a step apart. */
export interface Timing {
  startMs: number;
  sessionMs: number;
  stepMs: number;
}

/** A year of sessions an hour apart, each event a minute after the one before, from 2 March 2026. */
const HISTORIC: Timing = { startMs: Date.UTC(2026, 2, 2, 8), sessionMs: 3_600_000, stepMs: 60_000 };

/**
 * The same sessions within the past week, a minute apart and 40 seconds long: each over before the next begins, and
 * recent enough for the outbox to announce (announcer.ts leaves older ones as history).
 */
export function recentTiming(now = Date.now()): Timing {
  return { startMs: now - 6 * 86_400_000, sessionMs: 60_000, stepMs: 1000 };
}

/** The sequential scenario's n-th event. */
function sequentialEvent(n: number, runTag: string, timing: Timing): string {
  const session = Math.floor(n / (PEOPLE_PER_SESSION * 2));
  const step = n % (PEOPLE_PER_SESSION * 2);
  const person = step % PEOPLE_PER_SESSION;
  const joined = step < PEOPLE_PER_SESSION;
  const numClients = joined ? person + 1 : PEOPLE_PER_SESSION - person - 1;
  const at = new Date(timing.startMs + session * timing.sessionMs + step * timing.stepMs).toISOString();
  const subject = `student-${session}-${person}`;
  return JSON.stringify({
    apiVersion: "1.0",
    id: `${runTag}-${n.toString(16).padStart(12, "0")}`.padEnd(64, "0"),
    createdAt: at,
    type: joined ? "room.client.joined" : "room.client.left",
    data: {
      meetingId: String(87385993 + session),
      roomName: `/bench-room-${session % 50}-87e0497f-40e0-47f1-9a27-fb72fdbc1fda`,
      roomSessionId: `${runTag}-session-${session}-4d1e-9d6a-2f3b5c7e9a10`,
      subdomain: "example-school",
      participantId: `${runTag}-p-${session}-${person}-4e3a-9c5f-1a2b3c4d5e6f`,
      displayName: `Student number ${person} of class ${session} (Mathematics, year 9)`,
      roleName: person === 0 ? "host" : "visitor",
      numClients,
      numClientsByRoleName: { host: person === 0 && !joined ? 0 : 1, visitor: Math.max(0, numClients - 1) },
      metadata: signMetadata({ subject, secret: "bench-metadata-secret", issuedAt: 1772442000 }),
      externalId: `lms-user-${session}-${person}-0f9a6c1e2b7d`,
      isDialIn: false,
    },
  });
}

/** A small seeded generator (mulberry32), so a scenario is the same traffic on every target. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Planned {
  at: number;
  type: "room.client.joined" | "room.client.left" | "room.session.started" | "room.session.ended";
  session: number;
  person: number;
  tab: number;
}

/** One session's people as they would come and go; the counts are worked out once the session's events are in order. */
interface SessionPlan {
  roomSessionId: string;
  roomName: string;
  meetingId: string;
  hostRole: string;
  guestRole: string;
  events: Planned[];
}

function bodiesOf(plans: SessionPlan[], runTag: string, prefix: string): string[] {
  const all = plans.flatMap((plan, s) => plan.events.map((e) => ({ ...e, session: s })));
  all.sort((a, b) => a.at - b.at || a.session - b.session);
  const inRoom = plans.map(() => new Map<string, number>());
  const bodies: string[] = [];
  for (const [n, e] of all.entries()) {
    const plan = plans[e.session]!;
    const id = `${runTag}-${prefix}-${n.toString(16).padStart(10, "0")}`.padEnd(64, "0");
    const base = { meetingId: plan.meetingId, roomName: plan.roomName, roomSessionId: plan.roomSessionId, subdomain: "example-school" };
    if (e.type === "room.session.started" || e.type === "room.session.ended") {
      bodies.push(JSON.stringify({ apiVersion: "1.0", id, createdAt: new Date(e.at).toISOString(), type: e.type, data: base }));
      continue;
    }
    const role = e.person === 0 ? plan.hostRole : plan.guestRole;
    const room = inRoom[e.session]!;
    const participantId = `${plan.roomSessionId.slice(0, 20)}-p${e.person}-t${e.tab}-9c5f-1a2b3c4d5e6f`;
    if (e.type === "room.client.joined") room.set(participantId, e.person);
    else room.delete(participantId);
    let hosts = 0;
    for (const person of room.values()) if (person === 0) hosts += 1;
    bodies.push(
      JSON.stringify({
        apiVersion: "1.0",
        id,
        createdAt: new Date(e.at).toISOString(),
        type: e.type,
        data: {
          ...base,
          participantId,
          displayName: e.person === 0 ? "Ms Teacher (host)" : `Attendee number ${e.person} of ${plan.roomName.slice(1, 24)}`,
          roleName: role,
          numClients: room.size,
          numClientsByRoleName: { [plan.hostRole]: hosts, [plan.guestRole]: room.size - hosts },
          metadata: signMetadata({ subject: `person-${e.person}`, secret: "bench-metadata-secret", issuedAt: 1772442000 }),
          externalId: `lms-user-${e.session}-${e.person}-0f9a6c1e2b7d`,
          isDialIn: false,
        },
      }),
    );
  }
  return bodies;
}

/** Someone who joins at `joinAt`, leaves at `leaveAt`, and with `churn` leaves once in between and comes back in a new tab. */
function stay(plan: SessionPlan, person: number, joinAt: number, leaveAt: number, churn: { out: number; back: number } | null) {
  const add = (at: number, type: Planned["type"], tab: number) => plan.events.push({ at, type, session: 0, person, tab });
  add(joinAt, "room.client.joined", 0);
  if (churn) {
    add(churn.out, "room.client.left", 0);
    add(churn.back, "room.client.joined", 1);
    add(leaveAt, "room.client.left", 1);
  } else add(leaveAt, "room.client.left", 0);
}

function withStartAndEnd(plan: SessionPlan): SessionPlan {
  const joins = plan.events.filter((e) => e.type === "room.client.joined").map((e) => e.at).sort((a, b) => a - b);
  const leaves = plan.events.filter((e) => e.type === "room.client.left").map((e) => e.at);
  plan.events.push({ at: joins[1]! + 1, type: "room.session.started", session: 0, person: -1, tab: 0 });
  plan.events.push({ at: Math.max(...leaves) + 60_000, type: "room.session.ended", session: 0, person: -1, tab: 0 });
  return plan;
}

function schoolMorning(day: number, runTag: string): string[] {
  const next = random(1000 + day);
  const nine = Date.UTC(2026, 2, 2, 9) + day * 86_400_000;
  const plans: SessionPlan[] = [];
  for (let c = 0; c < 500; c += 1) {
    const plan: SessionPlan = {
      roomSessionId: `${runTag}-m${day}-class-${c}-4d1e-9d6a-2f3b5c7e9a10`,
      roomName: `/class-${c}-87e0497f-40e0-47f1-9a27-fb72fdbc1fda`,
      meetingId: String(90_000_000 + day * 1000 + c),
      hostRole: "host",
      guestRole: "visitor",
      events: [],
    };
    for (let p = 0; p < 30; p += 1) {
      const joinAt = nine + Math.floor(next() * 120_000);
      const leaveAt = nine + 45 * 60_000 + Math.floor(next() * 60_000);
      const out = nine + 10 * 60_000 + Math.floor(next() * 20 * 60_000);
      stay(plan, p, joinAt, leaveAt, p > 0 && next() < 0.1 ? { out, back: out + 30_000 + Math.floor(next() * 120_000) } : null);
    }
    plans.push(withStartAndEnd(plan));
  }
  return bodiesOf(plans, runTag, `m${day}`);
}

function webinar(w: number, runTag: string): string[] {
  const next = random(2000 + w);
  const start = Date.UTC(2026, 2, 2, 15) + w * 86_400_000;
  const plan: SessionPlan = {
    roomSessionId: `${runTag}-w${w}-webinar-4d1e-9d6a-2f3b5c7e9a10`,
    roomName: `/webinar-${w}-87e0497f-40e0-47f1-9a27-fb72fdbc1fda`,
    meetingId: String(80_000_000 + w),
    hostRole: "host",
    guestRole: "viewer",
    events: [],
  };
  stay(plan, 0, start - 300_000, start + 65 * 60_000, null);
  for (let p = 1; p <= 5_000; p += 1) {
    // Ten bursts of 500 joins, each within 20 seconds, a minute apart.
    const joinAt = start + Math.floor((p - 1) / 500) * 60_000 + Math.floor(next() * 20_000);
    const leaveAt = start + 60 * 60_000 + Math.floor(next() * 240_000);
    const out = start + 15 * 60_000 + Math.floor(next() * 30 * 60_000);
    stay(plan, p, joinAt, leaveAt, next() < 0.05 ? { out, back: out + 20_000 + Math.floor(next() * 60_000) } : null);
  }
  return bodiesOf([withStartAndEnd(plan)], runTag, `w${w}`);
}

/** The scenario's bodies in delivery order, as many as asked for. */
export function* scenarioBodies(scenario: Scenario, runTag: string, timing: Timing = HISTORIC): Generator<string> {
  if (scenario === "sequential") {
    for (let n = 0; ; n += 1) yield sequentialEvent(n, runTag, timing);
  }
  const part = scenario === "school-morning" ? schoolMorning : webinar;
  for (let k = 0; ; k += 1) yield* part(k, runTag);
}
