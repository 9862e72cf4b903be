import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleWherebyWebhook, MAX_JSON_DEPTH, type WebhookDelivery } from "../../../src/whereby/handle-webhook.js";
import { signWherebyPayload } from "../../../src/whereby/signature.js";

const secret = "whsec_handler_tests";
const now = 1_772_442_000;
const event = {
  apiVersion: "1.0",
  id: "evt-42",
  createdAt: "2026-03-02T09:00:04.120Z",
  type: "room.client.joined",
  data: { roomName: "/math-101", roomSessionId: "s-1", participantId: "p-1", numClients: 2 },
};
const body = JSON.stringify(event);

function signed(raw: string | Uint8Array, timestamp = now): WebhookDelivery {
  return { body: raw, headers: { "whereby-signature": signWherebyPayload({ body: raw, secret, timestamp }) }, secrets: [secret], now };
}

function outcome(delivery: WebhookDelivery): string {
  const verdict = handleWherebyWebhook(delivery);
  return verdict.ok ? "ok" : `${verdict.status} ${verdict.error}`;
}

describe("handleWherebyWebhook", () => {
  it("returns the parsed event of a genuine delivery", () => {
    const verdict = handleWherebyWebhook(signed(body));
    expect(verdict).toEqual({ ok: true, event });
  });

  it("reads the header from Fetch Headers and from any capitalisation of a plain object", () => {
    const header = signWherebyPayload({ body, secret, timestamp: now });
    expect(outcome({ body, headers: new Headers({ "Whereby-Signature": header }), secrets: [secret], now })).toBe("ok");
    expect(outcome({ body, headers: { "Whereby-Signature": header }, secrets: [secret], now })).toBe("ok");
    expect(outcome({ body, headers: { "whereby-signature": [header] }, secrets: [secret], now })).toBe("ok");
  });

  it("answers every refusal with its status, code and a sentence", () => {
    const verdict = handleWherebyWebhook({ body, headers: {}, secrets: [secret], now });
    expect(verdict).toEqual({
      ok: false,
      status: 401,
      error: "missing_signature",
      message: "The Whereby-Signature header is missing or empty.",
    });
  });

  const order: [string, WebhookDelivery, string][] = [
    ["no header, and a body that is not JSON", { body: "{", headers: {}, secrets: [secret], now }, "401 missing_signature"],
    ["a header without t=, and a body that is not JSON", { body: "{", headers: { "whereby-signature": "v1=ab" }, secrets: [secret], now }, "401 malformed_signature"],
    ["a wrong signature with an old timestamp", { ...signed(body, now - 3600), secrets: ["another"] }, "401 invalid_signature"],
    ["a genuine signature with an old timestamp on a body that is not JSON", signed("{", now - 3600), "401 timestamp_out_of_tolerance"],
    ["a genuine signature one second inside the tolerance", signed(body, now - 299), "ok"],
    ["a genuine signature over a body that is not JSON", signed("{"), "400 invalid_json"],
    ["a genuine signature over bytes that are not UTF-8", signed(Buffer.from("//57ImlkIjoieCJ9", "base64")), "400 invalid_json"],
    ["a genuine signature over a JSON array", signed("[]"), "400 invalid_event"],
    ["a genuine signature over an event without an id", signed(JSON.stringify({ ...event, id: undefined })), "400 invalid_event"],
    ["a genuine signature over an event of an unknown type", signed(JSON.stringify({ ...event, type: "room.future" })), "ok"],
  ];
  for (const [name, delivery, expected] of order) {
    it(`${name}: ${expected}`, () => {
      expect(outcome(delivery)).toBe(expected);
    });
  }

  it("says which envelope field is missing", () => {
    const verdict = handleWherebyWebhook(signed(JSON.stringify({ ...event, createdAt: "soon" })));
    expect(verdict).toMatchObject({ ok: false, error: "invalid_event", message: expect.stringContaining("createdAt") });
  });

  it(`refuses fields nested deeper than ${MAX_JSON_DEPTH} levels as unusable, counting brackets inside strings as text`, () => {
    const nest = (levels: number): unknown => {
      let value: unknown = "bottom";
      for (let i = 0; i < levels; i++) value = i % 2 === 0 ? { inner: value } : [value];
      return value;
    };
    // The envelope is one level and data a second, so data's contents may nest MAX_JSON_DEPTH - 2 more.
    const deepest = { ...event, data: { ...event.data, extra: nest(MAX_JSON_DEPTH - 2) } };
    expect(outcome(signed(JSON.stringify(deepest)))).toBe("ok");
    const deeper = { ...event, data: { ...event.data, extra: nest(MAX_JSON_DEPTH - 1) } };
    const verdict = handleWherebyWebhook(signed(JSON.stringify(deeper)));
    expect(verdict).toMatchObject({ ok: false, status: 400, error: "invalid_event", message: expect.stringContaining("64 levels") });
    const brackets = { ...event, data: { ...event.data, displayName: `\\"${"[{".repeat(200)}` } };
    expect(outcome(signed(JSON.stringify(brackets)))).toBe("ok");
  });

  it("honours a custom tolerance", () => {
    expect(outcome({ ...signed(body, now - 600), toleranceSeconds: 900 })).toBe("ok");
    expect(outcome({ ...signed(body, now - 60), toleranceSeconds: 30 })).toBe("401 timestamp_out_of_tolerance");
  });
});

describe("handleWherebyWebhook behind a real node:http server", () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const verdict = handleWherebyWebhook({ body: Buffer.concat(chunks), headers: request.headers, secrets: [secret] });
        response.writeHead(verdict.ok ? 200 : verdict.status, { "content-type": "application/json" });
        response.end(JSON.stringify(verdict.ok ? { ok: true, id: verdict.event.id } : { error: verdict.error, message: verdict.message }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("accepts a delivery signed now", async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Whereby-Signature": signWherebyPayload({ body, secret }), "content-type": "application/json" },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, id: "evt-42" });
  });

  it("refuses a delivery signed with another secret", async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Whereby-Signature": signWherebyPayload({ body, secret: "other" }) },
      body,
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: "invalid_signature" });
  });
});
