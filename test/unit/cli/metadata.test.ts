import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { signMetadata } from "../../../src/whereby/metadata.js";
import { runCli } from "../../helpers/cli.js";
import { FIXTURES as fixtures } from "../../helpers/fixtures.js";

const vectors = JSON.parse(readFileSync(path.join(fixtures, "metadata-vectors.json"), "utf8")) as {
  secret: string;
  cases: { name: string; metadata: string; now: number; expect: string; subject: string }[];
};
const env = { MEETMETER_METADATA_SECRET: vectors.secret };
const issuedAt = 1_772_442_000;

describe.concurrent("meetmeter metadata verify", { timeout: 90_000 }, () => {
  for (const vector of vectors.cases) {
    it(`${vector.name}: ${vector.expect}`, async () => {
      const result = await runCli(["metadata", "verify", vector.metadata, "--now", String(vector.now)], { env });
      const [first, second] = result.stdout.split("\n");
      expect(first).toMatch(new RegExp(`^${vector.expect}: `));
      expect(second).toBe(`subject: ${vector.subject}`);
      expect(result.code).toBe(vector.expect === "tampered" || vector.expect === "expired" ? 1 : 0);
    });
  }

  it("prints the issue time and the age against the limit", async () => {
    const value = signMetadata({ subject: "student-1", secret: vectors.secret, issuedAt });
    const result = await runCli(["metadata", "verify", value, "--now", String(issuedAt + 7200)], { env });
    expect(result.stdout).toContain("issued:  2026-03-02T09:00:00.000Z (1772442000)");
    expect(result.stdout).toContain("age:     2 h (7200 s); at most 30 days (2592000 s) is accepted");
  });

  it("accepts a value signed with any of the comma-separated secrets", async () => {
    const value = signMetadata({ subject: "student-1", secret: "previous", issuedAt });
    const result = await runCli(["metadata", "verify", value, "--now", String(issuedAt)], {
      env: { MEETMETER_METADATA_SECRET: `newest,previous` },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^verified: /);
  });

  it("applies METADATA_MAX_AGE_SECONDS", async () => {
    const value = signMetadata({ subject: "student-1", secret: vectors.secret, issuedAt });
    const result = await runCli(["metadata", "verify", value, "--now", String(issuedAt + 7200)], {
      env: { ...env, METADATA_MAX_AGE_SECONDS: "3600" },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^expired: /);
  });

  it("without a secret exits 2 with one line naming MEETMETER_METADATA_SECRET", async () => {
    const result = await runCli(["metadata", "verify", "student-1"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("MEETMETER_METADATA_SECRET");
  });

  it("a --now that is not a number exits 2 with one line naming --now", async () => {
    const result = await runCli(["metadata", "verify", "student-1", "--now", "yesterday"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('meetmeter: --now must be a whole number of seconds, got "yesterday".\n');
  });

  it("a METADATA_MAX_AGE_SECONDS that is not a number exits 2 naming it", async () => {
    const result = await runCli(["metadata", "verify", "student-1"], { env: { ...env, METADATA_MAX_AGE_SECONDS: "30d" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('meetmeter: METADATA_MAX_AGE_SECONDS must be a whole number of seconds, got "30d".\n');
  });

  it("a METADATA_MAX_AGE_SECONDS the server refuses is refused here too, not taken as 0 seconds", async () => {
    const result = await runCli(["metadata", "verify", "student-1"], { env: { ...env, METADATA_MAX_AGE_SECONDS: "0" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("meetmeter: METADATA_MAX_AGE_SECONDS must be between 1 and 2147483648, got 0.\n");
  });
});
