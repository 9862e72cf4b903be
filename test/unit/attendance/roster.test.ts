import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deriveSessions, type SessionDetail } from "../../../src/attendance/index.js";
import {
  DEFAULT_MEETING_RULES,
  deriveRoster,
  meetingStatusAt,
  type ExpectedPerson,
  type RosterEntry,
  type ScheduledMeeting,
} from "../../../src/attendance/roster.js";
import type { WherebyEvent } from "../../../src/whereby/events.js";
import { MeetingLog } from "./meeting-log.js";

const DAY = "2026-03-02";
const at = (time: string) => Date.parse(`${DAY}T${time}Z`);
const iso = (time: string) => new Date(at(time)).toISOString();

function meeting(meetingId: string, start: string, end: string, expected: ExpectedPerson[]): ScheduledMeeting {
  return { meetingId, title: null, roomName: null, scheduledStart: iso(start), scheduledEnd: iso(end), expected, rules: DEFAULT_MEETING_RULES };
}

function sessionsOf(events: readonly WherebyEvent[], meetingId: string, now: number): SessionDetail[] {
  return deriveSessions(events, { now, metadataSecrets: [] }).filter((session) => session.meetingId === meetingId);
}

function entry(roster: readonly RosterEntry[], key: string): RosterEntry {
  const found = roster.find((candidate) => candidate.key === key);
  if (found === undefined) throw new Error(`no roster entry ${key}`);
  return found;
}

const student = (n: number) => `s${String(n).padStart(2, "0")}`;

/**
 * A 45-minute class, 09:00 to 09:45: the teacher (Whereby's host) at 08:58; students 1 to 22 at 08:59:30 and student
 * 23 at 08:55, all until 09:45; 24 away from 09:10 to 09:30; 25 gone at 09:30; 26 in at 09:08 and 27 at 09:12; 28 to
 * 30 never; and a visitor nobody expected from 09:20 to 09:25.
 */
function classLog(): MeetingLog {
  const log = new MeetingLog({ roomName: "/math-101", roomSessionId: "class-1", meetingId: "m-class", day: DAY });
  const who = (n: number) => ({ externalId: student(n), displayName: `Student ${n}` });
  log.join("08:55:00", "p23", who(23));
  log.join("08:58:00", "p-teacher", { externalId: "teacher-1", displayName: "Ms Lee", roleName: "host" });
  for (let n = 1; n <= 22; n++) log.join("08:59:30", `p${n}`, who(n));
  log.join("08:59:30", "p24", who(24)).join("08:59:30", "p25", who(25));
  log.started("09:00:00");
  log.join("09:08:00", "p26", who(26)).leave("09:10:00", "p24").join("09:12:00", "p27", who(27));
  log.join("09:20:00", "p-visitor", { externalId: "visitor-1", displayName: "A visitor" }).leave("09:25:00", "p-visitor");
  log.leave("09:30:00", "p25").join("09:30:00", "p24b", who(24));
  for (const id of ["p23", ...Array.from({ length: 22 }, (_, i) => `p${i + 1}`), "p24b", "p26", "p27", "p-teacher"]) {
    log.leave("09:45:00", id);
  }
  return log.ended("09:46:00");
}

const classMeeting = meeting("m-class", "09:00:00", "09:45:00", [
  { key: "external:teacher-1", displayName: "Ms Lee", role: "teacher" },
  ...Array.from({ length: 30 }, (_, i) => ({ key: `external:${student(i + 1)}`, displayName: `Student ${i + 1}`, role: "student" })),
]);

