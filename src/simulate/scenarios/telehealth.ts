/**
 * Telehealth: a clinician (host, known by externalId) sees one patient after another in their room. The patient,
 * known by signed metadata, knocks in the waiting room and is let in after a few minutes; some withdraw the knock and
 * knock again. Consultations last 10 to 30 minutes. A patient's connection may drop and come back within seconds, and
 * sometimes a relative or an interpreter without a link of their own knocks and joins too.
 */
import { liveTranscription } from "../artifacts.js";
import { person, type ModelContext } from "../identities.js";
import { fullName, lastName } from "../names.js";
import type { Identity, PlannedConnection, PlannedExtra, Room, WithdrawnKnock } from "../plan.js";
import { MINUTE, SECOND } from "../presence.js";
import type { ScenarioModel } from "../scenario-model.js";
import type { PlannedMeeting } from "../schedule.js";

export interface ClinicRoom extends Room {
  clinician: Identity;
}

/**
 * The telehealth model.
 *
 * @example
 * const room = telehealth.openRoom(context, start);
 * const plan = telehealth.planSession(room, start, context);
 */
export const telehealth: ScenarioModel<ClinicRoom> = {
  openRoom(context: ModelContext, at: number): ClinicRoom {
    const { random } = context;
    const name = lastName(random);
    const clinician = person(context, {
      displayName: `Dr. ${name}`,
      roleName: "host",
      externalId: `clinician-${context.serial()}`,
      linkIssuedAt: at - random.int(1, 30) * 60 * MINUTE,
    });
    return {
      roomName: `/consult-${name.toLowerCase().replace(/[^a-z]/g, "")}-${random.uuid()}`,
      meetingId: String(random.int(10_000_000, 99_999_999)),
      subdomain: "northside-clinic",
      clinician,
    };
  },

  planSession(room: ClinicRoom, startAt: number, context: ModelContext) {
    const { random } = context;
    const patient = person(context, {
      displayName: fullName(random),
      roleName: "visitor",
      subject: `patient-${context.serial()}`,
      linkIssuedAt: startAt - random.int(1, 72) * 60 * MINUTE,
    });
    // Each appointment is a meeting of its own; now and then the clinician is running behind the slot.
    const meetingId = String(random.int(10_000_000, 99_999_999));
    const slot = random.chance(0.15) ? startAt - random.int(5 * MINUTE, 8 * MINUTE) : startAt;
    const withdrawnKnocks: WithdrawnKnock[] = [];
    let knockedAt = startAt + random.int(-3 * MINUTE, 2 * MINUTE);
    if (random.chance(0.25)) {
      const cancelledAt = knockedAt + random.int(30 * SECOND, 3 * MINUTE);
      withdrawnKnocks.push({ who: patient, knockedAt, cancelledAt });
      knockedAt = cancelledAt + random.int(10 * SECOND, 2 * MINUTE);
    }
    const admittedAt = Math.max(knockedAt, startAt) + random.int(1 * MINUTE, 6 * MINUTE);
    const consultEnd = admittedAt + random.int(10 * MINUTE, 30 * MINUTE);
    const clinicianLeavesFirst = random.chance(0.3);
    const patientLeaves = clinicianLeavesFirst ? consultEnd + random.int(5 * SECOND, 40 * SECOND) : consultEnd;
    const clinicianLeaves = clinicianLeavesFirst ? consultEnd : consultEnd + random.int(5 * SECOND, 3 * MINUTE);
    const connections: PlannedConnection[] = [
      { who: room.clinician, joinAt: startAt, leaveAt: clinicianLeaves, crashed: false },
    ];
    if (random.chance(0.25)) {
      // The line drops and the patient is back well within the minute Whereby waits: the session goes on.
      const droppedAt = random.int(admittedAt + 3 * MINUTE, consultEnd - 3 * MINUTE);
      const backAt = droppedAt + random.int(8 * SECOND, 40 * SECOND);
      const knocksAgain = random.chance(0.5) ? { knockedAt: droppedAt + random.int(2 * SECOND, 6 * SECOND) } : {};
      connections.push({ who: patient, knockedAt, joinAt: admittedAt, leaveAt: droppedAt, crashed: false });
      connections.push({ who: patient, ...knocksAgain, joinAt: backAt, leaveAt: patientLeaves, crashed: false });
    } else {
      connections.push({ who: patient, knockedAt, joinAt: admittedAt, leaveAt: patientLeaves, crashed: false });
    }
    if (random.chance(0.15)) {
      const companion = person(context, { displayName: fullName(random), roleName: "visitor", linkIssuedAt: startAt });
      const knockedAt = admittedAt + random.int(-1 * MINUTE, 5 * MINUTE);
      const joinAt = knockedAt + random.int(20 * SECOND, 2 * MINUTE);
      const leaveAt = random.int(joinAt + 1 * MINUTE, consultEnd);
      connections.push({ who: companion, knockedAt, joinAt, leaveAt, crashed: false });
    }
    const extras: PlannedExtra[] = random.chance(0.1)
      ? liveTranscription(random, { from: admittedAt + random.int(10 * SECOND, 2 * MINUTE), until: consultEnd })
      : [];
    const meeting = {
      title: "Consultation",
      scheduledStart: slot,
      scheduledEnd: slot + 30 * MINUTE,
      expected: [{ who: room.clinician, role: "provider" }, { who: patient, role: "patient" }],
    };
    return { scenario: "telehealth" as const, room: { ...room, meetingId }, connections, withdrawnKnocks, extras, meeting };
  },
};

/**
 * An appointment nobody came to: booked in the clinician's room at `at`, the patient never knocked and the clinician
 * did not wait in an empty room, so Whereby sends nothing for it.
 */
export function missedAppointment(room: ClinicRoom, at: number, context: ModelContext): PlannedMeeting {
  const { random } = context;
  const patient = person(context, { displayName: fullName(random), roleName: "visitor", subject: `patient-${context.serial()}`, linkIssuedAt: at - 24 * 60 * MINUTE });
  return {
    meetingId: String(random.int(10_000_000, 99_999_999)),
    title: "Consultation",
    roomName: room.roomName,
    scheduledStart: at,
    scheduledEnd: at + 30 * MINUTE,
    expected: [{ who: room.clinician, role: "provider" }, { who: patient, role: "patient" }],
  };
}
