/** Runs `meetmeter` as a user does, in its own process, and collects what it printed and its exit code. */
import { spawn } from "node:child_process";
import path from "node:path";
import { FIXTURES } from "../../helpers/fixtures.js";

export const repoRoot = path.resolve(import.meta.dirname, "../../..");
export const fixtures = FIXTURES;

/** Variables the commands read; cleared so that the developer's own shell does not decide a test. */
const OWN_VARIABLES = [
  "WHEREBY_WEBHOOK_SECRET",
  "WEBHOOK_TOLERANCE_SECONDS",
  "MEETMETER_METADATA_SECRET",
  "METADATA_MAX_AGE_SECONDS",
];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { env?: Record<string, string>; stdin?: Uint8Array } = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  for (const name of OWN_VARIABLES) if (!options.env || !(name in options.env)) delete env[name];
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: repoRoot, env });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdin.end(options.stdin);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
