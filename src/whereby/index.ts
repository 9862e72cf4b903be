/**
 * `meetmeter/whereby`: what a receiver of Whereby's webhooks needs and nothing more (its only dependency is zod):
 * the events, the signature, a whole delivery from raw bytes to a verdict, and signed participant metadata.
 *
 * @example
 * import { handleWherebyWebhook } from "meetmeter/whereby";
 * const verdict = handleWherebyWebhook({ body: rawBody, headers: req.headers, secrets: ["whsec_…"] });
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
} from "./events.js";

// How to trust it: the signature, and a whole delivery from raw bytes to a verdict.
export {
  DEFAULT_TOLERANCE_SECONDS,
  parseSignatureHeader,
  signWherebyPayload,
  verifyWherebySignature,
  type ParsedSignatureHeader,
  type VerifyOptions,
} from "./signature.js";
export { WebhookError, type WebhookErrorCode } from "./webhook-error.js";
export {
  handleWherebyWebhook,
  MAX_JSON_DEPTH,
  type WebhookDelivery,
  type WebhookHeaders,
  type WebhookVerdict,
} from "./handle-webhook.js";

// Who a participant really is: signed metadata and the links that carry it.
export {
  DEFAULT_METADATA_MAX_AGE_SECONDS,
  signMetadata,
  verifyMetadata,
  type MetadataVerdict,
  type MetadataVerifyOptions,
} from "./metadata.js";
export {
  buildParticipantLink,
  ParticipantLinkError,
  type ParticipantLinkOptions,
  type ParticipantLinkParameter,
} from "./participant-link.js";
