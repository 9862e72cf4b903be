/**
 * Debian's Chromium for the browser tests, driven by playwright-core (which never downloads a browser of its own).
 * Without it the tests skip with a loud warning on a developer's machine, and fail under CI, where it must be there.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { describe } from "vitest";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const onCi = Boolean(process.env.CI) && !["false", "0"].includes(String(process.env.CI));

export const chromiumAvailable = existsSync(CHROMIUM_PATH);

/**
 * `describe` when Chromium is there or CI demands it; otherwise `describe.skip` after a warning nobody can miss.
 *
 * @example
 * describeInChromium("the dashboard", () => { … });
 */
export const describeInChromium: typeof describe = (() => {
  if (chromiumAvailable || onCi) return describe;
  const bar = "!".repeat(100);
  console.warn(
    `\n${bar}\n  BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM_PATH}.\n` +
      `  Install it with: apt-get install -y chromium   (CI=true makes this a failure)\n${bar}\n`,
  );
  return describe.skip as unknown as typeof describe;
})();

/**
 * Starts headless Chromium; under CI a missing binary is an error that names it.
 *
 * @example
 * const browser = await launchChromium();
 */
export async function launchChromium(): Promise<Browser> {
  if (!chromiumAvailable) {
    throw new Error(`Chromium is required for the browser tests under CI and is missing at ${CHROMIUM_PATH}.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--headless",
    ],
  });
}
