/** Starting and stopping benchmark targets as processes of their own, so they never share the harness's CPU time. */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface Target {
  url: string;
  child: ChildProcess;
  stop(): Promise<number | null>;
}

export async function startTarget(
  script: string,
  args: string[],
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<Target> {
  // TypeScript runs through tsx; a built script (.js) runs as it ships, without the loader's threads and memory.
  const loader = script.endsWith(".ts") ? ["--import", TSX] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, resolve(REPO_ROOT, script), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${output}`)), 30_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    void exited.then(() => reject(new Error(`${script} exited:\n${output}`)));
  });
  return {
    url,
    child,
    async stop() {
      child.kill("SIGTERM");
      return exited;
    },
  };
}
