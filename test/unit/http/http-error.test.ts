/** One error shape on node:http and on fastify alike: status, headers and `{"error","message"}`. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { HttpError, internalError, sendError, sendJson } from "../../../src/http/http-error.js";
import { WebhookError } from "../../../src/whereby/webhook-error.js";

const notFound = new HttpError(404, "not_found", "No session with that id.");
const withHeader = new HttpError(405, "method_not_allowed", "Webhooks are delivered with POST.", { headers: { allow: "POST" } });

let server: Server | null = null;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(null));
  server = null;
});

/** Answers every request on a node:http server with `answer`, and fetches one. */
async function viaNode(answer: Parameters<typeof createServer>[1]): Promise<Response> {
  server = createServer(answer);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
}

describe("HttpError", () => {
  it("carries its status, code, message, headers and cause", () => {
    const cause = new Error("socket hang up");
    const error = new HttpError(503, "store_unavailable", "The database cannot be reached right now.", { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: "HttpError", status: 503, code: "store_unavailable", headers: {}, cause });
    expect(withHeader.headers).toEqual({ allow: "POST" });
  });

  it("answers a failure of ours with a 500 that tells nothing of it", () => {
    const error = internalError(new Error("secret detail"));
    expect(error).toMatchObject({ status: 500, code: "internal_error", message: "Something went wrong on our side." });
  });
});

describe("sendError", () => {
  it("writes the status, the error's headers and {error, message} on a node:http response", async () => {
    const res = await viaNode((_request, response) => sendError(response, withHeader));
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await res.json()).toEqual({ error: "method_not_allowed", message: "Webhooks are delivered with POST." });
  });

  it("writes a WebhookError the same way, with headers given besides", async () => {
    const error = new WebhookError("payload_too_large", "The body is larger than 10 bytes (MAX_BODY_BYTES).");
    const res = await viaNode((_request, response) => sendError(response, error, { "x-extra": "1" }));
    expect(res.status).toBe(413);
    expect(res.headers.get("x-extra")).toBe("1");
    expect(await res.json()).toEqual({ error: "payload_too_large", message: "The body is larger than 10 bytes (MAX_BODY_BYTES)." });
  });

  it("writes nothing on a node:http response already answered, and says so", async () => {
    const told: boolean[] = [];
    const res = await viaNode((_request, response) => {
      told.push(sendJson(response, 200, JSON.stringify({ ok: true })));
      told.push(sendError(response, notFound));
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(told).toEqual([true, false]);
  });

  it("writes the same status, headers and body on a fastify reply", async () => {
    const app = Fastify();
    app.get("/missing", async (_request, reply) => sendError(reply, notFound));
    app.get("/post-only", async (_request, reply) => sendError(reply, withHeader));
    const missing = await app.inject({ method: "GET", url: "/missing" });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(missing.json()).toEqual({ error: "not_found", message: "No session with that id." });
    const postOnly = await app.inject({ method: "GET", url: "/post-only" });
    expect(postOnly.statusCode).toBe(405);
    expect(postOnly.headers.allow).toBe("POST");
    expect(postOnly.body).toBe('{"error":"method_not_allowed","message":"Webhooks are delivered with POST."}');
    await app.close();
  });
});
