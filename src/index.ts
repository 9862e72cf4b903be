/**
 * meetmeter as a library: what a TypeScript app needs to receive Whereby's webhooks itself and to issue signed
 * participant links.
 *
 * @example
 * import { handleWherebyWebhook, buildParticipantLink } from "meetmeter";
 * const verdict = handleWherebyWebhook({ body: rawBody, headers: req.headers, secrets: ["whsec_…"] });
 * const link = buildParticipantLink({ roomUrl, subject: "student-2231", secret: metadataSecret });
 */

// What Whereby sends: the events, discriminated on `type`.
export {
  BOT_ROLES,
  EVENT_TYPES,
  isKnownEvent,
  isKnownEventType,
  parseEvent,
  type AssistantRequestedEvent,
  type ClientJoinedEvent,
  type ClientKnockCancelledEvent,
  type ClientKnockedEvent,
  type ClientLeftEvent,
  type EventParseResult,
  type GenericEvent,
  type KnownEvent,
  type KnownEventType,
  type RecordingFinishedEvent,
  type SessionEndedEvent,
  type SessionStartedEvent,
  type TranscriptionFailedEvent,
  type TranscriptionFinishedEvent,
  type TranscriptionStartedEvent,
  type WherebyEvent,
} from "./whereby/events.js";

// How to trust it: the signature, and a whole delivery from raw bytes to a verdict.
export {
  DEFAULT_TOLERANCE_SECONDS,
  parseSignatureHeader,
  signWherebyPayload,
  verifyWherebySignature,
  type ParsedSignatureHeader,
  type VerifyOptions,
} from "./whereby/signature.js";
export { WebhookError, type WebhookErrorCode } from "./whereby/webhook-error.js";
export {
  handleWherebyWebhook,
  MAX_JSON_DEPTH,
  type WebhookDelivery,
  type WebhookHeaders,
  type WebhookVerdict,
} from "./whereby/handle-webhook.js";

// Who a participant really is: signed metadata and the links that carry it.
export {
  DEFAULT_METADATA_MAX_AGE_SECONDS,
  signMetadata,
  verifyMetadata,
  type MetadataVerdict,
  type MetadataVerifyOptions,
} from "./whereby/metadata.js";
export {
  buildParticipantLink,
  ParticipantLinkError,
  type ParticipantLinkOptions,
  type ParticipantLinkParameter,
} from "./whereby/participant-link.js";

// What it means: the pure derivation from events to sessions, connections, persons and participant minutes.
export { deriveSessions, partitionKeyOf, type DeriveOptions } from "./attendance/index.js";
export type {
  Artifact,
  Connection,
  Knock,
  Person,
  SessionDetail,
  SessionSummary,
  TimelinePoint,
} from "./attendance/types.js";
