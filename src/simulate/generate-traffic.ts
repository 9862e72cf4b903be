/**
 * A run of simulated Whereby traffic: sessions one after another (often overlapping, in rooms used again and again),
 * their events in the order Whereby would deliver them, and the ground truth of what happened.
 */
import type { KnownEvent, WherebyEvent } from "../whereby/events.js";
import { disorder, type OrderedEvent } from "./chaos.js";
import type { ModelContext } from "./identities.js";
import type { ModelledScenario, Room, SessionPlan } from "./plan.js";
import { playSession } from "./play-session.js";
import { MINUTE } from "./presence.js";
import { Random } from "./random.js";
import type { ScenarioModel } from "./scenario-model.js";
import { isScenario, type Scenario } from "./scenarios.js";
import { classroom } from "./scenarios/classroom.js";
import { missedAppointment, telehealth, type ClinicRoom } from "./scenarios/telehealth.js";
import { meetingTruth, type MeetingTruth, type PlannedMeeting } from "./schedule.js";
import { webinar } from "./scenarios/webinar.js";
import type { SessionTruth, Truth } from "./truth.js";

/** What to simulate. */
export interface TrafficOptions {
  scenario: Scenario;
  /** How many sessions to simulate. */
  sessions: number;
  /** Any whole number from 0 to 2^32 − 1; the same seed gives the same traffic, byte for byte. */
  seed: number;
  /** Simulated time at which the run begins: every `createdAt` is at or after it. */
  start: Date | string;
  /** Signs participants' metadata as SPEC §5 does; without it, links carry plain subjects. */
  metadataSecret?: string;
}

/** A simulated run: what Whereby would deliver, and what really happened. */
export interface Traffic {
  /** In delivery order; in a chaos run some appear twice (the same object: same id, same body). */
  events: WherebyEvent[];
  truth: Truth;
  /** The timetable behind the traffic: its lessons and appointments, a missed one among them. */
  schedule: PlannedMeeting[];
}

/** A chaos run mixes the kinds of meeting; webinars are rarer, and each of them is large. */
const CHAOS_MIX: readonly ModelledScenario[] = ["classroom", "classroom", "telehealth", "telehealth", "webinar"];

/** A room is used again only when its last session's people have been gone for a while. */
const ROOM_REST_MS = 5 * MINUTE;

interface SessionSource {
  plan(startAt: number): { plan: SessionPlan; vacate(at: number): void };
}

function sessionsIn<R extends Room>(model: ScenarioModel<R>, context: ModelContext): SessionSource {
  const rooms: Array<{ room: R; vacatedAt: number }> = [];
  return {
    plan(startAt) {
      const free = rooms.filter((r) => r.vacatedAt + ROOM_REST_MS <= startAt);
      let entry = free.length > 0 && context.random.chance(0.75) ? context.random.pick(free) : undefined;
      if (!entry) {
        entry = { room: model.openRoom(context, startAt), vacatedAt: 0 };
        rooms.push(entry);
      }
      const used = entry;
      return { plan: model.planSession(used.room, startAt, context), vacate: (at) => (used.vacatedAt = at) };
    },
  };
}

function checkOptions(options: TrafficOptions): number {
  if (!isScenario(options.scenario)) throw new RangeError(`Unknown scenario "${String(options.scenario)}".`);
  if (!Number.isSafeInteger(options.sessions) || options.sessions < 0) {
    throw new RangeError(`sessions must be a whole number of 0 or more, got ${options.sessions}.`);
  }
  if (!Number.isSafeInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    throw new RangeError(`seed must be a whole number from 0 to ${0xffffffff}, got ${options.seed}.`);
  }
  const start = new Date(options.start).getTime();
  if (Number.isNaN(start)) throw new RangeError(`start must be a date, got ${String(options.start)}.`);
  return start;
}

/**
 * Simulates Whereby traffic.
 * @throws {RangeError} for an unknown scenario, a bad number of sessions or seed, or a start that is not a date
 *
 * @example
 * const { events, truth } = generateTraffic({ scenario: "classroom", sessions: 5, seed: 1, start: "2026-03-02T08:00:00Z" });
 */
export function generateTraffic(options: TrafficOptions): Traffic {
  const start = checkOptions(options);
  const random = new Random(options.seed);
  let serial = 0;
  const context: ModelContext = { random, metadataSecret: options.metadataSecret, serial: () => ++serial };
  const sources: Record<ModelledScenario, SessionSource> = {
    classroom: sessionsIn(classroom, context),
    telehealth: sessionsIn(telehealth, context),
    webinar: sessionsIn(webinar, context),
  };

  const timed: Array<OrderedEvent & { at: number }> = [];
  const sessions: SessionTruth[] = [];
  const schedule: PlannedMeeting[] = [];
  const meetings: MeetingTruth[] = [];
  // Hosts arrive five minutes in or later, so that early students and knocking patients come after `start`.
  let startAt = start + 5 * MINUTE;
  for (let i = 0; i < options.sessions; i++) {
    startAt += random.int(0, 15 * MINUTE);
    const scenario = options.scenario === "chaos" ? random.pick(CHAOS_MIX) : options.scenario;
    const { plan, vacate } = sources[scenario].plan(startAt);
    const played = playSession(plan, random);
    vacate(played.vacatedAt);
    sessions.push(played.truth);
    if (plan.meeting) {
      const planned = { ...plan.meeting, meetingId: plan.room.meetingId, roomName: plan.room.roomName };
      schedule.push(planned);
      meetings.push(meetingTruth(planned, played.truth));
    }
    if (plan.scenario === "telehealth" && random.chance(0.1)) {
      const missed = missedAppointment(plan.room as ClinicRoom, played.vacatedAt + 2 * MINUTE, context);
      schedule.push(missed);
      vacate(missed.scheduledEnd);
      meetings.push(meetingTruth(missed, null));
    }
    for (const { at, event } of played.events) timed.push({ at, event, sessionId: played.truth.id });
  }
  timed.sort((a, b) => a.at - b.at);
  const events: KnownEvent[] = options.scenario === "chaos" ? disorder(timed, random) : timed.map((t) => t.event);
  return {
    events,
    truth: {
      scenario: options.scenario,
      seed: options.seed,
      start: new Date(start).toISOString(),
      events: timed.length,
      deliveries: events.length,
      sessions,
      meetings,
    },
    schedule,
  };
}
