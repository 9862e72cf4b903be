/**
 * meetmeter's Standard Webhooks signatures against the `standardwebhooks` package, a signer and verifier it did not
 * write: each verifies what the other signs, and refuses what was altered; `meetmeter signature --scheme standard`
 * signs and checks the same.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { generateSecret, secretKey, signStandard, verifyStandard } from "../../../src/outbound/standard-webhooks.js";
import { runCli } from "../../helpers/cli.js";

const body = '{"type":"session.ended","timestamp":"2026-03-02T09:47:00.000Z","data":{"id":"s-1","roomName":"/café"}}';

describe("Standard Webhooks signatures", () => {
  it("signs what the standardwebhooks package verifies, with a generated secret and a given one", () => {
    for (const secret of [generateSecret(), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]) {
      const now = Math.floor(Date.now() / 1000);
      const headers = signStandard(secret, "msg_1", now, body);
      expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
      expect(() => new Webhook(secret).verify(body.replace("s-1", "s-2"), headers)).toThrow();
      expect(() => new Webhook(generateSecret()).verify(body, headers)).toThrow();
    }
  });

  it("verifies what the standardwebhooks package signs, among several signatures, and refuses what changed", () => {
    const secret = generateSecret();
    const timestamp = new Date(1_700_000_000_000);
    const signature = new Webhook(secret).sign("msg_2", timestamp, body);
    const headers = { "webhook-id": "msg_2", "webhook-timestamp": "1700000000", "webhook-signature": `v1,bm90IGl0 ${signature}` };
    expect(verifyStandard(secret, headers, body, 1_700_000_010)).toEqual({ ok: true });
    expect(verifyStandard(secret, headers, `${body} `, 1_700_000_010)).toMatchObject({ ok: false, code: "mismatch" });
    expect(verifyStandard(secret, { ...headers, "webhook-id": "msg_3" }, body, 1_700_000_010)).toMatchObject({ ok: false, code: "mismatch" });
    expect(verifyStandard(secret, headers, body, 1_700_000_400)).toMatchObject({ ok: false, code: "stale" });
    expect(verifyStandard(secret, { ...headers, "webhook-timestamp": "soon" }, body, 1_700_000_010)).toMatchObject({ code: "bad_timestamp" });
    expect(verifyStandard(secret, { "webhook-id": "msg_2" }, body, 1_700_000_010)).toMatchObject({ code: "missing_header" });
  });

  it("takes only whsec_ secrets of 16 to 64 bytes", () => {
    expect(secretKey(generateSecret())).toHaveLength(24);
    for (const bad of ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_c2hvcnQ=", "whsec_not base64!", `whsec_${"A".repeat(100)}`]) {
      expect(secretKey(bad), bad).toBeNull();
    }
  });
});

describe("meetmeter signature --scheme standard", { timeout: 60_000 }, () => {
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const file = path.join(mkdtempSync(path.join(tmpdir(), "meetmeter-standard-")), "body.json");
  writeFileSync(file, body);

  it("prints the three headers, which the standardwebhooks package verifies, and checks them back", async () => {
    const now = Math.floor(Date.now() / 1000);
    const signed = await runCli(["signature", "sign", "--scheme", "standard", "--secret", secret, "--id", "msg_cli", "--timestamp", String(now), file]);
    expect(signed.code).toBe(0);
    const headers = Object.fromEntries(signed.stdout.trim().split("\n").map((line) => line.split(": ") as [string, string]));
    expect(headers["webhook-id"]).toBe("msg_cli");
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));

    const check = (signature: string) =>
      runCli(["signature", "verify", "--scheme", "standard", "--secret", secret, "--id", "msg_cli", "--webhook-timestamp", String(now), "--signature", signature, file]);
    const valid = await check(headers["webhook-signature"]!);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(/^valid: a v1 signature matches/);
    const invalid = await check("v1,bm90IGl0");
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/^invalid: mismatch/);
    const missing = await runCli(["signature", "verify", "--scheme", "standard", "--secret", secret, file]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--id, --webhook-timestamp and --signature are needed/);
  });
});
