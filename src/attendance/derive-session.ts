/**
 * One session's figures from its events (SPEC §3): times, connections, persons, bots, timeline, knocks, participant
 * minutes, and what was recorded or transcribed. They are gathered an event at a time in derivation order
 * ({@link SessionFold}), so that an event that comes after all the others a session has had is folded into what was
 * gathered rather than deriving the session again from all of its events.
 */
import type { Artifact, SessionDetail, TimelinePoint } from "./types.js";
import { ConnectionFold, connectionMs } from "./connections.js";
import { compareTimed, type TimedEvent } from "./event-order.js";
import { isArtifact } from "./event-kinds.js";
import { ClaimsFold, type MetadataOptions } from "./identity.js";
import { WaitingRoomFold } from "./knocks.js";
import { splitArtifacts } from "./room-artifacts.js";
import { gatherPersons } from "./persons.js";
import type { SessionEvents } from "./session-events.js";
import { SILENCE_MS, TimesFold } from "./session-times.js";
import { timelinePoint } from "./timeline.js";
import { isoFormatter, secondsOf, type IsoFormatter } from "./time.js";

function artifactOf({ at, event }: TimedEvent, isoOf: IsoFormatter): Artifact {
  return { eventId: event.id, type: event.type, createdAt: isoOf(at), data: { ...event.data } };
}

function meetingIdOf({ event }: TimedEvent): string | null {
  const meetingId = event.data.meetingId;
  return typeof meetingId === "string" && meetingId !== "" ? meetingId : null;
}

/**
 * What one session's figures are made from, gathered an event at a time in derivation order.
 *
 * @example
 * const fold = SessionFold.of(session, { secrets: [] });
 * if (!fold.extend(laterLeave)) fold = SessionFold.of(sessionWithAllItsEvents, { secrets: [] }); // out of order
 * fold.detail(Date.now()).billableParticipantMinutes; // 742
 */
export class SessionFold {
  private readonly isoOf = isoFormatter();
  private readonly times = new TimesFold();
  private readonly connections = new ConnectionFold();
  private readonly claims: ClaimsFold;
  private readonly waitingRoom: WaitingRoomFold;
  private readonly timeline: TimelinePoint[] = [];
  private readonly artifacts: Artifact[] = [];
  private meetingIdOfEvents: string | null = null;
  private meetingIdOfArtifacts: string | null = null;
  /** The latest event taken in: a later one may be folded in, an earlier one may not. */
  private last: TimedEvent | undefined;
  private lastOwnAt: number | undefined;

  private constructor(
    private readonly session: Pick<SessionEvents, "id" | "roomName" | "closedWithoutReport">,
    metadata: MetadataOptions,
  ) {
    this.claims = new ClaimsFold(metadata);
    this.waitingRoom = new WaitingRoomFold(
      (participantId) => this.claims.identityOf(participantId)?.key ?? `participant:${participantId}`,
    );
  }

  /**
   * The session's events gathered. Who each participantId is comes from all of them first, so that a knock is told
   * apart by the key that the person's later events give them.
   */
  static of(session: SessionEvents, metadata: MetadataOptions): SessionFold {
    const fold = new SessionFold(session, metadata);
    for (const timed of session.events) fold.claims.add(timed);
    const all = [...session.events, ...session.artifacts].sort(compareTimed);
    for (const timed of all) fold.take(timed);
    return fold;
  }

  /**
   * Folds in an event that comes after every event taken in so far, and answers true; or answers false, and is then
   * of no further use, when only deriving the session again from all of its events gives the right figures: the event
   * comes earlier than one already taken in, it follows 12 hours of silence (which cuts the session there), it is the
   * first join, leave, start or end after recordings (which that silence may leave out), it gives a participant who
   * already had events a new person key, or the session was cut from its room's log.
   */
  extend(timed: TimedEvent): boolean {
    if (this.session.closedWithoutReport || (this.last !== undefined && compareTimed(this.last, timed) >= 0)) return false;
    if (!isArtifact(timed.event)) {
      if (this.lastOwnAt === undefined ? this.artifacts.length > 0 : timed.at - this.lastOwnAt >= SILENCE_MS) return false;
      if (this.claims.add(timed)) return false;
    }
    this.take(timed);
    return true;
  }

  /** The session's figures at `now`. */
  detail(now: number): SessionDetail {
    const { isoOf } = this;
    const times = this.times.timesAt(now, this.session.closedWithoutReport);
    const connections = this.connections.spans(times);
    const identities = this.claims.all();
    const waitingRoom = this.waitingRoom.result(this.claims, isoOf);
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
    let peakParticipants = 0;
    for (const point of this.timeline) peakParticipants = Math.max(peakParticipants, point.numClients);

    return {
      id: this.session.id,
      roomName: this.session.roomName,
      meetingId: this.meetingIdOfEvents ?? this.meetingIdOfArtifacts,
      startedAt: isoOf(times.startedAt),
      endedAt: times.endedAt === null ? null : isoOf(times.endedAt),
      reportedEndedAt: times.reportedEndedAt === null ? null : isoOf(times.reportedEndedAt),
      ongoing: times.ongoing,
      endInferred: times.endInferred,
      lastEventAt: isoOf(times.lastAt),
      durationSeconds: secondsOf(Math.max(0, times.countedUntil - times.startedAt)),
      peakParticipants,
      uniqueParticipants: participants.length,
      participantSeconds: secondsOf(participantMs),
      billableParticipantMinutes: billableMinutes,
      participants,
      bots,
      timeline: [...this.timeline],
      knocks: waitingRoom.knocks,
      knocksCancelled: waitingRoom.knocksCancelled,
      knockList: waitingRoom.knockList,
      ...splitArtifacts(this.artifacts),
    };
  }

  private take(timed: TimedEvent): void {
    this.last = timed;
    if (isArtifact(timed.event)) {
      this.times.addArtifact(timed);
      this.artifacts.push(artifactOf(timed, this.isoOf));
      this.meetingIdOfArtifacts ??= meetingIdOf(timed);
      return;
    }
    this.lastOwnAt = timed.at;
    this.times.add(timed);
    this.connections.add(timed);
    this.waitingRoom.add(timed);
    const point = timelinePoint(timed, this.isoOf);
    if (point !== null) this.timeline.push(point);
    this.meetingIdOfEvents ??= meetingIdOf(timed);
  }
}
