/**
 * Whereby delivers at least once and out of order, so the derivation first reduces what it is given to one copy of
 * each event, in one fixed order: any permutation or duplication of the same events gives the same list. Here too each
 * event's time is read, and bounded by when it was received; and an event that the derivation cannot use is told apart,
 * with the reason (see {@link readEvent}).
 */
import {
  isKnownEvent,
  isKnownEventType,
  parseEvent,
  type KnownEvent,
  type KnownEventType,
  type WherebyEvent,
} from "../whereby/events.js";
import { instantOf } from "../iso-time.js";
import { compareText } from "./compare-text.js";

/** An event with its time read once, in milliseconds since the epoch. */
export interface TimedEvent<E extends KnownEvent = KnownEvent> {
  readonly at: number;
  readonly event: E;
  /** Its createdAt lay more than {@link CLOCK_SKEW_MS} after it was received: `at` is when it was received. */
  readonly clockAhead?: true;
  /** Whereby sent no participantId: `event.data.participantId` stands in for it (see {@link standInParticipantId}). */
  readonly participantIdInferred?: true;
}

/**
 * How far an event's createdAt may lie after the moment it was received: the tolerance a signature's time gets
 * (`WEBHOOK_TOLERANCE_SECONDS`' default). Further is a clock that is wrong, not an event from the future: the event is
 * placed when it was received, so that it can never stretch a session or a connection beyond what was received.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** When events were received, to bound their createdAt; an event without a receipt here is taken as it is dated. */
export interface Receipts {
  /** Milliseconds since the epoch, by event id: the store's receivedAt. */
  receivedAt?: ReadonlyMap<string, number>;
}

/** Why the derivation leaves a stored event out of every figure. */
export type UnusedReason =
  | "unknown_type"
  | "unexpected_shape"
  | "no_participant"
  | "no_room"
  | "unreadable_time";

export type EventReading =
  | { usable: true; timed: TimedEvent }
  | { usable: false; reason: UnusedReason; message: string };

// Within one millisecond: a knock before the join it leads to, a join before the start it triggers, a leave before
// the end it triggers, and the meeting before what is made of it.
const TIE_ORDER = {
  "room.client.knocked": 0,
  "room.client.knockCancelled": 1,
  "room.client.joined": 2,
  "room.session.started": 3,
  "room.client.left": 4,
  "room.session.ended": 5,
  "transcription.started": 6,
  "recording.finished": 7,
  "transcription.finished": 8,
  "transcription.failed": 9,
  "assistant.requested": 10,
} as const satisfies Record<KnownEventType, number>;

const PARTICIPANT_TYPES: ReadonlySet<string> = new Set([
  "room.client.joined",
  "room.client.left",
  "room.client.knocked",
  "room.client.knockCancelled",
]);

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/**
 * What stands in for a participantId that Whereby did not send (every published example of `room.client.joined`
 * lacks it): the role and the name the participant goes by, so that within one session a join and a leave of the same
 * person pair up. Null when the event names nobody (no display name, external id or metadata): a role alone is not a
 * person.
 *
 * @example
 * standInParticipantId({ roleName: "host", displayName: "Joe Bloggs" }); // "inferred:host:Joe Bloggs"
 */
export function standInParticipantId(data: Record<string, unknown>): string | null {
  const role = text(data.roleName) ?? "";
  const displayName = text(data.displayName);
  if (displayName !== null) return `inferred:${role}:${displayName}`;
  const externalId = text(data.externalId);
  if (externalId !== null) return `inferred:${role}:external:${externalId}`;
  const metadata = text(data.metadata);
  return metadata === null ? null : `inferred:${role}:metadata:${metadata}`;
}

/** A known participant event that lacks only its participantId, read with a stand-in; null when none will do. */
function withStandIn(event: WherebyEvent): KnownEvent | null | undefined {
  if (!event.unrecognised || !PARTICIPANT_TYPES.has(event.type)) return undefined;
  if (event.data.participantId !== undefined && event.data.participantId !== null) return undefined;
  const participantId = standInParticipantId(event.data);
  if (participantId === null) return null;
  const { unrecognised: _unrecognised, ...envelope } = event;
  const parsed = parseEvent({ ...envelope, data: { ...event.data, participantId } });
  return parsed.ok && isKnownEvent(parsed.event) ? parsed.event : undefined;
}

function hasRoom(event: WherebyEvent): boolean {
  const data: Record<string, unknown> = event.data ?? {};
  return text(data.roomSessionId) !== null || text(data.roomName) !== null;
}