describe("a 30-student class with 3 absent, 2 late, 1 gone early, 1 partly there and 1 unexpected visitor", () => {
  const now = at("12:00:00");
  const result = deriveRoster(classMeeting, sessionsOf(classLog().events(), "m-class", now), now);

  it("gives the meeting's own figures", () => {
    expect(result).toMatchObject({ status: "held", startedLateSeconds: 0, overranSeconds: 0, hostLateSeconds: 0, sessions: ["class-1"] });
    expect(result.roster.map((e) => e.key)).toEqual(classMeeting.expected.map((e) => e.key));
  });

  it("counts every status as hand-computed", () => {
    const count = (status: string) => result.roster.filter((e) => e.status === status).length;
    expect({ present: count("present"), late: count("late"), left_early: count("left_early"), partial: count("partial"), absent: count("absent") })
      .toEqual({ present: 24, late: 2, left_early: 1, partial: 1, absent: 3 });
  });

  it("measures a student who was there throughout, and one who came before the start", () => {
    expect(entry(result.roster, "external:s01")).toMatchObject({
      status: "present", flags: ["present"], firstJoinedAt: iso("08:59:30"), lastLeftAt: iso("09:45:00"),
      lateSeconds: 0, leftEarlySeconds: 0, connectedSeconds: 2700, connectedOutsideSeconds: 30, attendancePercent: 100, waitedSeconds: null,
    });
    expect(entry(result.roster, "external:s23")).toMatchObject({ status: "present", lateSeconds: 0, connectedOutsideSeconds: 300 });
  });

  it("reports the late, the early leaver and the partly present with every flag that holds", () => {
    expect(entry(result.roster, "external:s26")).toMatchObject({ status: "late", flags: ["late", "present"], lateSeconds: 480, connectedSeconds: 2220, attendancePercent: 82.2 });
    expect(entry(result.roster, "external:s27")).toMatchObject({ status: "late", flags: ["late", "partial"], lateSeconds: 720, connectedSeconds: 1980, attendancePercent: 73.3 });
    expect(entry(result.roster, "external:s25")).toMatchObject({ status: "left_early", flags: ["left_early", "partial"], leftEarlySeconds: 900, connectedSeconds: 1800, attendancePercent: 66.7 });
    // Two stays, under two participant ids: a rejoin counts as the same person.
    expect(entry(result.roster, "external:s24")).toMatchObject({ status: "partial", flags: ["partial"], connectedSeconds: 1500, attendancePercent: 55.6, lateSeconds: 0, leftEarlySeconds: 0 });
  });

  it("marks the absent with nothing measured", () => {
    for (const n of [28, 29, 30]) {
      expect(entry(result.roster, `external:${student(n)}`)).toMatchObject({
        status: "absent", flags: ["absent"], firstJoinedAt: null, lastLeftAt: null, lateSeconds: null, leftEarlySeconds: null,
        connectedSeconds: 0, connectedOutsideSeconds: 0, attendancePercent: 0,
      });
    }
  });

  it("lists the visitor nobody expected, without a status", () => {
    expect(result.unexpected).toHaveLength(1);
    expect(result.unexpected[0]).toMatchObject({ key: "external:visitor-1", displayName: "A visitor", connectedSeconds: 300, lateSeconds: 1200 });
    expect(result.unexpected[0]).not.toHaveProperty("status");
  });
});

/** A 20-minute appointment with Dr Lee (Whereby's host) and one patient, each in a session of its own. */
function appointment(n: number, start: string, plan: (log: MeetingLog) => void): WherebyEvent[] {
  const log = new MeetingLog({ roomName: "/clinic-lee", roomSessionId: `visit-${n}`, meetingId: `appt-${n}`, day: DAY });
  plan(log);
  return log.events();
}
const doctor = { externalId: "dr-lee", displayName: "Dr Lee", roleName: "host" };
const patient = (n: number) => ({ externalId: `pt-${n}`, displayName: `Patient ${n}` });
const add = (time: string, minutes: number) => new Date(at(time) + minutes * 60_000).toISOString().slice(11, 19);

