/** Signed deliveries as Whereby makes them, for tests. */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { signWherebyPayload } from "../../src/whereby/signature.js";
import { FIXTURES } from "./fixtures.js";

export { FIXTURES };

/** The example payload of each event type, by type. */
export function fixtureEvents(): Record<string, Record<string, unknown>> {
  const dir = join(FIXTURES, "events");
  const events: Record<string, Record<string, unknown>> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    const event = JSON.parse(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
    events[event.type as string] = event;
  }
  return events;
}

let counter = 0;
export function uniqueId(prefix = "evt"): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export function joinedEvent(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
  const base = fixtureEvents()["room.client.joined"]!;
  return { ...base, id: uniqueId(), ...overrides, data: { ...(base.data as object), ...data } };
}

export interface DeliverOptions {
  secret: string;
  path?: string;
  header?: string | null;
  timestamp?: number;
  headers?: Record<string, string>;
}

/** POSTs a body (an object is JSON-encoded) signed with the secret, as Whereby does. */
export async function deliver(url: string, body: unknown, options: DeliverOptions): Promise<Response> {
  const raw = typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
  const bytes = typeof raw === "string" ? Buffer.from(raw, "utf8") : Buffer.from(raw);
  const header =
    options.header === undefined
      ? signWherebyPayload({ body: bytes, secret: options.secret, timestamp: options.timestamp })
      : options.header;
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (header !== null) headers["whereby-signature"] = header;
  return fetch(`${url}${options.path ?? "/webhooks/whereby"}`, { method: "POST", headers, body: bytes });
}

export function api(url: string, token: string) {
  return async (path: string): Promise<Response> =>
    fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
}
