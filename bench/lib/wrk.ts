/** Runs wrk with the pre-signed deliveries and reads the summary its Lua script prints. */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { REPO_ROOT } from "./processes.js";

export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  /** Answers other than 2xx, plus connection errors and timeouts. */
  errors: number;
  acknowledged: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function runWrk(url: string, file: string, options: { connections: number; seconds: number }): Promise<LoadResult> {
  const args = [
    "-t1",
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    "--timeout",
    "5s",
    "-s",
    resolve(REPO_ROOT, "bench/wrk-deliver.lua"),
    `${url}/webhooks/whereby`,
    "--",
    file,
  ];
  const output = await new Promise<string>((done, reject) => {
    const child = spawn("wrk", args, { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? done(text) : reject(new Error(`wrk failed (${code}):\n${text}`))));
  });
  const line = /WRK_JSON (\{.*\})/.exec(output)?.[1];
  if (!line) throw new Error(`wrk printed no summary:\n${output}`);
  const s = JSON.parse(line) as Record<string, number>;
  const socketErrors = (s.connect ?? 0) + (s.read ?? 0) + (s.write ?? 0) + (s.timeout ?? 0);
  const seconds = (s.duration_us ?? 1) / 1e6;
  const requests = s.requests ?? 0;
  return {
    requests,
    seconds,
    requestsPerSecond: requests / seconds,
    errors: (s.non2xx ?? 0) + socketErrors,
    acknowledged: requests - (s.non2xx ?? 0),
    p50Ms: (s.p50_us ?? 0) / 1000,
    p99Ms: (s.p99_us ?? 0) / 1000,
    maxMs: (s.max_us ?? 0) / 1000,
  };
}
