/**
 * A scheduled meeting as a user sends it (SPEC §9): checked field by field, so that a bad one is refused naming the
 * field, and brought to the one form the store keeps (times in UTC, every rule filled in from the service's defaults).
 */
import { z } from "zod";
import type { MeetingRules, ScheduledMeeting } from "../attendance/roster.js";
import { ISO_INSTANT_HINT, parseIsoInstant } from "../iso-time.js";

/** The largest roster one meeting may hold: a big lecture, well past any class or clinic list. */
export const MAX_ROSTER = 5_000;

/**
 * A meeting as stored: the rules it was given and no more, so that the service's defaults (which configuration may
 * change) fill in the rest when its result is derived.
 */
export type MeetingPlan = Omit<ScheduledMeeting, "rules"> & { rules: Partial<MeetingRules> };

/** The meeting the roster derivation takes: the plan's own rules over the service's. */
export function withRules(plan: MeetingPlan, defaults: MeetingRules): ScheduledMeeting {
  return { ...plan, rules: { ...defaults, ...plan.rules } };
}

/** A meeting that cannot be stored as sent; `field` names where, as a path such as `expected[3].key`. */
export class InvalidMeeting extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}

const NO_CONTROL = /^\P{Cc}*$/u;
const text = (max: number) =>
  z.string().max(max, { error: `must be at most ${max} characters` }).regex(NO_CONTROL, { error: "must not hold control characters" });
const optionalText = (max: number) => text(max).nullish().transform((value) => (value === undefined || value === "" ? null : value));

const instant = z.string({ error: `must be ${ISO_INSTANT_HINT}` }).transform((value, ctx) => {
  const ms = parseIsoInstant(value);
  if (ms !== null) return ms;
  ctx.addIssue({ code: "custom", message: `must be ${ISO_INSTANT_HINT}` });
  return z.NEVER;
});

/** The person keys of SPEC §3 a timetable can know in advance. */
const PERSON_KEY = /^(external|metadata|participant):.+$/s;

const expectedPerson = z.strictObject({
  key: text(300).regex(PERSON_KEY, { error: "must be a person key such as external:<id> or metadata:<subject>" }),
  displayName: optionalText(200),
  role: optionalText(100),
});

const seconds = z.number({ error: "must be a number of seconds" }).int({ error: "must be whole seconds" }).min(0, { error: "must be 0 or more" }).max(7 * 86_400, { error: "must be at most a week" });

const rules = z.strictObject({
  lateAfterSeconds: seconds.optional(),
  leftEarlyBeforeSeconds: seconds.optional(),
  presentAtPercent: z.number({ error: "must be a percentage" }).min(0, { error: "must be from 0 to 100" }).max(100, { error: "must be from 0 to 100" }).optional(),
  noShowAfterSeconds: seconds.optional(),
});

const meeting = z.strictObject({
  meetingId: text(200).min(1, { error: "must not be empty" }).optional(),
  title: optionalText(500),
  roomName: optionalText(1000),
  scheduledStart: instant,
  scheduledEnd: instant,
  expected: z.array(expectedPerson, { error: "must be a list of people" }).max(MAX_ROSTER, { error: `must hold at most ${MAX_ROSTER} people` }).default([]),
  rules: rules.default({}),
});

function fieldOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((field, part) => (typeof part === "number" ? `${field}[${part}]` : field === "" ? String(part) : `${field}.${String(part)}`), "") || "body";
}

/**
 * The meeting `meetingId` names, from what was sent. Throws {@link InvalidMeeting} naming the first field that is
 * wrong: a missing or unparseable time, an end not after its start, a key twice in the roster, an unknown rule, a
 * roster over {@link MAX_ROSTER}, a meetingId in the body that differs from the one in the address.
 */
export function readMeeting(meetingId: string, body: unknown): MeetingPlan {
  const parsed = meeting.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = fieldOf(issue.path);
    if (issue.code === "unrecognized_keys") {
      const where = field === "body" ? "" : `${field}.`;
      throw new InvalidMeeting(`${where}${issue.keys[0]}`, "is not a field a meeting has");
    }
    throw new InvalidMeeting(field, issue.message);
  }
  const sent = parsed.data;
  if (sent.meetingId !== undefined && sent.meetingId !== meetingId) {
    throw new InvalidMeeting("meetingId", `differs from the one in the address (${meetingId})`);
  }
  if (sent.scheduledEnd <= sent.scheduledStart) throw new InvalidMeeting("scheduledEnd", "must be after scheduledStart");
  const seen = new Map<string, number>();
  sent.expected.forEach((person, index) => {
    const first = seen.get(person.key);
    if (first !== undefined) throw new InvalidMeeting(`expected[${index}].key`, `repeats expected[${first}].key (${person.key})`);
    seen.set(person.key, index);
  });
  return {
    meetingId,
    title: sent.title,
    roomName: sent.roomName,
    scheduledStart: new Date(sent.scheduledStart).toISOString(),
    scheduledEnd: new Date(sent.scheduledEnd).toISOString(),
    expected: sent.expected,
    rules: sent.rules,
  };
}