/**
 * One event as the derivation reads it: its time, bounded by its receipt; or why it plays no part in the figures.
 *
 * @example
 * readEvent(joined, { receivedAt }); // { usable: true, timed: { at: 1772442004120, event: joined } }
 * readEvent(publishedExampleWithoutAnyName, {}); // { usable: false, reason: "no_participant", … }
 */
export function readEvent(event: WherebyEvent, receipts: Receipts): EventReading {
  let known: KnownEvent;
  let participantIdInferred = false;
  if (isKnownEvent(event) && isKnownEventType(event.type)) known = event;
  else if (!isKnownEventType(event.type)) {
    return { usable: false, reason: "unknown_type", message: `${event.type} is not a type whose part in a meeting is known` };
  } else {
    const standIn = withStandIn(event);
    if (standIn === null) {
      return {
        usable: false,
        reason: "no_participant",
        message: "no participantId, and no display name, externalId or metadata to tell the participant by",
      };
    }
    if (standIn === undefined) {
      return { usable: false, reason: "unexpected_shape", message: "its data does not have the documented shape" };
    }
    known = standIn;
    participantIdInferred = true;
  }
  if (!hasRoom(known)) {
    return { usable: false, reason: "no_room", message: "it names neither a roomSessionId nor a roomName" };
  }
  const created = instantOf(known.createdAt);
  if (Number.isNaN(created)) {
    return { usable: false, reason: "unreadable_time", message: "its createdAt is not a time" };
  }
  const received = receipts.receivedAt?.get(known.id);
  const clockAhead = received !== undefined && created > received + CLOCK_SKEW_MS;
  if (!clockAhead && !participantIdInferred) return { usable: true, timed: { at: created, event: known } };
  const timed: { at: number; event: KnownEvent; clockAhead?: true; participantIdInferred?: true } = {
    at: clockAhead ? received : created,
    event: known,
  };
  if (clockAhead) timed.clockAhead = true;
  if (participantIdInferred) timed.participantIdInferred = true;
  return { usable: true, timed };
}

/** What the derivation made of one event, when it did not take it as it came. */
export interface DerivationNote {
  /** false: the event plays no part in any figure. */
  used: boolean;
  reason: UnusedReason | "clock_ahead" | "participant_inferred";
  message: string;
}

/**
 * Why an event plays no part in the figures, or how it was taken otherwise than as it came; null when it was taken as
 * it came. What `/api/events` shows with each event, and what the service logs and counts as events arrive.
 *
 * @example
 * derivationNote(publishedExample, receivedAt); // { used: true, reason: "participant_inferred", message: "…" }
 */
export function derivationNote(event: WherebyEvent, receivedAt: number): DerivationNote | null {
  const reading = readEvent(event, { receivedAt: new Map([[event.id, receivedAt]]) });
  if (!reading.usable) return { used: false, reason: reading.reason, message: reading.message };
  if (reading.timed.clockAhead) {
    return {
      used: true,
      reason: "clock_ahead",
      message: `its createdAt lies more than ${CLOCK_SKEW_MS / 60_000} minutes after it was received: it counts as made when received`,
    };
  }
  if (reading.timed.participantIdInferred) {
    return {
      used: true,
      reason: "participant_inferred",
      message: `it has no participantId: its participant is told apart by role and name (${reading.timed.event.data.participantId as string})`,
    };
  }
  return null;
}

/**
 * The order of the derivation: by time, then by type, then by id.
 *
 * @example
 * timedEvents.sort(compareTimed);
 */
export function compareTimed(a: TimedEvent, b: TimedEvent): number {
  if (a.at !== b.at) return a.at - b.at;
  return TIE_ORDER[a.event.type] - TIE_ORDER[b.event.type] || compareText(a.event.id, b.event.id);
}

/**
 * One copy of each usable event, in derivation order (see {@link readEvent}). The rest stay in the store but play no
 * part in the figures.
 *
 * @example
 * orderEvents([left, joined, joined], {}).map((timed) => timed.event.type); // ["room.client.joined", "room.client.left"]
 */
export function orderEvents(events: readonly WherebyEvent[], receipts: Receipts): TimedEvent[] {
  const seen = new Set<string>();
  const ordered: TimedEvent[] = [];
  for (const event of events) {
    if (seen.has(event.id)) continue;
    const reading = readEvent(event, receipts);
    if (!reading.usable) continue;
    seen.add(event.id);
    ordered.push(reading.timed);
  }
  return ordered.sort(compareTimed);
}
