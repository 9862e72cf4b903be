/**
 * Makes sure `dist/dashboard/` holds a build of the app as its source is now, so that the tests never pass or fail on
 * a stale build. Builds only when a source file is newer than the last build.
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { build } from "vite";

import { REPO_ROOT } from "../helpers/repo.js";

const APP_DIR = path.join(REPO_ROOT, "src/dashboard/app");
const BUILT_INDEX = path.join(REPO_ROOT, "dist/dashboard/index.html");

function newestChange(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestChange(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(BUILT_INDEX).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Runs `vite build` with the app's own config when the build is missing or older than its source.
 *
 * @example
 * beforeAll(ensureDashboardBuilt, 120_000);
 */
export async function ensureDashboardBuilt(): Promise<void> {
  if (builtAt() > newestChange(APP_DIR)) return;
  await build({ configFile: path.join(APP_DIR, "vite.config.ts"), logLevel: "warn" });
}
