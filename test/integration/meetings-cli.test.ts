/**
 * `meetmeter meetings import` and `meetmeter report meeting` as a user runs them, on each store: a simulated week's
 * traffic and its timetable, files with rows to refuse, files that are no timetable at all.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTraffic, timetableCsv } from "../../src/simulate/index.js";
import { runCli } from "../helpers/cli.js";
import { STORE_KINDS, openTestStore, tempDir, type TestStore } from "../helpers/stores.js";

const START = "2026-03-02T08:00:00.000Z";
const HEADER = "meeting_id,title,room_name,scheduled_start,scheduled_end,key,display_name,role";

describe.each(STORE_KINDS)("meetmeter meetings import and report meeting on %s", (kind) => {
  let t: TestStore;
  const folder = tempDir();
  const traffic = generateTraffic({ scenario: "chaos", sessions: 40, seed: 9, start: START });
  const cli = (args: string[]) => runCli([...args, "--database", t.databaseUrl]);

  beforeAll(async () => {
    t = await openTestStore(kind);
    const events = join(folder, "events.jsonl");
    writeFileSync(events, traffic.events.map((e) => JSON.stringify(e)).join("\n"));
    expect((await cli(["import", events])).code).toBe(0);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it("imports a timetable, says what it made, and reports each meeting as it really went", async () => {
    const file = join(folder, "timetable.csv");
    writeFileSync(file, timetableCsv(traffic.schedule));
    const result = await cli(["meetings", "import", file]);
    expect(result.code, result.stderr).toBe(0);
    const rows = traffic.schedule.reduce((n, m) => n + m.expected.length, 0);
    expect(result.stdout).toContain(`imported ${traffic.schedule.length} meetings from ${rows} rows of ${file}: ${traffic.schedule.length} created, 0 replaced, 0 rows refused`);
    expect((await cli(["meetings", "import", file])).stdout).toContain(`0 created, ${traffic.schedule.length} replaced`);

    // Each report is a process of its own: a no-show, and a few held ones with someone absent or late.
    const noShow = traffic.truth.meetings.filter((m) => m.status === "no_show").slice(0, 1);
    const amiss = traffic.truth.meetings.filter((m) => m.status === "held" && m.roster.some((r) => r.status !== "present")).slice(0, 3);
    expect(noShow).toHaveLength(1);
    for (const truth of [...noShow, ...amiss]) {
      const report = await cli(["report", "meeting", truth.meetingId, "--format", "json"]);
      expect(report.code, report.stderr).toBe(0);
      const meeting = JSON.parse(report.stdout);
      expect(meeting.status, truth.meetingId).toBe(truth.status);
      expect(meeting.roster.map((r: { key: string; status: string }) => [r.key, r.status])).toEqual(truth.roster.map((r) => [r.key, r.status]));
    }
  }, 60_000);

  it("prints a meeting as a table, and as CSV a spreadsheet reads", async () => {
    const truth = traffic.truth.meetings.find((m) => m.status === "held")!;
    const table = await cli(["report", "meeting", truth.meetingId]);
    expect(table.stdout).toContain(`Meeting ${truth.meetingId}`);
    for (const { key } of truth.roster) expect(table.stdout).toContain(key);
    const csv = await cli(["report", "meeting", truth.meetingId, "--format", "csv"]);
    const rows = parse(csv.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(rows.slice(0, truth.roster.length).map((r) => r.status)).toEqual(truth.roster.map((r) => r.status));
    const missing = await cli(["report", "meeting", "no-such-meeting"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no meeting is scheduled with id no-such-meeting");
  });

  it("imports the good rows of a file with bad ones, naming each bad row by its line, and exits 1", async () => {
    const file = join(folder, "mixed.csv");
    writeFileSync(
      file,
      [
        HEADER,
        "x-1,Art,/art,2026-03-03T09:00:00Z,2026-03-03T10:00:00Z,external:a,A,student",
        "x-1,Art,/art,2026-03-03T09:00:00Z,2026-03-03T10:00:00Z,not-a-key,B,student",
        "x-2,Music,/music,2026-03-03T11:00:00Z,2026-03-03T10:00:00Z,external:a,A,student",
        ",Drama,/drama,2026-03-03T09:00:00Z,2026-03-03T10:00:00Z,external:a,A,student",
      ].join("\r\n"),
    );
    const result = await cli(["meetings", "import", file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("imported 1 meetings from 4 rows");
    expect(result.stdout).toContain("3 rows refused");
    expect(result.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^line 3: meeting x-1: key must be a person key/),
      "line 4: meeting x-2: scheduled_end must be after scheduledStart",
      "line 5: meeting_id is empty",
    ]);
    const report = JSON.parse((await cli(["report", "meeting", "x-1", "--format", "json"])).stdout);
    expect(report.roster.map((r: { key: string }) => r.key)).toEqual(["external:a"]);
  });

  it.each([
    ["an empty file", "", 1, "the file is empty"],
    ["a file without the columns", "name,when\nAda,9:00\n", 1, "scheduled_start"],
  ])("imports nothing from %s: exit %i naming why", async (_, text, code, named) => {
    const file = join(folder, `bad-${code}-${named.length}.csv`);
    writeFileSync(file, text);
    const result = await cli(["meetings", "import", file]);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(named);
    expect(result.stderr).toContain("nothing was imported");
  });

  it("refuses a file that is not there with exit 2", async () => {
    const result = await cli(["meetings", "import", join(folder, "nowhere.csv")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("nowhere.csv");
  });
});
