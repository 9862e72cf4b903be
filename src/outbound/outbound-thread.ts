/**
 * The handle on the outbound thread (outbound-worker.ts): started by `serve`, poked when a delivery is sent again by
 * hand, and telling back each try's outcome (for the metrics) and each failed round (for the log).
 */
import type { MeetingRules } from "../attendance/roster.js";
import type { DatabaseConfig, OutboundConfig } from "../config.js";
import { Thread } from "../writer/threads.js";

export interface OutboundThreadSettings {
  database: DatabaseConfig;
  outbound: OutboundConfig;
  rules: MeetingRules;
}

export interface OutboundCalls {
  poke(): void;
  close(): void;
}

export type OutboundNotice = { outcome: "delivered" | "retrying" | "failed" } | { error: string };

export class OutboundThread {
  private constructor(private readonly thread: Thread<OutboundCalls, OutboundNotice>) {}

  static async start(settings: OutboundThreadSettings, onNotice: (notice: OutboundNotice) => void): Promise<OutboundThread> {
    return new OutboundThread(await Thread.start<OutboundCalls, OutboundNotice>("outbound-worker", settings, onNotice, import.meta.url));
  }

  /** Looks for what is due now rather than at its next look. */
  poke(): void {
    this.thread.call("poke").catch(() => {});
  }

  async close(): Promise<void> {
    if (!this.thread.failed) await this.thread.call("close").catch(() => {});
    await this.thread.terminate();
  }
}
