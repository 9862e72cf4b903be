/**
 * Migration 0010 keeps beside each meeting's result what the list shows of it: a store whose meetings were derived
 * before it lists them with their counts at once, without deriving them again.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_MEETING_RULES, deriveRoster, rosterSummary } from "../../src/attendance/roster.js";
import { migrations } from "../../src/store/migrations.js";
import type { Database as Schema } from "../../src/store/schema.js";
import { sqliteDialect } from "../../src/store/sqlite/dialect.js";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite.js";

describe("migration 0010_meeting_summaries", () => {
  const folder = mkdtempSync(join(tmpdir(), "meetmeter-migration-"));
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it("sums up the results derived before it, and leaves a meeting not derived yet without one", async () => {
    const path = join(folder, "meetmeter.db");
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: new Database(path) }) });
    const before = Object.fromEntries(Object.entries(migrations(sqliteDialect)).filter(([name]) => name < "0010"));
    const { error } = await new Migrator({ db, provider: { getMigrations: async () => before } }).migrateToLatest();
    expect(error).toBeUndefined();
    const plan = {
      meetingId: "m-1",
      title: "Maths",
      roomName: "/maths",
      scheduledStart: "2026-03-02T09:00:00.000Z",
      scheduledEnd: "2026-03-02T09:45:00.000Z",
      expected: [
        { key: "external:a", displayName: "A", role: "student" },
        { key: "external:b", displayName: "B", role: "student" },
      ],
      rules: DEFAULT_MEETING_RULES,
    };
    const result = deriveRoster(plan, [], Date.parse("2026-03-02T10:00:00.000Z"));
    const row = { title: "Maths", room_name: "/maths", scheduled_start: plan.scheduledStart, scheduled_end: plan.scheduledEnd };
    const kept = JSON.stringify({ expected: plan.expected, rules: {} });
    await db
      .insertInto("meetings")
      .values([
        { ...row, meeting_id: "m-1", plan: kept, status: result.status, result: JSON.stringify(result), derived_at: "2026-03-02T10:00:00.000Z" },
        { ...row, meeting_id: "m-2", plan: kept, status: null, result: null, derived_at: null },
      ] as never)
      .execute();
    await db.destroy();

    const store = openSqliteStore(path);
    try {
      await store.migrate();
      const page = await store.listMeetings({ from: null, to: null, roomName: null, status: null }, 10, null);
      const summaries = Object.fromEntries(page.results.map(({ plan: p, summary }) => [p.meetingId, summary]));
      expect(summaries["m-1"]).toEqual(rosterSummary(result));
      expect(summaries["m-1"]!.counts).toMatchObject({ expected: 2, absent: 2 });
      expect(summaries["m-2"]).toBeNull();
    } finally {
      await store.close();
    }
  });
});
