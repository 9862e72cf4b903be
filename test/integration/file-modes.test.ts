/**
 * What meetmeter writes to disk holds who attended what, and the API token: the folders it makes are its user's alone
 * (0700), and so are the files (0600): the database and its WAL, the spool, the token and exports.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resolveApiToken } from "../../src/api/api-token.js";
import { createService, type Service } from "../../src/server.js";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite.js";
import { deliver, joinedEvent } from "../helpers/deliver.js";
import { dropSchema, freshSchemaName, postgresAvailable, postgresDatabase } from "../helpers/postgres.js";
import { testConfig } from "../helpers/server.js";
import { incomingEvent, tempDir } from "../helpers/stores.js";
import { runCli } from "../helpers/cli.js";

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

describe("files meetmeter makes", () => {
  let service: Service | null = null;
  let schema: string | null = null;
  afterEach(async () => {
    await service?.close();
    service = null;
    if (schema) await dropSchema(schema);
    schema = null;
  });

  it("SQLite: the data folder, the database, its WAL and shared memory, and the token are the owner's alone", async () => {
    const folder = join(tempDir(), "data");
    const path = join(folder, "meetmeter.db");
    const store = openSqliteStore(path);
    await store.migrate();
    await store.append([incomingEvent("mode-1")]);
    expect([folder, path, `${path}-wal`, `${path}-shm`].map(modeOf)).toEqual(["700", "600", "600", "600"]);
    await store.close();
    const tokenFolder = join(tempDir(), "fresh");
    resolveApiToken(testConfig({ database: { kind: "sqlite", path: join(tokenFolder, "meetmeter.db") }, apiToken: undefined }));
    expect([tokenFolder, join(tokenFolder, "api-token")].map(modeOf)).toEqual(["700", "600"]);
  });

  it("export --out writes a file only its owner reads", async () => {
    const folder = tempDir();
    const database = `sqlite:${join(folder, "meetmeter.db")}`;
    const out = join(folder, "events.jsonl");
    expect((await runCli(["migrate", "--database", database])).code).toBe(0);
    const exported = await runCli(["export", "--out", out, "--database", database]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(modeOf(out)).toBe("600");
  });

  it.runIf(postgresAvailable)("PostgreSQL: the spool and its folder are the owner's alone", async () => {
    schema = freshSchemaName();
    const folder = join(tempDir(), "spool");
    const spoolPath = join(folder, "spool.db");
    const config = testConfig({ database: postgresDatabase(schema), spoolPath });
    service = await createService(config, { logger: false });
    const url = await service.app.listen({ port: 0, host: "127.0.0.1" });
    expect((await deliver(url, joinedEvent(), { secret: config.secrets[0]! })).status).toBe(200);
    expect([folder, spoolPath, `${spoolPath}-wal`].map(modeOf)).toEqual(["700", "600", "600"]);
  });
});
