import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import * as meetmeter from "../../../src/index.js";
import * as whereby from "../../../src/whereby/index.js";
import { REPO_ROOT } from "../../helpers/repo.js";

/** The npm packages a module loads, all the way down, as Node resolves them: in a fresh process of its own. */
function packagesLoadedBy(module: string): string[] {
  const hook = pathToFileURL(path.join(REPO_ROOT, "test/helpers/package-log-hook.mjs")).href;
  const script = `import { register } from "node:module"; register(${JSON.stringify(hook)}); await import(${JSON.stringify(path.join(REPO_ROOT, module))});`;
  const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: REPO_ROOT, encoding: "utf8" });
  if (run.status !== 0) throw new Error(run.stderr);
  return [...new Set(run.stdout.split("\n").filter(Boolean))].sort();
}

describe("the library's public face", () => {
  it("exports what an app needs to receive webhooks and issue signed links", () => {
    for (const name of [
      "parseEvent",
      "isKnownEvent",
      "verifyWherebySignature",
      "signWherebyPayload",
      "parseSignatureHeader",
      "handleWherebyWebhook",
      "signMetadata",
      "verifyMetadata",
      "buildParticipantLink",
    ] as const) {
      expect(typeof meetmeter[name], name).toBe("function");
    }
    expect(new meetmeter.WebhookError("invalid_json", "x").status).toBe(400);
    expect(meetmeter.EVENT_TYPES).toHaveLength(11);
  });

  it("works end to end: a signed link's subject comes back verified from a signed delivery", () => {
    const link = meetmeter.buildParticipantLink({
      roomUrl: "https://example.whereby.com/math-101",
      subject: "student-2231",
      secret: "meta",
      issuedAt: 1_772_442_000,
    });
    const metadata = new URL(link).searchParams.get("metadata");
    const body = JSON.stringify({
      id: "evt-1",
      createdAt: "2026-03-02T09:00:04.120Z",
      type: "room.client.joined",
      data: { participantId: "p-1", metadata },
    });
    const header = meetmeter.signWherebyPayload({ body, secret: "whsec", timestamp: 1_772_442_004 });
    const verdict = meetmeter.handleWherebyWebhook({
      body,
      headers: { "whereby-signature": header },
      secrets: ["whsec"],
      now: 1_772_442_005,
    });
    if (!verdict.ok || verdict.event.unrecognised || verdict.event.type !== "room.client.joined") {
      throw new Error(`expected a join, got ${JSON.stringify(verdict)}`);
    }
    const subject = meetmeter.verifyMetadata(verdict.event.data.metadata ?? "", { secrets: ["meta"], now: 1_772_442_005 });
    expect(subject).toEqual({ status: "verified", subject: "student-2231", issuedAt: 1_772_442_000 });
  });
});

describe("meetmeter/whereby", () => {
  it("is what a receiver needs, the same functions the main entry exports", () => {
    for (const name of ["handleWherebyWebhook", "verifyWherebySignature", "signWherebyPayload", "parseEvent", "verifyMetadata"] as const) {
      expect(whereby[name], name).toBe(meetmeter[name]);
    }
  });

  it("loads no package but zod: no database driver, no web framework", () => {
    expect(packagesLoadedBy("src/whereby/index.ts")).toEqual(["zod"]);
    // The check sees what a module loads: the service itself loads the drivers and the framework.
    expect(packagesLoadedBy("src/server.ts")).toEqual(expect.arrayContaining(["better-sqlite3", "fastify", "pg", "zod"]));
  });

  it("is the package's ./whereby export, built from src/whereby/index.ts", () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { exports: Record<string, { default: string }> };
    expect(manifest.exports["./whereby"]?.default).toBe("./dist/whereby/index.js");
  });
});
