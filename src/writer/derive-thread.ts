/**
 * The handle on a deriving thread (derive-worker.ts): it reads the events of the partitions it is given on a
 * connection of its own, derives their sessions and hands back the rows to save. The writer thread keeps one, so that
 * commits never wait behind deriving; a rebuild keeps one, so that deriving a round overlaps saving the last.
 */
import type { SessionRows } from "../store/session-rows.js";
import type { DeriveCalls, DeriveSettings } from "./protocol.js";
import { Thread } from "./threads.js";

export class DeriveThread {
  private constructor(
    private thread: Thread<DeriveCalls>,
    private readonly settings: DeriveSettings,
  ) {}

  static async start(settings: DeriveSettings): Promise<DeriveThread> {
    return new DeriveThread(await Thread.start<DeriveCalls>("derive-worker", settings), settings);
  }

  async derive(partitionKeys: readonly string[], now: number): Promise<SessionRows> {
    // A thread that died (out of memory on a huge partition, say) is replaced: this call and later ones go on.
    if (this.thread.failed) this.thread = await Thread.start<DeriveCalls>("derive-worker", this.settings);
    return this.thread.call("derive", [...partitionKeys], now);
  }

  async close(): Promise<void> {
    if (!this.thread.failed) await this.thread.call("close").catch(() => {});
    await this.thread.terminate();
  }
}
