/** `meetmeter simulate` as a user runs it: files written, traffic sent to a real server, bad options refused. */
import { readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTimetable } from "../../src/schedule/timetable.js";
import { generateTraffic } from "../../src/simulate/index.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { tempDir } from "../helpers/stores.js";

const START = "2026-03-02T08:00:00.000Z";

const cwd = tempDir("meetmeter-simulate-");

function simulate(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(["simulate", ...args], { cwd, env });
}

// A link whose target is not there: writing through it would fail after the traffic was made.
symlinkSync(join(cwd, "no-such-folder", "target.jsonl"), join(cwd, "dangling.jsonl"));

afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

describe("meetmeter simulate", () => {
  it("writes the events as JSON lines and the ground truth, exactly as the library generates them", async () => {
    const out = join(cwd, "events.jsonl");
    const truth = join(cwd, "truth.json");
    const args = ["--scenario", "telehealth", "--sessions", "3", "--seed", "12", "--start", START];
    const result = await simulate([...args, "--metadata-secret", "m-secret", "--out", out, "--truth", truth]);
    expect(result.code).toBe(0);
    const expected = generateTraffic({ scenario: "telehealth", sessions: 3, seed: 12, start: START, metadataSecret: "m-secret" });
    expect(readFileSync(out, "utf8")).toBe(expected.events.map((e) => `${JSON.stringify(e)}\n`).join(""));
    expect(JSON.parse(readFileSync(truth, "utf8"))).toEqual(expected.truth);
    expect(result.stdout).toContain(`--seed 12 --start ${START}`);
  });

  it("writes the timetable of the meetings it played, which the timetable reader takes whole", async () => {
    const schedule = join(cwd, "timetable.csv");
    const args = ["--scenario", "chaos", "--sessions", "30", "--seed", "5", "--start", START, "--out", "/dev/null"];
    const result = await simulate([...args, "--schedule-out", schedule]);
    expect(result.code, result.stderr).toBe(0);
    const expected = generateTraffic({ scenario: "chaos", sessions: 30, seed: 5, start: START });
    const timetable = await readTimetable(readFileSync(schedule, "utf8"));
    expect(timetable.refused).toEqual([]);
    expect(timetable.plans.map((p) => p.meetingId)).toEqual(expected.schedule.map((m) => m.meetingId));
    expect(result.stdout).toContain(`wrote the timetable of ${expected.schedule.length} meetings to ${schedule}`);
  });

  it("writes to a file that is already there, such as /dev/null", async () => {
    const result = await simulate(["--sessions", "1", "--seed", "2", "--out", "/dev/null"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("wrote");
  });

  it("places the traffic so that it ends now when no --start is given", async () => {
    const out = join(cwd, "now.jsonl");
    expect((await simulate(["--sessions", "2", "--seed", "1", "--out", out])).code).toBe(0);
    const times = readFileSync(out, "utf8").trim().split("\n").map((line) => Date.parse((JSON.parse(line) as { createdAt: string }).createdAt));
    expect(Math.abs(Math.max(...times) - Date.now())).toBeLessThan(60_000);
  });

  const out = ["--out", join(cwd, "never.jsonl")];
  it.each([
    [[...out, "--sessions", "ten"], "--sessions"],
    [[...out, "--seed", "4294967296"], "--seed"],
    [[...out, "--rate", "0"], "--rate"],
    [[...out, "--concurrency", "1.5"], "--concurrency"],
    [[...out, "--scenario", "party"], "--scenario"],
    [[...out, "--start", "yesterday"], "--start"],
    [[...out, "--start", "2026-02-31"], "--start"],
    [[...out, "--start", "2026-03-01T09:00"], "--start"],
    [["--secret", "s"], "--url"],
    [["--url", "http://127.0.0.1:1/webhooks/whereby"], "--secret"],
    [["--out", join(cwd, "no-such-folder", "events.jsonl")], "--out"],
    [["--out", cwd], "--out"],
    [[...out, "--truth", join(cwd, "no-such-folder", "truth.json")], "--truth"],
    [[...out, "--schedule-out", join(cwd, "no-such-folder", "timetable.csv")], "--schedule-out"],
    [["--out", `${join(cwd, "no-such-folder")}/`], "--out"],
    [["--out", ""], "--out"],
    [["--out", join(cwd, "dangling.jsonl")], "--out"],
  ])("refuses %j with exit 2 and one line naming %s, before it simulates anything", async (args, option) => {
    const result = await simulate(args);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(option);
    expect(result.stdout).toBe("");
  });
});

describe("meetmeter simulate against a running server", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("sends signed chaos traffic and summarises what became of it", async () => {
    const args = ["--scenario", "chaos", "--sessions", "3", "--seed", "21", "--start", START];
    const { truth } = generateTraffic({ scenario: "chaos", sessions: 3, seed: 21, start: START });
    const result = await simulate([...args, "--url", `${server.url}/webhooks/whereby`], { WHEREBY_WEBHOOK_SECRET: server.secret });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`sent ${truth.deliveries} in`);
    expect(result.stdout).toContain(`${truth.deliveries} acknowledged (${truth.deliveries - truth.events} duplicates), 0 rejected`);
    expect(result.stdout).toContain("0 failed");
  });

  it("exits 1 and counts the rejections when the secret is wrong", async () => {
    const args = ["--sessions", "1", "--seed", "3", "--start", START, "--url", `${server.url}/webhooks/whereby`];
    const { truth } = generateTraffic({ scenario: "classroom", sessions: 1, seed: 3, start: START });
    const result = await simulate([...args, "--secret", "not-the-secret"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${truth.deliveries} rejected (401 invalid_signature: ${truth.deliveries})`);
  });
});
