/**
 * One session's figures from its events (SPEC §3): times, connections, persons, bots, timeline, knocks, participant
 * minutes, and what was recorded or transcribed.
 */
import type { Artifact, SessionDetail } from "./types.js";
import { connectionMs, pairConnections } from "./connections.js";
import type { TimedEvent } from "./event-order.js";
import { identifyParticipants, type MetadataOptions } from "./identity.js";
import { readWaitingRoom } from "./knocks.js";
import { splitArtifacts } from "./room-artifacts.js";
import { gatherPersons } from "./persons.js";
import type { SessionEvents } from "./session-events.js";
import { sessionTimes } from "./session-times.js";
import { timelineOf } from "./timeline.js";
import { isoFormatter, secondsOf, type IsoFormatter } from "./time.js";

function artifactOf({ at, event }: TimedEvent, isoOf: IsoFormatter): Artifact {
  return { eventId: event.id, type: event.type, createdAt: isoOf(at), data: { ...event.data } };
}

function meetingIdOf(session: SessionEvents): string | null {
  for (const { event } of [...session.events, ...session.artifacts]) {
    const meetingId = event.data.meetingId;
    if (typeof meetingId === "string" && meetingId !== "") return meetingId;
  }
  return null;
}

/**
 * @example
 * deriveSession(session, { secrets: [] }, Date.now()).billableParticipantMinutes; // 742
 */
export function deriveSession(session: SessionEvents, metadata: MetadataOptions, now: number): SessionDetail {
  const isoOf = isoFormatter();
  const times = sessionTimes(session, now);
  const connections = pairConnections(session.events, times);
  const identities = identifyParticipants(session.events, metadata);
  const waitingRoom = readWaitingRoom(session.events, identities, isoOf);
  const { waitedMs } = waitingRoom;
  const { participants, bots } = gatherPersons(connections, { times, identities, waitedMs, now, isoOf });

  let participantMs = 0;
  let billableMinutes = 0;
  for (const connection of connections) {
    if (identities.get(connection.participantId)?.bot) continue;
    const ms = connectionMs(connection, now);
    participantMs += ms;
    billableMinutes += Math.ceil(ms / 60_000);
  }
  const timeline = timelineOf(session.events, isoOf);
  const artifacts = session.artifacts.map((timed) => artifactOf(timed, isoOf));

  return {
    id: session.id,
    roomName: session.roomName,
    meetingId: meetingIdOf(session),
    startedAt: isoOf(times.startedAt),
    endedAt: times.endedAt === null ? null : isoOf(times.endedAt),
    reportedEndedAt: times.reportedEndedAt === null ? null : isoOf(times.reportedEndedAt),
    ongoing: times.ongoing,
    endInferred: times.endInferred,
    lastEventAt: isoOf(times.lastAt),
    durationSeconds: secondsOf(Math.max(0, times.countedUntil - times.startedAt)),
    peakParticipants: Math.max(0, ...timeline.map((point) => point.numClients)),
    uniqueParticipants: participants.length,
    participantSeconds: secondsOf(participantMs),
    billableParticipantMinutes: billableMinutes,
    participants,
    bots,
    timeline,
    knocks: waitingRoom.knocks,
    knocksCancelled: waitingRoom.knocksCancelled,
    knockList: waitingRoom.knockList,
    ...splitArtifacts(artifacts),
  };
}
