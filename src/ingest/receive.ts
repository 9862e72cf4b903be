/**
 * One webhook delivery from raw bytes to an answer: verify, parse, commit, in the order of SPEC §2.
 * Framework-free, so that the HTTP route stays a thin adapter.
 */
import { derivationNote, partitionKeyOf, roomNameOf, sessionIdOf, type DerivationNote } from "../attendance/index.js";
import { instantOf } from "../iso-time.js";
import type { IncomingEvent, QuarantineLog } from "../store/event-store.js";
import type { WherebyEvent } from "../whereby/events.js";
import { handleWherebyWebhook, readWebhookEvent, type WebhookVerdict } from "../whereby/handle-webhook.js";
import { SIGNATURE_HEADER } from "../whereby/signature.js";
import { WebhookError } from "../whereby/webhook-error.js";
import {
  EventRefusedError,
  STORE_DEADLINE_MS,
  StoreBusyError,
  StoreTimeoutError,
  type GroupCommitter,
} from "./group-commit.js";

export interface Delivery {
  body: Buffer;
  signatureHeader: string | undefined;
  channel: string | null;
}

export interface Accepted {
  ok: true;
  id: string;
  type: string;
  duplicate: boolean;
  /** How the figures take the event, when not as it came (see derivationNote): for the log and the metrics. */
  note: DerivationNote | null;
}

export interface ReceiverOptions {
  /** Where validly signed bodies that are not usable events are kept: off the thread that answers, ideally. */
  quarantine: Pick<QuarantineLog, "quarantine">;
  committer: GroupCommitter;
  secrets: readonly string[];
  toleranceSeconds: number;
  /** Skips the signature check entirely: for local experiments only. */
  insecureSkipVerification: boolean;
  onUnverified?: () => void;
}

export type Receiver = (delivery: Delivery) => Promise<Accepted>;

/** A parsed event as the log keeps it: its time in UTC, and the room, session and partition it belongs to. */
export function toIncomingEvent(
  event: WherebyEvent,
  arrival: { receivedAt: string; channel: string | null; body: Buffer },
): IncomingEvent {
  return {
    id: event.id,
    type: event.type,
    createdAt: new Date(instantOf(event.createdAt)).toISOString(),
    roomName: roomNameOf(event),
    roomSessionId: sessionIdOf(event),
    partitionKey: partitionKeyOf(event),
    ...arrival,
  };
}

/**
 * Makes the receiver. It resolves with the acknowledgement only after the event is committed, and throws a
 * WebhookError for every refusal.
 */
export function createReceiver(options: ReceiverOptions): Receiver {
  async function quarantine(delivery: Delivery, error: WebhookError): Promise<never> {
    const kept = options.quarantine.quarantine([
      {
        receivedAt: new Date().toISOString(),
        channel: delivery.channel,
        reason: error.code,
        message: error.message,
        body: delivery.body,
      },
    ]);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoreTimeoutError(STORE_DEADLINE_MS)), STORE_DEADLINE_MS);
    });
    try {
      await Promise.race([kept, late]);
    } catch (cause) {
      throw new WebhookError("store_unavailable", "The store cannot take this delivery right now; retry later.", {
        cause,
      });
    } finally {
      clearTimeout(timer);
    }
    throw error;
  }

  /** The library's verdict on a delivery (see handle-webhook.ts): verified, then read. */
  function judge(delivery: Delivery): WebhookVerdict {
    if (!options.insecureSkipVerification) {
      const { secrets, toleranceSeconds } = options;
      const headers = { [SIGNATURE_HEADER]: delivery.signatureHeader };
      return handleWherebyWebhook({ body: delivery.body, headers, secrets, toleranceSeconds });
    }
    options.onUnverified?.();
    return readWebhookEvent(delivery.body);
  }

  return async function receive(delivery) {
    const verdict = judge(delivery);
    if (!verdict.ok) {
      const error = new WebhookError(verdict.error, verdict.message);
      // A signed body that is no usable event is kept; an unsigned one is nobody's to keep.
      if (error.status === 400) return quarantine(delivery, error);
      throw error;
    }
    const { event } = verdict;
    const receivedAt = new Date().toISOString();
    const incoming = toIncomingEvent(event, { receivedAt, channel: delivery.channel, body: delivery.body });
    try {
      const { stored } = await options.committer.submit(incoming);
      const note = derivationNote(event, Date.parse(receivedAt));
      return { ok: true, id: event.id, type: event.type, duplicate: !stored, note };
    } catch (cause) {
      // Never storable as it is, so a retry cannot help: kept in the quarantine, and a 4xx that Whereby does not retry.
      if (cause instanceof EventRefusedError) {
        return quarantine(delivery, new WebhookError("invalid_event", `The store cannot keep this event: ${cause.reason}.`));
      }
      const message =
        cause instanceof StoreBusyError
          ? "Too many deliveries are waiting for the store; retry later."
          : cause instanceof StoreTimeoutError
            ? `The store did not take this event within ${cause.deadlineMs / 1000} s; retry later.`
            : "The store cannot take this event right now; retry later.";
      throw new WebhookError("store_unavailable", message, { cause });
    }
  };
}
