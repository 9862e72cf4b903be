/**
 * What Whereby sends: the envelope every webhook shares and the `data` of each documented event type.
 *
 * One zod schema per shape gives both the runtime check and the TypeScript type. Whereby may add fields and types at
 * any time, so every object schema lets unknown keys through and an unknown `type` parses as a {@link GenericEvent}.
 */
import { z } from "zod";
import { ISO_INSTANT_HINT, parseIsoInstant } from "../iso-time.js";

/** The event types Whereby Embedded documents. Adding one here makes the compiler point at every switch that misses it. */
export const EVENT_TYPES = [
  "room.client.joined",
  "room.client.left",
  "room.client.knocked",
  "room.client.knockCancelled",
  "room.session.started",
  "room.session.ended",
  "transcription.started",
  "transcription.finished",
  "transcription.failed",
  "recording.finished",
  "assistant.requested",
] as const;

export type KnownEventType = (typeof EVENT_TYPES)[number];

/** Roles whose connections are machines, not people: kept apart from participant figures. */
export const BOT_ROLES: ReadonlySet<string> = new Set(["recorder", "streamer", "captioner", "assistant"]);

const optionalText = z.string().nullish();

const roomFields = {
  roomName: z.string().optional(),
  meetingId: optionalText,
  roomSessionId: optionalText,
  subdomain: optionalText,
};

const knockFields = {
  ...roomFields,
  participantId: z.string(),
  displayName: optionalText,
  metadata: optionalText,
  externalId: optionalText,
};

const clientFields = {
  ...knockFields,
  roleName: optionalText,
  numClients: z.number().int().nonnegative().optional(),
  numClientsByRoleName: z.record(z.string(), z.number()).nullish(),
  isDialIn: z.boolean().nullish(),
};

const transcriptionFields = {
  ...roomFields,
  transcriptionId: optionalText,
  type: optionalText,
  status: optionalText,
  filename: optionalText,
  storageType: optionalText,
  durationInSeconds: z.number().nullish(),
  recordingId: optionalText,
  error: optionalText,
};

const dataSchemas = {
  "room.client.joined": z.looseObject(clientFields),
  "room.client.left": z.looseObject(clientFields),
  "room.client.knocked": z.looseObject(knockFields),
  "room.client.knockCancelled": z.looseObject(knockFields),
  "room.session.started": z.looseObject(roomFields),
  "room.session.ended": z.looseObject(roomFields),
  "transcription.started": z.looseObject(transcriptionFields),
  "transcription.finished": z.looseObject(transcriptionFields),
  "transcription.failed": z.looseObject(transcriptionFields),
  "recording.finished": z.looseObject({ ...roomFields, recordingId: optionalText, filename: optionalText, status: optionalText }),
  "assistant.requested": z.looseObject(roomFields),
} satisfies Record<KnownEventType, z.ZodType>;

/** A createdAt in ISO 8601 with its zone; the value is kept as sent. */
const timestamp = z.string().refine((value) => parseIsoInstant(value) !== null, `must be ${ISO_INSTANT_HINT}`);

/** The envelope every webhook shares. This is all the endpoint requires before it stores an event. */
export const envelopeSchema = z.looseObject({
  // Not one of the fields an event needs: an odd value must not get a signed event refused.
  apiVersion: z.string().optional().catch(undefined),
  id: z.string().min(1).max(256),
  type: z.string().min(1),
  createdAt: timestamp,
  data: z.unknown().optional(),
});

export type Envelope = z.infer<typeof envelopeSchema>;

/**
 * The envelope's fields, spelled out: `Omit` over the loose envelope type would keep only its index signature and
 * leave `id` and `createdAt` typed `unknown`.
 */
interface EnvelopeFields {
  apiVersion?: string;
  id: string;
  createdAt: string;
}

type EventOf<T extends KnownEventType> = EnvelopeFields & {
  type: T;
  data: z.infer<(typeof dataSchemas)[T]>;
  /** Never set on a known event, so that `if (!event.unrecognised)` narrows to {@link KnownEvent}. */
  unrecognised?: never;
};

export type ClientJoinedEvent = EventOf<"room.client.joined">;
export type ClientLeftEvent = EventOf<"room.client.left">;
export type ClientKnockedEvent = EventOf<"room.client.knocked">;
export type ClientKnockCancelledEvent = EventOf<"room.client.knockCancelled">;
export type SessionStartedEvent = EventOf<"room.session.started">;
export type SessionEndedEvent = EventOf<"room.session.ended">;
export type TranscriptionStartedEvent = EventOf<"transcription.started">;
export type TranscriptionFinishedEvent = EventOf<"transcription.finished">;
export type TranscriptionFailedEvent = EventOf<"transcription.failed">;
export type RecordingFinishedEvent = EventOf<"recording.finished">;
export type AssistantRequestedEvent = EventOf<"assistant.requested">;

/** An event of a type this version does not know, or a known type whose data does not have the documented shape. */
export type GenericEvent = EnvelopeFields & {
  type: string;
  data: Record<string, unknown>;
  /** Set when `type` is known but `data` did not match its schema: the event is kept, and derivation ignores it. */
  unrecognised: true;
};

/**
 * Every event Whereby documents, discriminated on `type`. A {@link WherebyEvent} may also be generic, whose `type` is
 * any string, so narrow it with `isKnownEvent(event)` or `!event.unrecognised` before switching on `type`.
 */
export type KnownEvent = { [T in KnownEventType]: EventOf<T> }[KnownEventType];

export type WherebyEvent = KnownEvent | GenericEvent;

export type EventParseResult =
  | { ok: true; event: WherebyEvent }
  | { ok: false; code: "invalid_event"; message: string };

export function isKnownEventType(type: string): type is KnownEventType {
  return (EVENT_TYPES as readonly string[]).includes(type);
}

export function isKnownEvent(event: WherebyEvent): event is KnownEvent {
  return !("unrecognised" in event);
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

/**
 * Checks an already parsed JSON value. The envelope must hold (`id`, `type`, `createdAt`); the `data` of a known type
 * is checked against its schema, and a mismatch still yields a stored {@link GenericEvent}, never a rejection.
 *
 * @example
 * const result = parseEvent(JSON.parse(body));
 * if (result.ok && !result.event.unrecognised && result.event.type === "room.client.joined") {
 *   result.event.data.participantId; // string
 * }
 */
export function parseEvent(value: unknown): EventParseResult {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, code: "invalid_event", message: "The body must be a JSON object." };
  }
  const envelope = envelopeSchema.safeParse(value);
  if (!envelope.success) return { ok: false, code: "invalid_event", message: describe(envelope.error) };
  const { type } = envelope.data;
  const rawData = envelope.data.data;
  const isObject = typeof rawData === "object" && rawData !== null && !Array.isArray(rawData);
  const data = isObject ? rawData : {};
  // A known type whose data is there but not an object has the wrong shape: generic, not a known event without data.
  if (isKnownEventType(type) && (isObject || rawData === undefined || rawData === null)) {
    const parsed = dataSchemas[type].safeParse(data);
    if (parsed.success) return { ok: true, event: { ...envelope.data, type, data: parsed.data } as KnownEvent };
  }
  return { ok: true, event: { ...envelope.data, type, data: data as Record<string, unknown>, unrecognised: true } };
}
