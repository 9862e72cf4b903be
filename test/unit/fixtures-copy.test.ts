/** The repository's copy of the shared fixtures must say what ../shared/fixtures says, file for file. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURE_COPY, SHARED_FIXTURES } from "../helpers/fixtures.js";

const shared = existsSync(SHARED_FIXTURES);
if (!shared) {
  console.warn(`\n*** ${SHARED_FIXTURES} is absent: the copy in test/fixtures/whereby is used and not compared ***\n`);
}

function files(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

describe.runIf(shared)("the copy of the shared fixtures", () => {
  it("holds the same files with the same bytes as ../shared/fixtures", () => {
    expect(files(FIXTURE_COPY)).toEqual(files(SHARED_FIXTURES));
    for (const file of files(SHARED_FIXTURES)) {
      expect(readFileSync(join(FIXTURE_COPY, file)).equals(readFileSync(join(SHARED_FIXTURES, file))), file).toBe(true);
    }
  });
});
