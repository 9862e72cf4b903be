/**
 * Prometheus' own `promtool check metrics` (Debian's `prometheus` package), the judge of what /metrics exposes.
 * Without it the test skips with a loud warning on a developer's machine, and fails under CI, where it must be there.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { it } from "vitest";

const onCi = Boolean(process.env.CI) && !["false", "0"].includes(String(process.env.CI));

/** PROMTOOL_PATH when it is there, or the first promtool on PATH, or null. */
export const PROMTOOL_PATH: string | null =
  (process.env.PROMTOOL_PATH
    ? [process.env.PROMTOOL_PATH]
    : (process.env.PATH ?? "")
        .split(delimiter)
        .filter((folder) => folder !== "")
        .map((folder) => join(folder, "promtool"))
  ).find((candidate) => existsSync(candidate)) ?? null;

/**
 * `it` when promtool is there or CI demands it; otherwise `it.skip` after a warning nobody can miss.
 *
 * @example
 * itWithPromtool("passes promtool", () => { expect(checkMetrics(text)).toEqual(…); });
 */
export const itWithPromtool: typeof it = (() => {
  if (PROMTOOL_PATH !== null || onCi) return it;
  const bar = "!".repeat(100);
  console.warn(
    `\n${bar}\n  PROMTOOL TEST SKIPPED: no promtool on PATH (or at PROMTOOL_PATH).\n` +
      `  Install it with: apt-get install -y prometheus   (CI=true makes this a failure)\n${bar}\n`,
  );
  return it.skip as unknown as typeof it;
})();

/**
 * Runs `promtool check metrics` on an exposition; its exit code and every line it printed (the lint findings).
 */
export function checkMetrics(exposition: string): { status: number | null; findings: string[] } {
  if (PROMTOOL_PATH === null) {
    throw new Error("promtool is required under CI and is not on PATH: apt-get install -y prometheus");
  }
  const run = spawnSync(PROMTOOL_PATH, ["check", "metrics"], { input: exposition, encoding: "utf8", timeout: 30_000 });
  if (run.error) throw run.error;
  const findings = `${run.stdout}${run.stderr}`.split("\n").filter((line) => line.trim() !== "");
  return { status: run.status, findings };
}
