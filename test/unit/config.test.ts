import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

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
