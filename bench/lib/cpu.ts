/**
 * CPU time as Linux accounts it (/proc), so that the benchmark can say what each event cost and how much of the
 * machine sat idle: a receiver may be short of CPU, or waiting while cores are free. Elsewhere every figure is null.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** A process's CPU time (user and system, all of its threads), in microseconds; null once it is gone. */
function processMicros(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name, in parentheses, may hold spaces; the fields that follow it do not.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks();
  } catch {
    return null;
  }
}

/** Every PostgreSQL server process on this machine: the database's own share of the work. */
function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "postgres") pids.push(Number(entry));
    } catch {
      // Gone while listed.
    }
  }
  return pids;
}

interface Snapshot {
  target: number | null;
  postgres: Map<number, number>;
  idle: number;
  total: number;
}

export interface CpuUse {
  /** The receiver's CPU per request, all of its threads, in µs. */
  targetMicros: number | null;
  /** PostgreSQL's own CPU per request, in µs (only where PostgreSQL runs on this machine). */
  postgresMicros: number | null;
  /** The share of the machine's CPU time that was idle, in percent. */
  idlePercent: number | null;
}

function snapshot(pid: number): Snapshot | null {
  try {
    const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const postgres = new Map<number, number>();
    for (const p of postgresPids()) {
      const micros = processMicros(p);
      if (micros !== null) postgres.set(p, micros);
    }
    // idle and iowait
    return { target: processMicros(pid), postgres, idle: cpu[3]! + cpu[4]!, total: cpu.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/** Starts measuring the process `pid` and the machine; the function returned ends it, given the requests served. */
export function measureCpu(pid: number): (requests: number) => CpuUse {
  const before = snapshot(pid);
  return (requests) => {
    const after = snapshot(pid);
    if (!before || !after || requests <= 0) return { targetMicros: null, postgresMicros: null, idlePercent: null };
    const target = before.target !== null && after.target !== null ? (after.target - before.target) / requests : null;
    let postgres = 0;
    for (const [p, micros] of after.postgres) postgres += micros - (before.postgres.get(p) ?? 0);
    return {
      targetMicros: target,
      postgresMicros: after.postgres.size > 0 ? postgres / requests : null,
      idlePercent: (100 * (after.idle - before.idle)) / Math.max(1, after.total - before.total),
    };
  };
}
