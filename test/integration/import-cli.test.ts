/** `meetmeter import` as a user runs it, on each store: files as other programs write them. */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { joinedEvent } from "../helpers/deliver.js";
import { STORE_KINDS, openTestStore, tempDir, type TestStore } from "../helpers/stores.js";
import { runCli } from "../helpers/cli.js";

describe.each(STORE_KINDS)("meetmeter import on %s", (kind) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(kind);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("takes a file that begins with a byte order mark, and lines with NUL in their strings", async () => {
    const events = [
      joinedEvent(),
      joinedEvent({ id: "import-nul\u0000id" }, { roomName: "/nul\u0000room", displayName: "Ada\u0000" }),
      joinedEvent(),
    ];
    const file = join(tempDir(), "events.jsonl");
    writeFileSync(file, `\uFEFF${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
    const imported = await runCli(["import", file, "--database", t.databaseUrl]);
    expect(imported.stderr).toBe("");
    expect(imported.stdout).toContain("Imported 3 events (0 already stored, 0 skipped).");
    expect(imported.code).toBe(0);
    const again = await runCli(["import", file, "--database", t.databaseUrl]);
    expect(again.stdout).toContain("Imported 0 events (3 already stored, 0 skipped).");
    const stored = await t.store.scanEvents(0, 10);
    expect(stored.map((row) => (JSON.parse(row.body.toString("utf8")) as { id: string }).id)).toEqual(events.map((e) => e.id));
  });

  it("goes on past a line the store cannot keep, naming it, and keeps the lines around it", async () => {
    // A room name of 12,000 characters that do not compress: more than a PostgreSQL index row holds; SQLite keeps it.
    const events = [joinedEvent(), joinedEvent({}, { roomName: `/${randomBytes(6000).toString("hex")}` }), joinedEvent()];
    const file = join(tempDir(), "events.jsonl");
    writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
    const imported = await runCli(["import", file, "--database", t.databaseUrl]);
    const stored = (await t.store.scanEvents(0, 10)).map((row) => row.id);
    if (kind === "sqlite") {
      expect(imported.code, imported.stderr).toBe(0);
      expect(stored).toEqual(events.map((e) => e.id));
      return;
    }
    expect(imported.stderr).toMatch(/^line 2: skipped, the store cannot keep it: index row/);
    expect(imported.stdout).toContain("Imported 2 events (0 already stored, 1 skipped).");
    expect(imported.code).toBe(1);
    expect(stored).toEqual([events[0]!.id, events[2]!.id]);
  });
});
