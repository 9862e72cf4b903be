/**
 * A webinar: one or two hosts and 100 to 300 viewers, drawn from the room's registered audience (known by externalId
 * or signed metadata, a few anonymous) plus some who dial in by phone. 30 to 75 minutes; many come late or leave
 * early; some drop and rejoin; sometimes a host asks for the assistant, and the talk may be recorded or transcribed.
 */
import { liveTranscription, recording } from "../artifacts.js";
import { bot, person, type ModelContext } from "../identities.js";
import { fullName } from "../names.js";
import type { Identity, PlannedConnection, PlannedExtra, Room } from "../plan.js";
import { MINUTE, SECOND, secondTab, stay } from "../presence.js";
import type { ScenarioModel } from "../scenario-model.js";

const TOPICS = ["product-launch", "quarterly-update", "onboarding", "security-briefing", "community-call"];
const AUDIENCE_SIZE = 320;

export interface Auditorium extends Room {
  topic: string;
  hosts: [Identity, Identity];
  audience: Identity[];
}

/**
 * The webinar model.
 *
 * @example
 * const room = webinar.openRoom(context, start);
 * const plan = webinar.planSession(room, start, context);
 */
export const webinar: ScenarioModel<Auditorium> = {
  openRoom(context: ModelContext, at: number): Auditorium {
    const { random } = context;
    const topic = random.pick(TOPICS);
    const linkIssuedAt = at - random.int(1, 10) * 24 * 60 * MINUTE;
    const host = (): Identity =>
      person(context, { displayName: fullName(random), roleName: "host", externalId: `host-${context.serial()}`, linkIssuedAt });
    const audience = Array.from({ length: AUDIENCE_SIZE }, () => {
      const id = `attendee-${context.serial()}`;
      const roll = random.next();
      const known = roll < 0.75 ? { externalId: id } : roll < 0.9 ? { subject: id } : {};
      return person(context, { displayName: fullName(random), roleName: "viewer", linkIssuedAt, ...known });
    });
    return {
      roomName: `/webinar-${topic}-${random.uuid()}`,
      meetingId: String(random.int(10_000_000, 99_999_999)),
      subdomain: "acme-events",
      topic,
      hosts: [host(), host()],
      audience,
    };
  },

  planSession(room: Auditorium, startAt: number, context: ModelContext) {
    const { random } = context;
    const duration = random.int(30 * MINUTE, 75 * MINUTE);
    const end = startAt + duration;
    // The first host and two early viewers stay from minute 2 to the end: inside this window nothing can end it.
    const window = { from: startAt + 3 * MINUTE, to: end };
    const connections: PlannedConnection[] = [
      { who: room.hosts[0], joinAt: startAt, leaveAt: end + random.int(30 * SECOND, 3 * MINUTE), crashed: false },
    ];
    if (random.chance(0.5)) {
      const joinAt = startAt + random.int(30 * SECOND, 5 * MINUTE);
      connections.push({ who: room.hosts[1], joinAt, leaveAt: end + random.int(0, 1 * MINUTE), crashed: false });
    }
    const count = random.int(100, 300);
    const first = random.int(0, AUDIENCE_SIZE - 1);
    const viewers = Array.from({ length: count }, (_, i) => room.audience[(first + i) % AUDIENCE_SIZE] as Identity);
    const dialIns = random.int(0, 4);
    for (let i = 0; i < dialIns; i++) {
      const number = `+44 20 7946 0${random.int(100, 999)}`;
      viewers.push(person(context, { displayName: number, roleName: "viewer", linkIssuedAt: startAt, isDialIn: true }));
    }
    const [steady, others] = [viewers.slice(0, 2), viewers.slice(2)];
    for (const who of steady) {
      const joinAt = startAt + random.int(30 * SECOND, 2 * MINUTE);
      connections.push({ who, joinAt, leaveAt: end + random.int(0, 2 * MINUTE), crashed: false });
    }
    const stays = others.map((who) => {
      const joinAt = random.chance(0.25)
        ? startAt + random.int(10 * MINUTE, duration - 10 * MINUTE)
        : startAt + random.int(1 * MINUTE, 10 * MINUTE);
      const leaveAt = random.chance(0.3)
        ? random.int(joinAt + 2 * MINUTE, end - 1 * MINUTE)
        : end + random.int(-1 * MINUTE, 2 * MINUTE);
      return stay(who, joinAt, leaveAt, random, { rejoin: 0.08, crash: 0.04 }, window);
    });
    for (const connectionsOfOne of stays) connections.push(...connectionsOfOne);
    if (random.chance(0.3)) {
      const tab = secondTab(random.pick(stays)[0] as PlannedConnection, random, window);
      if (tab) connections.push(tab);
    }
    const extras: PlannedExtra[] = [];
    if (random.chance(0.3)) {
      const requestedAt = startAt + random.int(2 * MINUTE, 20 * MINUTE);
      extras.push({ type: "assistant.requested", at: requestedAt, fields: {} });
      const joinAt = requestedAt + random.int(3 * SECOND, 10 * SECOND);
      connections.push({ who: bot("assistant", "Assistant"), joinAt, leaveAt: end + random.int(0, 20 * SECOND), crashed: false });
    }
    if (random.chance(0.3)) {
      const from = startAt + random.int(3 * MINUTE, 6 * MINUTE);
      const to = end + random.int(5 * SECOND, 15 * SECOND);
      connections.push({ who: bot("recorder", "Recorder"), joinAt: from, leaveAt: to, crashed: false });
      extras.push(...recording(random, { from, to, filePrefix: room.topic }));
    }
    if (random.chance(0.2)) {
      extras.push(...liveTranscription(random, { from: startAt + random.int(1 * MINUTE, 5 * MINUTE), until: end }));
    }
    return { scenario: "webinar" as const, room, connections, withdrawnKnocks: [], extras };
  },
};
