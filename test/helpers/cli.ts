/** Runs `meetmeter` as a user does, from source, in its own process: what it printed and how it exited. */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "./repo.js";

/** Node arguments that run the command line from source, from any working directory. */
export const CLI = ["--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href, resolve(REPO_ROOT, "src/cli/main.ts")];

/** Variables the commands read; cleared so that the developer's own shell does not decide a test. */
const OWN_VARIABLES = ["WHEREBY_WEBHOOK_SECRET", "WEBHOOK_TOLERANCE_SECONDS", "MEETMETER_METADATA_SECRET", "METADATA_MAX_AGE_SECONDS"];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to this process's environment, less the variables above unless given here. */
  env?: Record<string, string>;
  /** The whole environment instead, for a command that must see nothing else. */
  onlyEnv?: Record<string, string>;
  stdin?: Uint8Array;
  /** The working directory; the repository by default. */
  cwd?: string;
  /** Kills the command after this long; 60 s by default. */
  timeoutMs?: number;
}

/**
 * @example
 * const { code, stdout } = await runCli(["report", "sessions", "--format", "json", "--database", url]);
 */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  let env: Record<string, string | undefined> = options.onlyEnv ?? { ...process.env, ...options.env };
  if (!options.onlyEnv) {
    env = { ...env };
    for (const name of OWN_VARIABLES) if (!options.env || !(name in options.env)) delete env[name];
  }
  const child = spawn(process.execPath, [...CLI, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env,
    timeout: options.timeoutMs ?? 60_000,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdin.end(options.stdin);
  return new Promise((done, reject) => {
    child.on("error", reject);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}