const slots = ["09:00:00", "09:30:00", "10:00:00", "10:30:00", "11:00:00", "11:30:00", "12:00:00", "12:30:00"];
const telehealthEvents = slots.flatMap((start, i) => {
  const n = i + 1;
  return appointment(n, start, (log) => {
    if (n === 2) {
      // The patient knocks four minutes early; the doctor, there at 09:29, lets them in at 09:30:30.
      log.join("09:29:00", "doc", doctor).knock("09:26:00", "pat", patient(n)).join("09:30:30", "pat", patient(n));
      log.leave("09:50:00", "pat").leave("09:50:00", "doc").ended("09:51:00");
    } else if (n === 3) {
      // The patient knocks on time; the doctor is six minutes late and lets them in ten seconds later.
      log.knock("10:00:00", "pat", patient(n)).join("10:06:00", "doc", doctor).join("10:06:10", "pat", patient(n));
      log.leave("10:20:00", "pat").leave("10:20:00", "doc").ended("10:21:00");
    } else if (n === 5) {
      // The patient never comes: the doctor waits alone for twenty minutes.
      log.join("11:00:00", "doc", doctor).leave("11:20:00", "doc");
    } else {
      const end = n === 8 ? add(start, 28) : add(start, 20);
      log.join(start, "doc", doctor).join(start, "pat", patient(n)).leave(end, "pat").leave(end, "doc").ended(add(end, 1));
    }
  });
});
const appointments = slots.map((start, i) =>
  meeting(`appt-${i + 1}`, start, add(start, 20), [
    { key: "external:dr-lee", displayName: "Dr Lee", role: "provider" },
    { key: `external:pt-${i + 1}`, displayName: `Patient ${i + 1}`, role: "patient" },
  ]),
);

describe("a telehealth day of 8 appointments", () => {
  const now = at("18:00:00");
  const results = appointments.map((m) => deriveRoster(m, sessionsOf(telehealthEvents, m.meetingId, now), now));

  it("finds the one no-show: the doctor alone in the room is no appointment held", () => {
    expect(results.map((r) => r.status)).toEqual(["held", "held", "held", "held", "no_show", "held", "held", "held"]);
    expect(entry(results[4]!.roster, "external:pt-5")).toMatchObject({ status: "absent" });
    expect(entry(results[4]!.roster, "external:dr-lee")).toMatchObject({ status: "present", connectedSeconds: 1200 });
    expect(results[4]).toMatchObject({ hostLateSeconds: 0, startedLateSeconds: 0 });
  });

  it("gives the doctor's lateness, and the patient's wait from the slot's start", () => {
    expect(results[2]).toMatchObject({ hostLateSeconds: 360, startedLateSeconds: 370 });
    expect(entry(results[2]!.roster, "external:pt-3")).toMatchObject({ status: "late", lateSeconds: 370, waitedSeconds: 370 });
    expect(entry(results[2]!.roster, "external:dr-lee")).toMatchObject({ status: "late", lateSeconds: 360 });
  });

  it("counts the wait of a patient who knocked before the slot from the slot's start", () => {
    expect(entry(results[1]!.roster, "external:pt-2")).toMatchObject({ status: "present", waitedSeconds: 30, lateSeconds: 30 });
    expect(results[1]).toMatchObject({ hostLateSeconds: 0, startedLateSeconds: 30 });
  });

  it("measures the appointment that overran", () => {
    expect(results[7]).toMatchObject({ overranSeconds: 480 });
    expect(entry(results[7]!.roster, "external:pt-8")).toMatchObject({ connectedSeconds: 1200, connectedOutsideSeconds: 480, attendancePercent: 100 });
    expect(results.filter((r) => r.overranSeconds! > 0)).toHaveLength(1);
  });
});

