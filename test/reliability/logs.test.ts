/**
 * The logs of `meetmeter serve` at info level: one structured line per delivery with its event id and outcome, and
 * never the API token, a secret, a Whereby-Signature value or a body.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWherebyPayload } from "../../src/whereby/signature.js";
import { deliver, joinedEvent } from "../helpers/deliver.js";
import { startServerProcess } from "../helpers/server.js";
import { openTestStore, type TestStore } from "../helpers/stores.js";

const CANARY = `canary${randomBytes(6).toString("hex")}`;
const SECRETS = [`whsec_current_${CANARY}`, `whsec_previous_${CANARY}`];
const METADATA_SECRET = `metadata_secret_${CANARY}`;
const TOKEN = `token_${CANARY}_0123456789`;
const MAX_BODY = 2048;

interface LogLine {
  level: number;
  msg: string;
  outcome?: string;
  eventId?: string;
  [field: string]: unknown;
}

describe("logs at info level", () => {
  let testStore: TestStore;
  let output = "";
  const signatures: string[] = [];
  const bodies: string[] = [];
  const stored = joinedEvent({}, { displayName: `Body ${CANARY} stored`, metadata: `subject ${CANARY}` });
  const onChannel = joinedEvent({}, { displayName: `Body ${CANARY} channel` });
  /** The outcome each delivery below must be logged with, in the order sent. */
  const expected: string[] = [];

  beforeAll(async () => {
    testStore = await openTestStore("sqlite");
    await testStore.store.close();
    const server = await startServerProcess({
      LOG_LEVEL: "info",
      WHEREBY_WEBHOOK_SECRET: SECRETS.join(","),
      MEETMETER_METADATA_SECRET: METADATA_SECRET,
      MEETMETER_API_TOKEN: TOKEN,
      DATABASE_URL: testStore.databaseUrl,
      MAX_BODY_BYTES: String(MAX_BODY),
    });
    const send = async (outcome: string, body: unknown, options: { secret: string; header?: string | null; timestamp?: number; path?: string }) => {
      const raw = typeof body === "string" ? body : JSON.stringify(body);
      const header = options.header === undefined ? signWherebyPayload({ body: raw, secret: options.secret, timestamp: options.timestamp }) : options.header;
      if (header) signatures.push(header);
      bodies.push(raw);
      expected.push(outcome);
      const res = await deliver(server.url, raw, { ...options, header });
      await res.arrayBuffer();
    };
    const now = Math.floor(Date.now() / 1000);
    await send("stored", stored, { secret: SECRETS[0]! });
    await send("duplicate", stored, { secret: SECRETS[1]! });
    await send("stored", onChannel, { secret: SECRETS[1]!, path: "/webhooks/whereby/joins" });
    await send("invalid_signature", joinedEvent({}, { displayName: `Body ${CANARY} forged` }), { secret: `whsec_forger_${CANARY}` });
    await send("timestamp_out_of_tolerance", joinedEvent({}, { displayName: `Body ${CANARY} old` }), { secret: SECRETS[0]!, timestamp: now - 3600 });
    await send("missing_signature", joinedEvent({}, { displayName: `Body ${CANARY} unsigned` }), { secret: "", header: null });
    await send("malformed_signature", joinedEvent({}, { displayName: `Body ${CANARY} malformed` }), { secret: "", header: `t=${now}` });
    await send("invalid_json", `Body ${CANARY} is not JSON`, { secret: SECRETS[0]! });
    await send("invalid_event", { type: "room.client.joined", note: `Body ${CANARY} without id` }, { secret: SECRETS[0]! });
    await send("payload_too_large", joinedEvent({}, { displayName: `Body ${CANARY} ${"x".repeat(MAX_BODY)}` }), { secret: SECRETS[0]! });

    const authorized = { authorization: `Bearer ${TOKEN}` };
    for (const path of ["/api/sessions", "/api/events", "/api/people/metadata:someone", "/metrics", "/api/quarantine"]) {
      await (await fetch(`${server.url}${path}`, { headers: authorized })).arrayBuffer();
    }
    await (await fetch(`${server.url}/api/sessions`, { headers: { authorization: `Bearer wrong_${CANARY}_0123456789` } })).arrayBuffer();
    await (await fetch(`${server.url}/api/sessions?token=${TOKEN}`)).arrayBuffer();
    await (await fetch(`${server.url}/api/no-such-route/${TOKEN}`, { headers: authorized })).arrayBuffer();

    server.child.kill("SIGTERM");
    expect((await server.exited).code).toBe(0);
    output = server.output();
  }, 60_000);

  afterAll(async () => {
    await testStore.cleanup();
  });

  function logLines(): LogLine[] {
    return output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as LogLine);
  }

  it("never contains the API token, a secret, a signature or any part of a body", () => {
    // Not even the banner: it shows only a token that serve generated itself, and this one was configured.
    const text = output;
    expect(text).not.toContain(TOKEN);
    for (const secret of [...SECRETS, METADATA_SECRET]) expect(text).not.toContain(secret);
    for (const header of signatures) {
      expect(text).not.toContain(header);
      for (const v1 of header.match(/[0-9a-f]{64}/g) ?? []) expect(text).not.toContain(v1);
    }
    expect(bodies.length).toBe(expected.length);
    // Every body and every wrong credential carries the canary; so does every secret.
    expect(text).not.toContain(CANARY);
  });

  it("writes every line after the banner as structured JSON", () => {
    const banner = /^(meetmeter is listening on | {2}webhook endpoint: | {2}dashboard: | {2}API token: )/;
    const other = output.split("\n").filter((line) => line !== "" && !line.startsWith("{") && !banner.test(line));
    expect(other).toEqual([]);
    for (const line of logLines()) {
      expect(typeof line.level).toBe("number");
      expect(typeof line.msg).toBe("string");
    }
  });

  it("logs each delivery once, with its outcome, and the event id of each stored event", () => {
    const deliveries = logLines().filter((line) => line.outcome !== undefined);
    expect(deliveries.map((line) => line.outcome)).toEqual(expected);
    const kept = deliveries.filter((line) => line.outcome === "stored" || line.outcome === "duplicate");
    expect(kept.map((line) => line.eventId)).toEqual([stored.id, stored.id, onChannel.id]);
    for (const line of kept) expect(line.level).toBe(30);
  });
});

describe("logs under a flood of unsigned deliveries", () => {
  let testStore: TestStore;
  let lines: LogLine[] = [];

  beforeAll(async () => {
    testStore = await openTestStore("sqlite");
    await testStore.store.close();
    const server = await startServerProcess({
      LOG_LEVEL: "warn",
      WHEREBY_WEBHOOK_SECRET: SECRETS[0]!,
      MEETMETER_API_TOKEN: TOKEN,
      DATABASE_URL: testStore.databaseUrl,
    });
    for (let i = 0; i < 100; i += 1) {
      await (await deliver(server.url, joinedEvent(), { secret: "", header: null })).arrayBuffer();
      if (i % 2 === 0) await (await deliver(server.url, joinedEvent(), { secret: "whsec_forger" })).arrayBuffer();
    }
    server.child.kill("SIGTERM");
    expect((await server.exited).code).toBe(0);
    lines = server
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as LogLine);
  }, 60_000);

  afterAll(async () => {
    await testStore.cleanup();
  });

  it("writes the first of each kind at once, then one line with how many more came, not a line each", () => {
    const about = (outcome: string) => lines.filter((line) => line.outcome === outcome).map((line) => line.repeated ?? null);
    expect(about("missing_signature")).toEqual([null, 99]);
    expect(about("invalid_signature")).toEqual([null, 49]);
  });
});
