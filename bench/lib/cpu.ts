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
  return statMicros(`/proc/${pid}/stat`);
}

/** The CPU time of a process or thread from its stat file, in microseconds; null once it is gone. */
function statMicros(path: string): number | null {
  try {
    const stat = readFileSync(path, "utf8");
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

/** Each thread of a process by its id: its CPU time in microseconds. */
function threadMicros(pid: number): Map<number, number> {
  const threads = new Map<number, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const micros = statMicros(`/proc/${pid}/task/${tid}/stat`);
      if (micros !== null) threads.set(Number(tid), micros);
    }
  } catch {
    // Gone.
  }
  return threads;
}

interface Snapshot {
  target: number | null;
  threads: Map<number, number>;
  postgres: Map<number, number>;
  idle: number;
  total: number;
}

export interface CpuUse {
  /** The receiver's CPU per request, all of its threads, in µs. */
  targetMicros: number | null;
  /**
   * The receiver's CPU per request on its main thread (HTTP), then on its two busiest other threads (the store writer
   * and the deriving thread, busiest first), in µs.
   */
  threadMicros: number[] | null;
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
    return { target: processMicros(pid), threads: threadMicros(pid), postgres, idle: cpu[3]! + cpu[4]!, total: cpu.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/** Starts measuring the process `pid` and the machine; the function returned ends it, given the requests served. */
export function measureCpu(pid: number): (requests: number) => CpuUse {
  const before = snapshot(pid);
  return (requests) => {
    const after = snapshot(pid);
    if (!before || !after || requests <= 0) {
      return { targetMicros: null, threadMicros: null, postgresMicros: null, idlePercent: null };
    }
    const used = new Map([...after.threads].map(([tid, micros]) => [tid, (micros - (before.threads.get(tid) ?? 0)) / requests]));
    const others = [...used].filter(([tid]) => tid !== pid).map(([, micros]) => micros).sort((a, b) => b - a);
    const target = before.target !== null && after.target !== null ? (after.target - before.target) / requests : null;
    let postgres = 0;
    for (const [p, micros] of after.postgres) postgres += micros - (before.postgres.get(p) ?? 0);
    return {
      targetMicros: target,
      threadMicros: [used.get(pid) ?? 0, ...others.slice(0, 2)],
      postgresMicros: after.postgres.size > 0 ? postgres / requests : null,
      idlePercent: (100 * (after.idle - before.idle)) / Math.max(1, after.total - before.total),
    };
  };
}