describe("a meeting as it happens", () => {
  const events = appointment(1, "09:00:00", (log) => log.join("09:00:00", "doc", doctor).join("09:02:00", "pat", patient(1)));

  it("is scheduled before its start and nobody is measured yet", () => {
    const result = deriveRoster(appointments[0]!, [], at("08:00:00"));
    expect(result).toMatchObject({ status: "scheduled", startedLateSeconds: null, overranSeconds: null, hostLateSeconds: null, sessions: [] });
  });

  it("is in progress while its session is, with figures run to now", () => {
    const now = at("09:10:00");
    const result = deriveRoster(appointments[0]!, sessionsOf(events, "appt-1", now), now);
    expect(result.status).toBe("in_progress");
    // Ten minutes of the scheduled twenty have passed; the patient has been in for eight of them.
    expect(entry(result.roster, "external:pt-1")).toMatchObject({ connectedSeconds: 480, attendancePercent: 80, lastLeftAt: null, leftEarlySeconds: 0 });
  });

  it("is a no-show only once nobody but the host came by the deadline", () => {
    const alone = appointment(9, "09:00:00", (log) => log.join("09:00:00", "doc", doctor));
    const m = { ...appointments[0]!, meetingId: "appt-9" };
    expect(deriveRoster(m, sessionsOf(alone, "appt-9", at("09:14:59")), at("09:14:59")).status).toBe("in_progress");
    expect(deriveRoster(m, sessionsOf(alone, "appt-9", at("09:15:00")), at("09:15:00")).status).toBe("no_show");
  });
});

describe("a saved result's status facts", () => {
  it("bring its status to any later time as deriving it then would, while nothing new arrives", () => {
    const alone = appointment(9, "09:00:00", (log) => log.join("09:00:00", "doc", doctor));
    const m = { ...appointments[0]!, meetingId: "appt-9" };
    const cases = [
      { plan: appointments[0]!, events: [] as WherebyEvent[] },
      { plan: m, events: alone },
      { plan: appointments[2]!, events: telehealthEvents },
      { plan: appointments[4]!, events: telehealthEvents },
    ];
    for (const [{ plan, events }, savedTime] of cases.flatMap((c) => [[c, "08:30:00"], [c, "09:05:00"], [c, "09:20:00"]] as const)) {
      const savedAt = at(savedTime);
      const saved = deriveRoster(plan, sessionsOf(events.filter((e) => Date.parse(e.createdAt) <= savedAt), plan.meetingId, savedAt), savedAt);
      for (const time of ["08:45:00", "09:00:00", "09:10:00", "09:14:59", "09:15:00", "09:40:00", "18:00:00"]) {
        const now = at(time);
        if (now < savedAt) continue;
        const sessions = sessionsOf(events.filter((e) => Date.parse(e.createdAt) <= savedAt), plan.meetingId, now);
        expect(meetingStatusAt(saved.facts, now), `${plan.meetingId} at ${time}`).toBe(deriveRoster(plan, sessions, now).status);
      }
    }
  });
});

describe("the roster result", () => {
  it("is the same whatever order and however often the events arrive", () => {
    const events = classLog().events();
    const now = at("12:00:00");
    const expected = deriveRoster(classMeeting, sessionsOf(events, "m-class", now), now);
    fc.assert(
      fc.property(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), fc.array(fc.nat(events.length - 1), { maxLength: 10 }), (shuffled, repeats) => {
        const arrived = [...shuffled, ...repeats.map((i) => events[i]!)];
        expect(deriveRoster(classMeeting, sessionsOf(arrived, "m-class", now), now)).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });

  it("matches a person by any key they answer to: external id or signed subject", () => {
    const log = new MeetingLog({ roomName: "/r", roomSessionId: "s", meetingId: "m", day: DAY });
    log.join("09:00:00", "a", { externalId: "x-1", metadata: "subject-1" }).join("09:00:00", "b", { externalId: "x-2" });
    log.leave("09:45:00", "a").leave("09:45:00", "b").ended("09:46:00");
    const m = meeting("m", "09:00:00", "09:45:00", [{ key: "metadata:subject-1", displayName: null, role: null }]);
    const result = deriveRoster(m, sessionsOf(log.events(), "m", at("12:00:00")), at("12:00:00"));
    expect(result.roster[0]).toMatchObject({ key: "metadata:subject-1", status: "present", connectedSeconds: 2700 });
    expect(result.unexpected.map((e) => e.key)).toEqual(["external:x-2"]);
  });
});
