/** `meetmeter demo --exit`, run as a newcomer would: it sends a simulated day through the endpoint and reports it. */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/stores.js";

describe("meetmeter demo --exit", () => {
  const folder = tempDir();
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("stores every simulated delivery, prints the report and the dashboard address, and exits 0", async () => {
    const data = join(folder, "demo");
    // The folder given may hold other things, and a database of an earlier run: only the latter is replaced.
    mkdirSync(data);
    writeFileSync(join(data, "notes.txt"), "keep me");
    writeFileSync(join(data, "meetmeter.db"), "an earlier run's database");
    const result = await runCli(["demo", "--exit", "--port", "0", "--data", data], { cwd: folder, timeoutMs: 120_000, env: { LOG_LEVEL: "warn" } });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(data, "notes.txt"), "utf8")).toBe("keep me");
    const sent = /Sending (\d+) signed webhooks for (\d+) sessions/.exec(result.stdout);
    expect(sent).not.toBeNull();
    const acknowledged = /(\d+) acknowledged \(0 duplicates\), 0 rejected, 0 failed/.exec(result.stdout);
    expect(acknowledged?.[1]).toBe(sent?.[1]);
    expect(result.stdout).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\/#token=\S{16,}/);
    expect(result.stdout).toContain("participant min");
    const usage = /Usage: 11 sessions, (\d+) participant minutes, (\d+) billable/.exec(result.stdout);
    expect(usage, result.stdout).not.toBeNull();
    // The day's timetable is imported: the Meetings page is filled, a no-show among them.
    const imported = /imported (\d+) meetings from \d+ rows of .*timetable\.csv: \1 created, 0 replaced, 0 rows refused/.exec(result.stdout);
    expect(imported, result.stdout).not.toBeNull();
    expect(result.stdout).toMatch(new RegExp(`Meetings: ${imported?.[1]} scheduled, 1 of them a no-show\\.`));
    expect(result.stdout).toMatch(/Meetings: {2}http:\/\/127\.0\.0\.1:\d+\/#\/meetings/);

    const store = await openStore({ kind: "sqlite", path: join(data, "meetmeter.db") });
    try {
      expect(await store.countEvents()).toBe(Number(sent?.[1]));
      expect((await store.listSessions({}, 100, null)).results).toHaveLength(Number(sent?.[2]));
      const meetings = await store.listMeetings({ from: null, to: null, roomName: null, status: null }, 100, null);
      expect(meetings.results).toHaveLength(Number(imported?.[1]));
      expect(meetings.results.every(({ summary }) => summary !== null)).toBe(true);
      // The report waited for every event to be derived: its usage is that of the final, stored sessions.
      const rows = await store.usage(null, null);
      const seconds = rows.reduce((sum, r) => sum + r.participantSeconds, 0);
      const billable = rows.reduce((sum, r) => sum + r.billableParticipantMinutes, 0);
      expect(Number(usage?.[1])).toBe(Math.round(seconds / 60));
      expect(Number(usage?.[2])).toBe(billable);
    } finally {
      await store.close();
    }
  });
});
