import { describe, expect, it } from "vitest";
import { verifyMetadata } from "../../../src/whereby/metadata.js";
import { runCli } from "../../helpers/cli.js";

const roomUrl = "https://example.whereby.com/math-101?embed";

function metadataOf(stdout: string): string {
  return new URL(stdout.trim()).searchParams.get("metadata") ?? "";
}

describe.concurrent("meetmeter link", { timeout: 90_000 }, () => {
  it("prints the room link with the signed subject, display name and external id", async () => {
    const result = await runCli(
      ["link", "--room-url", roomUrl, "--subject", "student-2231", "--display-name", "Zoë R", "--external-id", "stu-1"],
      { env: { MEETMETER_METADATA_SECRET: "meta" } },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout.split("\n")).toHaveLength(2);
    expect(result.stdout).toMatch(/^https:\/\/example\.whereby\.com\/math-101\?embed&metadata=student-2231%2C\d+%2C[0-9a-f]{64}&displayName=Zo%C3%AB%20R&externalId=stu-1\n$/);
    const verdict = verifyMetadata(metadataOf(result.stdout), { secrets: ["meta"], now: Math.floor(Date.now() / 1000) });
    expect(verdict).toMatchObject({ status: "verified", subject: "student-2231" });
  });

  it("signs with the first of several secrets", async () => {
    const result = await runCli(["link", "--room-url", roomUrl, "--subject", "s-1"], {
      env: { MEETMETER_METADATA_SECRET: "newest, previous" },
    });
    const now = Math.floor(Date.now() / 1000);
    expect(verifyMetadata(metadataOf(result.stdout), { secrets: ["newest"], now }).status).toBe("verified");
    expect(verifyMetadata(metadataOf(result.stdout), { secrets: ["previous"], now }).status).toBe("tampered");
  });

  it("takes --secret over the environment", async () => {
    const result = await runCli(["link", "--room-url", roomUrl, "--subject", "s-1", "--secret", "flag"], {
      env: { MEETMETER_METADATA_SECRET: "environment" },
    });
    const now = Math.floor(Date.now() / 1000);
    expect(verifyMetadata(metadataOf(result.stdout), { secrets: ["flag"], now }).status).toBe("verified");
  });

  it("without a secret exits 2 with one line naming MEETMETER_METADATA_SECRET", async () => {
    const result = await runCli(["link", "--room-url", roomUrl, "--subject", "s-1"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("MEETMETER_METADATA_SECRET");
  });

  const refusals: [string, string[], RegExp][] = [
    ["an external id Whereby refuses", ["--external-id", "stu.1"], /^meetmeter: --external-id must be 1 to 36/],
    ["a display name with a forbidden character", ["--display-name", "A; drop"], /^meetmeter: --display-name must not contain/],
    ["a display name over 100 characters", ["--display-name", "a".repeat(101)], /^meetmeter: --display-name must be at most 100 characters/],
    ["a subject with a comma", ["--subject", "doe,jane"], /^meetmeter: --subject must not contain a comma/],
  ];
  for (const [name, extra, message] of refusals) {
    it(`${name}: exits 2 with one line naming the option`, async () => {
      const result = await runCli(["link", "--room-url", roomUrl, "--subject", "s-1", ...extra], {
        env: { MEETMETER_METADATA_SECRET: "meta" },
      });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    });
  }

  it("a room URL that is not https exits 2 naming --room-url", async () => {
    const result = await runCli(["link", "--room-url", "http://example.whereby.com/r", "--subject", "s-1"], {
      env: { MEETMETER_METADATA_SECRET: "meta" },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^meetmeter: --room-url must use https/);
  });

  it("without --subject exits 2", async () => {
    const result = await runCli(["link", "--room-url", roomUrl], { env: { MEETMETER_METADATA_SECRET: "meta" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--subject");
  });
});
