/**
 * Checked by the compiler only (`tsc --noEmit`): narrowing an event on `type` gives that type's `data`.
 */
import { expectTypeOf } from "vitest";
import type {
  ClientJoinedEvent,
  GenericEvent,
  KnownEvent,
  SessionStartedEvent,
  TranscriptionFinishedEvent,
  WherebyEvent,
} from "../../../src/whereby/events.js";
import { isKnownEvent } from "../../../src/whereby/events.js";

export function envelopeFieldsAreTyped(event: WherebyEvent): void {
  expectTypeOf(event.id).toEqualTypeOf<string>();
  expectTypeOf(event.createdAt).toEqualTypeOf<string>();
  expectTypeOf(event.type).toEqualTypeOf<string>();
}

export function switchOnAKnownEvent(event: KnownEvent): void {
  switch (event.type) {
    case "room.client.joined":
      expectTypeOf(event).toEqualTypeOf<ClientJoinedEvent>();
      expectTypeOf(event.data.participantId).toEqualTypeOf<string>();
      expectTypeOf(event.data.numClients).toEqualTypeOf<number | undefined>();
      expectTypeOf(event.data.metadata).toEqualTypeOf<string | null | undefined>();
      break;
    case "room.session.started":
      expectTypeOf(event).toEqualTypeOf<SessionStartedEvent>();
      // Unknown keys pass through, so a field of another type is unknown here, not a string.
      expectTypeOf(event.data.participantId).toBeUnknown();
      break;
    case "transcription.finished":
      expectTypeOf(event).toEqualTypeOf<TranscriptionFinishedEvent>();
      expectTypeOf(event.data.durationInSeconds).toEqualTypeOf<number | null | undefined>();
      break;
  }
}

export function narrowAParsedEvent(event: WherebyEvent): void {
  if (!event.unrecognised && event.type === "room.client.left") {
    expectTypeOf(event.data.participantId).toEqualTypeOf<string>();
  }
  if (isKnownEvent(event) && event.type === "room.client.knocked") {
    expectTypeOf(event.data.participantId).toEqualTypeOf<string>();
  }
  if (event.unrecognised) {
    expectTypeOf(event).toEqualTypeOf<GenericEvent>();
    expectTypeOf(event.data).toEqualTypeOf<Record<string, unknown>>();
  }
}

export function switchesMustBeExhaustive(event: KnownEvent): string {
  switch (event.type) {
    case "room.client.joined":
    case "room.client.left":
    case "room.client.knocked":
    case "room.client.knockCancelled":
    case "room.session.started":
    case "room.session.ended":
    case "transcription.started":
    case "transcription.finished":
    case "transcription.failed":
    case "recording.finished":
    case "assistant.requested":
      return event.type;
    default:
      expectTypeOf(event).toBeNever();
      return event;
  }
}

// @ts-expect-error an event type Whereby does not document cannot be a known event
export const notAKnownType: KnownEvent["type"] = "room.client.raisedHand";
