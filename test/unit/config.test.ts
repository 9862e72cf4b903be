import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, loadDeriveConfig } from "../../src/config.js";

/** The one line a bad DATABASE_URL stops the command with. */
function refusal(url: string): string {
  try {
    loadConfig({}, { DATABASE_URL: url });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`${url} was taken`);
}

describe("a malformed DATABASE_URL", () => {
  it.each([
    ["a port that is no number", "postgres://admin:hunter2@db.example:54x2/meetmeter", "postgres://admin:***@db.example:54x2/meetmeter"],
    ["an @ in the password", "postgres://admin:hunt@r2@db.example:x/meetmeter", "postgres://admin:***@db.example:x/meetmeter"],
    ["another scheme", "mysql://admin:hunter2@db.example/meetmeter", "mysql://admin:***@db.example/meetmeter"],
    ["a password parameter", "postgres://db.example:x/meetmeter?sslmode=require&password=hunter2", "postgres://db.example:x/meetmeter?sslmode=require&password=***"],
  ])("is named without its password: %s", (_case, url, shown) => {
    const message = refusal(url);
    expect(message).not.toContain("hunter2");
    expect(message).not.toContain("hunt@r2");
    expect(message).toContain(`"${shown}"`);
  });
});

describe("the database", () => {
  it.each([
    ["the default", {}, { kind: "sqlite", path: "./data/meetmeter.db" }],
    ["a SQLite path", { DATABASE_URL: "sqlite:/var/lib/meetmeter/events.db" }, { kind: "sqlite", path: "/var/lib/meetmeter/events.db" }],
    ["a SQLite database in memory", { DATABASE_URL: "sqlite::memory:" }, { kind: "sqlite", path: ":memory:" }],
    [
      "PostgreSQL",
      { DATABASE_URL: "postgres://admin:secret@db.example:5433/meetmeter?sslmode=require" },
      { kind: "postgres", url: "postgres://admin:secret@db.example:5433/meetmeter?sslmode=require", schema: null },
    ],
    [
      "PostgreSQL in a schema of its own, taken out of the URL",
      { DATABASE_URL: "postgresql://db.example/meetmeter?schema=tenant_a&sslmode=require" },
      { kind: "postgres", url: "postgresql://db.example/meetmeter?sslmode=require", schema: "tenant_a" },
    ],
  ])("is read from DATABASE_URL: %s", (_case, env, database) => {
    expect(loadConfig({}, env).database).toEqual(database);
  });

  it("is read from --database before DATABASE_URL", () => {
    const config = loadConfig({ database: "sqlite:./flag.db" }, { DATABASE_URL: "sqlite:./env.db" });
    expect(config.database).toEqual({ kind: "sqlite", path: "./flag.db" });
  });

  it.each([
    ["no path", "sqlite:", /^DATABASE_URL must be sqlite:<path> or postgres:\/\/…/],
    ["a schema that is no plain identifier", "postgres://db.example/m?schema=Tenant-A", /^DATABASE_URL's schema must be lower-case/],
    ["a host that does not parse", "postgres://db.example:x/m", /^DATABASE_URL is not a valid postgres:\/\/ URL/],
  ])("refuses %s", (_case, url, message) => {
    expect(refusal(url)).toMatch(message);
  });

  it("names --database when the flag is wrong", () => {
    expect(() => loadConfig({ database: "mysql://db.example/m" }, {})).toThrow(/^--database must be sqlite:<path>/);
  });
});

describe("the derive options", () => {
  it("hold the metadata secrets, newest first, and the metadata's largest age", () => {
    const env = { MEETMETER_METADATA_SECRET: "new, old", METADATA_MAX_AGE_SECONDS: "3600" };
    expect(loadConfig({}, env).derive).toEqual({ metadataSecrets: ["new", "old"], metadataMaxAgeSeconds: 3600 });
  });

  it("default to no secrets and thirty days", () => {
    expect(loadConfig({}, {}).derive).toEqual({ metadataSecrets: [], metadataMaxAgeSeconds: 2_592_000 });
  });

  it("refuse an age that is no whole number of seconds, or none", () => {
    expect(() => loadConfig({}, { METADATA_MAX_AGE_SECONDS: "1h" })).toThrow(
      'METADATA_MAX_AGE_SECONDS must be a whole number of seconds, got "1h".',
    );
    expect(() => loadConfig({}, { METADATA_MAX_AGE_SECONDS: "0" })).toThrow(/^METADATA_MAX_AGE_SECONDS must be between 1 and/);
  });

  it("are read alone, a --secret flag before MEETMETER_METADATA_SECRET, for the commands that need nothing else", () => {
    const env = { MEETMETER_METADATA_SECRET: "from-env", DATABASE_URL: "mysql://not-read" };
    expect(loadDeriveConfig(env)).toEqual({ metadataSecrets: ["from-env"], metadataMaxAgeSeconds: 2_592_000 });
    expect(loadDeriveConfig(env, " newest ,older").metadataSecrets).toEqual(["newest", "older"]);
  });
});
