/** A burst of signed deliveries with a few in flight at once, recording what each one was answered. */
import { signWherebyPayload } from "../../src/whereby/signature.js";

export interface Delivered {
  id: string;
  /** The HTTP status, or 0 when no answer came (connection refused or cut). */
  status: number;
  /** The answer's `duplicate` flag, when it was a 200. */
  duplicate: boolean | null;
}

async function deliverOne(url: string, event: { id: string }, secret: string): Promise<Delivered> {
  const body = Buffer.from(JSON.stringify(event));
  try {
    const res = await fetch(`${url}/webhooks/whereby`, {
      method: "POST",
      headers: { "content-type": "application/json", "whereby-signature": signWherebyPayload({ body, secret }) },
      body,
      signal: AbortSignal.timeout(15_000),
    });
    const answer = (await res.json()) as { duplicate?: boolean };
    return { id: event.id, status: res.status, duplicate: res.status === 200 ? answer.duplicate === true : null };
  } catch {
    return { id: event.id, status: 0, duplicate: null };
  }
}

/**
 * Delivers every event, `concurrency` at a time, and calls `onAnswered` with the running count of answers received
 * (of any status): the moment to pull the plug from.
 *
 * @example
 * const outcomes = await deliverAll(server.url, events, secret, 16, (n) => n === 50 && child.kill("SIGKILL"));
 */
export async function deliverAll(
  url: string,
  events: readonly { id: string }[],
  secret: string,
  concurrency: number,
  onAnswered: (answered: number) => void = () => {},
): Promise<Delivered[]> {
  const outcomes: Delivered[] = [];
  let next = 0;
  let answered = 0;
  const worker = async () => {
    while (next < events.length) {
      const event = events[next++]!;
      const outcome = await deliverOne(url, event, secret);
      outcomes.push(outcome);
      if (outcome.status !== 0) onAnswered(++answered);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}
