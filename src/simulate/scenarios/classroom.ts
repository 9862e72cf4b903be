/**
 * A virtual classroom: a teacher (host, known by externalId) and a class of 10 to 25 students who come back session
 * after session, known by externalId or by signed metadata. Lessons last 30 to 60 minutes. Some students come late,
 * some leave early, some drop and rejoin, one may open a second tab, a tab may crash; sometimes the lesson is
 * recorded and transcribed.
 */
import { liveTranscription, recording } from "../artifacts.js";
import { bot, person, type ModelContext } from "../identities.js";
import { fullName, lastName } from "../names.js";
import type { Identity, PlannedConnection, PlannedExtra, Room } from "../plan.js";
import { MINUTE, SECOND, secondTab, stay } from "../presence.js";
import type { ScenarioModel } from "../scenario-model.js";

const COURSES = ["math-101", "bio-202", "history-110", "chem-150", "lit-230", "physics-120", "art-105", "spanish-201"];
const DAY = 24 * 60 * MINUTE;

export interface Classroom extends Room {
  course: string;
  teacher: Identity;
  roster: Identity[];
}

/**
 * The classroom model.
 *
 * @example
 * const room = classroom.openRoom(context, start);
 * const plan = classroom.planSession(room, start, context);
 */
export const classroom: ScenarioModel<Classroom> = {
  openRoom(context: ModelContext, at: number): Classroom {
    const { random } = context;
    const course = random.pick(COURSES);
    const linkIssuedAt = at - random.int(1 * DAY, 14 * DAY);
    const teacher = person(context, {
      displayName: `${random.pick(["Ms.", "Mr.", "Dr."])} ${lastName(random)}`,
      roleName: "host",
      externalId: `teacher-${context.serial()}`,
      linkIssuedAt,
    });
    const roster = Array.from({ length: random.int(10, 25) }, () => {
      const id = `student-${context.serial()}`;
      const known = random.chance(0.6) ? { externalId: id } : { subject: id };
      return person(context, { displayName: fullName(random), roleName: "visitor", linkIssuedAt, ...known });
    });
    return {
      roomName: `/${course}-${random.uuid()}`,
      meetingId: String(random.int(10_000_000, 99_999_999)),
      subdomain: "example-school",
      course,
      teacher,
      roster,
    };
  },

  planSession(room: Classroom, startAt: number, context: ModelContext) {
    const { random } = context;
    const classEnd = startAt + random.int(30 * MINUTE, 60 * MINUTE);
    // Each lesson is a meeting of its own in the timetable; one in eight starts late, its teacher held up.
    const meetingId = String(random.int(10_000_000, 99_999_999));
    const scheduledStart = random.chance(0.125) ? startAt - random.int(6 * MINUTE, 10 * MINUTE) : startAt;
    // The teacher and two steady students are there from minute 3 to the end of class: the class is never in danger
    // of ending early, so interruptions may happen anywhere inside this window.
    const window = { from: startAt + 4 * MINUTE, to: classEnd };
    const connections: PlannedConnection[] = [
      { who: room.teacher, joinAt: startAt, leaveAt: classEnd + random.int(20 * SECOND, 4 * MINUTE), crashed: false },
    ];
    // About one student in twelve is absent, but at least ten come.
    const present = room.roster.filter((_, i) => i < 10 || !random.chance(0.08));
    const [steady, others] = [present.slice(0, 2), present.slice(2)];
    for (const who of steady) {
      const joinAt = startAt + random.int(10 * SECOND, 3 * MINUTE);
      connections.push({ who, joinAt, leaveAt: classEnd + random.int(0, 2 * MINUTE), crashed: false });
    }
    const stays: PlannedConnection[][] = others.map((who) => {
      const joinAt = random.chance(0.2)
        ? startAt + random.int(5 * MINUTE, 15 * MINUTE)
        : startAt + random.int(-2 * MINUTE, 5 * MINUTE);
      const leaveAt = random.chance(0.15)
        ? random.int(joinAt + 10 * MINUTE, classEnd - 2 * MINUTE)
        : classEnd + random.int(-2 * MINUTE, 2 * MINUTE);
      return stay(who, joinAt, leaveAt, random, { rejoin: 0.12, crash: 0.06 }, window);
    });
    for (const connectionsOfOne of stays) connections.push(...connectionsOfOne);
    const unbroken = stays.filter((s) => s.length === 1 && !s[0]?.crashed);
    if (unbroken.length > 0 && random.chance(0.5)) {
      const tab = secondTab(random.pick(unbroken)[0] as PlannedConnection, random, window);
      if (tab) connections.push(tab);
    }
    if (random.chance(0.2)) {
      const who = person(context, { displayName: `${fullName(random)} (guest)`, roleName: "visitor", linkIssuedAt: startAt });
      const joinAt = startAt + random.int(5 * MINUTE, 20 * MINUTE);
      connections.push({ who, joinAt, leaveAt: joinAt + random.int(5 * MINUTE, 10 * MINUTE), crashed: false });
    }
    const extras: PlannedExtra[] = [];
    if (random.chance(0.35)) {
      const from = startAt + random.int(4 * MINUTE, 8 * MINUTE);
      const to = classEnd + random.int(5 * SECOND, 15 * SECOND);
      connections.push({ who: bot("recorder", "Recorder"), joinAt: from, leaveAt: to, crashed: false });
      extras.push(...recording(random, { from, to, filePrefix: room.course }));
    }
    if (random.chance(0.2)) {
      extras.push(...liveTranscription(random, { from: startAt + random.int(2 * MINUTE, 10 * MINUTE), until: classEnd }));
    }
    const meeting = {
      title: room.course,
      scheduledStart,
      scheduledEnd: classEnd,
      expected: [{ who: room.teacher, role: "teacher" }, ...room.roster.map((who) => ({ who, role: "student" }))],
    };
    return { scenario: "classroom" as const, room: { ...room, meetingId }, connections, withdrawnKnocks: [], extras, meeting };
  },
};
