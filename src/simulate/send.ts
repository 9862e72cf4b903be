/**
 * Delivers events to a webhook endpoint the way Whereby does: each request signed at the moment it is sent, a retry
 * only after a 5xx answer or after the timeout passes without one (the request is abandoned), twice at most with a
 * short backoff, and never after a 4xx.
 */
import http from "node:http";
import https from "node:https";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { WherebyEvent } from "../whereby/events.js";
import { signWherebyPayload } from "../whereby/signature.js";

/** Where and how to deliver; the timings default to Whereby's own. */
export interface SendOptions {
  /** The endpoint, e.g. `http://127.0.0.1:8000/webhooks/whereby`. */
  url: string;
  /** The webhook secret the endpoint verifies with. */
  secret: string;
  /** Requests in flight at once; retries waiting out their backoff do not hold one. Default 16. */
  concurrency?: number;
  /** Most events started per second; no limit by default. */
  rate?: number;
  /** How long to wait for an answer before abandoning the request and retrying. Default 5000, as Whereby waits. */
  timeoutMs?: number;
  /** The wait before each retry; its length is the number of retries. Default [1000, 2000]. */
  retryDelaysMs?: readonly number[];
  /** Told after each event is settled: acknowledged, rejected or given up. */
  onProgress?: (settled: number, total: number) => void;
}

/** What became of the deliveries. */
export interface SendResult {
  /** Deliveries handed to the sender (a chaos run's duplicates included). */
  sent: number;
  /** HTTP requests made, retries included. */
  attempts: number;
  /** Deliveries answered 2xx. */
  acknowledged: number;
  /** Of the acknowledged, those the endpoint said it already had (`"duplicate": true`). */
  duplicates: number;
  /** Deliveries answered 4xx (or any other non-2xx below 500), never retried, by status and error code, e.g.
   * `{"401 invalid_signature": 3}`. */
  rejected: Record<string, number>;
  /** Requests made again after a 5xx answer or no answer in time. */
  retried: number;
  /** Deliveries given up after the last retry. */
  failed: number;
  /** Why each given-up delivery's last attempt failed: a 5xx status, `timeout`, or a network error code. */
  failures: Record<string, number>;
  /** Of the requests that got an answer, in milliseconds. */
  latencyMs: { p50: number; p99: number };
  elapsedMs: number;
}

type Outcome = { answered: true; status: number; body: string } | { answered: false; reason: string };

/** A counting semaphore: at most `size` requests in flight. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  take(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

function post(target: URL, agent: http.Agent, body: Buffer, signature: string, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const request = (target.protocol === "https:" ? https : http).request(target, {
      method: "POST",
      agent,
      headers: { "Content-Type": "application/json", "Content-Length": body.length, "Whereby-Signature": signature },
    });
    const timer = setTimeout(() => {
      settle({ answered: false, reason: "timeout" });
      request.destroy();
    }, timeoutMs);
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        settle({ answered: true, status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
      response.on("error", (error: NodeJS.ErrnoException) => settle({ answered: false, reason: error.code ?? error.message }));
    });
    request.on("error", (error: NodeJS.ErrnoException) => settle({ answered: false, reason: error.code ?? error.message }));
    request.end(body);
  });
}

function jsonField(body: string, field: string): unknown {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>)[field] : undefined;
  } catch {
    return undefined;
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
}

function count(tally: Record<string, number>, key: string): void {
  tally[key] = (tally[key] ?? 0) + 1;
}

function checkOptions(options: SendOptions): URL {
  let target: URL;
  try {
    target = new URL(options.url);
  } catch {
    throw new RangeError(`url must be an http:// or https:// URL, got "${options.url}".`);
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw new RangeError(`url must be an http:// or https:// URL, got "${options.url}".`);
  }
  if (options.concurrency !== undefined && (!Number.isSafeInteger(options.concurrency) || options.concurrency < 1)) {
    throw new RangeError(`concurrency must be a whole number of 1 or more, got ${options.concurrency}.`);
  }
  if (options.rate !== undefined && !(options.rate > 0 && Number.isFinite(options.rate))) {
    throw new RangeError(`rate must be a number of events per second above 0, got ${options.rate}.`);
  }
  return target;
}

/**
 * Sends events in order (up to `concurrency` at once) and counts what became of them.
 * @throws {RangeError} for a URL that is not http(s) or a bad concurrency or rate
 *
 * @example
 * const result = await sendEvents(events, { url: `${base}/webhooks/whereby`, secret, concurrency: 64 });
 * console.log(`${result.acknowledged}/${result.sent} acknowledged, p99 ${result.latencyMs.p99} ms`);
 */
export async function sendEvents(events: readonly WherebyEvent[], options: SendOptions): Promise<SendResult> {
  const target = checkOptions(options);
  const concurrency = options.concurrency ?? 16;
  const timeoutMs = options.timeoutMs ?? 5000;
  const retryDelays = options.retryDelaysMs ?? [1000, 2000];
  const agent = new (target.protocol === "https:" ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: concurrency });
  const slots = new Slots(concurrency);
  const result: SendResult = {
    sent: events.length,
    attempts: 0,
    acknowledged: 0,
    duplicates: 0,
    rejected: {},
    retried: 0,
    failed: 0,
    failures: {},
    latencyMs: { p50: 0, p99: 0 },
    elapsedMs: 0,
  };
  const latencies: number[] = [];
  let settled = 0;

  // Called holding a slot; gives it back during each backoff, so waiting retries do not hold up other deliveries.
  const deliver = async (event: WherebyEvent): Promise<void> => {
    const body = Buffer.from(JSON.stringify(event), "utf8");
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        await sleep(retryDelays[attempt - 1]);
        await slots.take();
        result.retried += 1;
      }
      result.attempts += 1;
      const sentAt = performance.now();
      const outcome = await post(target, agent, body, signWherebyPayload({ body, secret: options.secret }), timeoutMs);
      slots.give();
      if (outcome.answered) latencies.push(performance.now() - sentAt);
      if (outcome.answered && outcome.status >= 200 && outcome.status < 300) {
        result.acknowledged += 1;
        if (jsonField(outcome.body, "duplicate") === true) result.duplicates += 1;
        break;
      }
      if (outcome.answered && outcome.status < 500) {
        const code = jsonField(outcome.body, "error");
        count(result.rejected, typeof code === "string" ? `${outcome.status} ${code}` : String(outcome.status));
        break;
      }
      if (attempt >= retryDelays.length) {
        result.failed += 1;
        count(result.failures, outcome.answered ? String(outcome.status) : outcome.reason);
        break;
      }
    }
    settled += 1;
    options.onProgress?.(settled, events.length);
  };

  const began = performance.now();
  const pending = new Set<Promise<void>>();
  try {
    for (let i = 0; i < events.length; i++) {
      if (options.rate !== undefined) {
        const wait = began + (i * 1000) / options.rate - performance.now();
        // Timers are coarse: below a millisecond, go on and let the next wait make up for it.
        if (wait >= 1) await sleep(wait);
      }
      await slots.take();
      const delivery: Promise<void> = deliver(events[i] as WherebyEvent).finally(() => pending.delete(delivery));
      pending.add(delivery);
    }
    await Promise.all(pending);
  } finally {
    agent.destroy();
  }
  const sorted = Float64Array.from(latencies).sort();
  result.latencyMs = { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
  result.elapsedMs = performance.now() - began;
  return result;
}
