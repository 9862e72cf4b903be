/**
 * Makes sure `dist/dashboard/` holds a build of the app as its source is now, so that the tests never pass or fail on
 * a stale build. Builds only when a source file is newer than the last build, and one test file at a time: the test
 * files run in parallel processes, and a build clears the assets another server may be serving.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { build } from "vite";

import { REPO_ROOT } from "../helpers/repo.js";

const APP_DIR = path.join(REPO_ROOT, "src/dashboard/app");
const BUILT_INDEX = path.join(REPO_ROOT, "dist/dashboard/index.html");
const BUILD_LOCK = path.join(REPO_ROOT, "dist/.dashboard-build-lock");
/** A lock older than this was left by a process that died while building. */
const STALE_LOCK_MS = 120_000;

function newestChange(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestChange(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function modifiedAt(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

function builtAt(): number {
  return modifiedAt(BUILT_INDEX) ?? 0;
}

/**
 * Runs `vite build` with the app's own config when the build is missing or older than its source.
 *
 * @example
 * beforeAll(ensureDashboardBuilt, 120_000);
 */
export async function ensureDashboardBuilt(): Promise<void> {
  if (builtAt() > newestChange(APP_DIR)) return;
  await withBuildLock(async () => {
    // Another test file may have built it while this one waited.
    if (builtAt() > newestChange(APP_DIR)) return;
    await build({ configFile: path.join(APP_DIR, "vite.config.ts"), logLevel: "warn" });
  });
}

/** Runs `work` holding a lock directory (made atomically) that other test processes wait on. */
async function withBuildLock(work: () => Promise<void>): Promise<void> {
  mkdirSync(path.dirname(BUILD_LOCK), { recursive: true });
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age = Date.now() - (modifiedAt(BUILD_LOCK) ?? Date.now());
      if (age > STALE_LOCK_MS) rmSync(BUILD_LOCK, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    await work();
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}
