/**
 * Sends what the outbox holds (SPEC §10): takes the deliveries that are due and that no sender holds, posts each to
 * its endpoint signed in the Standard Webhooks format, and records the try: a 2xx within the timeout is delivered;
 * anything else is tried again after the next step of the retry schedule, and after its last step the delivery is
 * failed. Any number of processes send from one PostgreSQL outbox: a delivery is held by the one that took it.
 */
import http from "node:http";
import https from "node:https";
import type { DeliveryAttempt, DeliveryStatus, DueDelivery, Outbox, TriedDelivery } from "../store/event-store.js";
import { publicOnlyLookup } from "./endpoint-rules.js";
import { signStandard } from "./standard-webhooks.js";

/** Deliveries taken at once. */
const BATCH = 200;
/** What a try may read of an answer: the status is what counts. */
const ANSWER_BYTES = 64 * 1024;

export interface SenderSettings {
  /** Seconds before each try, the first try's first; after the last a delivery is failed. */
  retrySchedule: readonly number[];
  timeoutSeconds: number;
  denyPrivateAddresses: boolean;
  /** Told of each try's outcome: delivered, retrying or failed. */
  onOutcome?: (outcome: "delivered" | "retrying" | "failed") => void;
}

/** The status and time of one POST, or why it got none. */
type Answer = { status: number | null; error: string | null };

export class Sender {
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(
    private readonly store: Pick<Outbox, "claimDue" | "recordTries" | "nextDue">,
    private readonly settings: SenderSettings,
  ) {
    const lookup = settings.denyPrivateAddresses ? publicOnlyLookup : undefined;
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: 64, lookup }),
      https: new https.Agent({ keepAlive: true, maxSockets: 64, lookup }),
    };
  }

  /** Sends the deliveries due by `now`, a batch at a time, until none is left; answers how many were tried. */
  async sendDue(now = Date.now): Promise<number> {
    let tried = 0;
    for (;;) {
      const at = now();
      // Looked for with a read first: on SQLite a claim is a write, which waits for the writer thread's transaction
      // with the thread that answers HTTP, and most of the time nothing is due.
      const next = await this.store.nextDue(new Date(at).toISOString());
      if (next === null || Date.parse(next) > at) return tried;
      // Held for twice the timeout and more: a batch's tries all end within one timeout, and then are recorded, so a
      // delivery is never sent by two processes at once. One held by a process that died waits this long.
      const lockedUntil = new Date(at + (2 * this.settings.timeoutSeconds + 15) * 1000).toISOString();
      const due = await this.store.claimDue(new Date(at).toISOString(), lockedUntil, BATCH);
      const tries = await Promise.all(due.map((delivery) => this.send(delivery, now)));
      await this.store.recordTries(tries);
      tried += due.length;
      if (due.length < BATCH) return tried;
    }
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private async send(delivery: DueDelivery, now: () => number): Promise<TriedDelivery> {
    const started = now();
    const headers = signStandard(delivery.secret, delivery.id, Math.floor(started / 1000), delivery.payload);
    const answer = await this.post(delivery.url, headers, delivery.payload);
    const attempt: DeliveryAttempt = {
      at: new Date(started).toISOString(),
      status: answer.status,
      error: answer.error,
      durationMs: Math.round(now() - started),
    };
    const attempts = [...delivery.attempts, attempt];
    const delivered = answer.status !== null && answer.status >= 200 && answer.status < 300;
    const step = attempts.length - delivery.scheduleFrom;
    const next = this.settings.retrySchedule[step];
    const status: DeliveryStatus = delivered ? "delivered" : next === undefined ? "failed" : "pending";
    this.settings.onOutcome?.(delivered ? "delivered" : status === "failed" ? "failed" : "retrying");
    const nextAttemptAt = status === "pending" ? new Date(now() + next! * 1000).toISOString() : null;
    return { id: delivery.id, lockedUntil: delivery.lockedUntil, status, attempts, nextAttemptAt };
  }

  private post(url: string, headers: Record<string, string>, body: string): Promise<Answer> {
    return new Promise((resolve) => {
      const target = new URL(url);
      const client = target.protocol === "https:" ? https : http;
      const agent = target.protocol === "https:" ? this.agents.https : this.agents.http;
      const request = client.request(
        target,
        {
          method: "POST",
          agent,
          signal: AbortSignal.timeout(this.settings.timeoutSeconds * 1000),
          headers: { ...headers, "content-type": "application/json", "user-agent": "meetmeter", "content-length": Buffer.byteLength(body) },
        },
        (response) => {
          let read = 0;
          response.on("data", (chunk: Buffer) => {
            read += chunk.length;
            if (read > ANSWER_BYTES) response.destroy();
          });
          const done = () => resolve({ status: response.statusCode ?? null, error: null });
          response.on("end", done);
          response.on("close", done);
          response.on("error", done);
        },
      );
      request.on("error", (error: Error) => {
        const timedOut = error.name === "AbortError" || error.name === "TimeoutError";
        resolve({ status: null, error: timedOut ? `no answer within ${this.settings.timeoutSeconds} s` : error.message });
      });
      request.end(body);
    });
  }
}
