/**
 * The live stream (`GET /api/events/stream`) as tests read it: each event parsed as the dashboard parses the stream,
 * with the `id:` it came with and the id and place its JSON names.
 */
import { SseParser } from "../../src/dashboard/app/src/sse.js";

export interface StreamedEvent {
  /** The event's id (its JSON's `id`). */
  id: string;
  /** Its place in the log (its JSON's `seq`). */
  seq: number;
  /** The SSE `id:` it came with. */
  eventId: string | null;
  /** The SSE event name ("message" when unnamed). */
  name: string;
}

export interface StreamOptions {
  /** Sent as the Last-Event-ID header. */
  lastEventId?: string | number;
  /** Sent as `?after=`. */
  after?: string | number;
}

export interface OpenStream {
  response: Response;
  /** Every event so far, in the order they came. */
  events: StreamedEvent[];
  /** Resolves once `condition` holds of the events so far; fails after `timeoutMs`. */
  until(condition: (events: StreamedEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Opens the stream with the token; resolves once its headers are in (the server knows where it starts by then). */
export async function openStream(url: string, token: string, options: StreamOptions = {}): Promise<OpenStream> {
  const controller = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (options.lastEventId !== undefined) headers["last-event-id"] = String(options.lastEventId);
  const query = options.after === undefined ? "" : `?after=${encodeURIComponent(String(options.after))}`;
  const response = await fetch(`${url}/api/events/stream${query}`, { headers, signal: controller.signal });
  const events: StreamedEvent[] = [];
  const reading = (async () => {
    if (!response.ok || !response.body) return;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        for (const message of parser.push(decoder.decode(value, { stream: true }))) {
          const { id, seq } = JSON.parse(message.data) as { id: string; seq: number };
          events.push({ id, seq, eventId: message.id, name: message.event });
        }
      }
    } catch {
      // Closed by the test, or by the server.
    }
  })();
  return {
    response,
    events,
    until: (condition, timeoutMs) => until("the live stream's events", () => condition(events), timeoutMs),
    async close() {
      controller.abort();
      await reading;
    },
  };
}
