/**
 * The HTTP thread's handle on the writer thread (writer-worker.ts): append batches, wait for derivation to catch up.
 */
import type { AppendOutcome, IncomingEvent, QuarantinedDelivery } from "../store/event-store.js";
import type { DeriveFailure, WriterCalls, WriterSettings } from "./protocol.js";
import { Thread } from "./threads.js";

export class StoreWriter {
  private constructor(private readonly thread: Thread<WriterCalls, DeriveFailure>) {}

  /** Starts the writer thread on the configured store, already migrated, and waits until it is ready. */
  static async start(
    settings: WriterSettings,
    onError: (message: string, partitionKeys: readonly string[]) => void = () => {},
  ): Promise<StoreWriter> {
    const thread = await Thread.start<WriterCalls, DeriveFailure>("writer-worker", settings, (failure) =>
      onError(failure.message, failure.partitionKeys),
    );
    return new StoreWriter(thread);
  }

  /** Appends one batch in one transaction; resolves once it is committed, one outcome per event (true: new). */
  append(events: readonly IncomingEvent[]): Promise<AppendOutcome[]> {
    return this.thread.call("append", [...events]);
  }

  /** Keeps validly signed bodies that are not usable events; resolves once committed. */
  quarantine(deliveries: readonly QuarantinedDelivery[]): Promise<void> {
    return this.thread.call("quarantine", [...deliveries]);
  }

  /** Derives these partitions again soon (after a spool drain, or a rebuild's leftovers). */
  async markDirty(partitionKeys: Iterable<string | null>): Promise<void> {
    const keys = [...partitionKeys].filter((k): k is string => k !== null);
    if (keys.length > 0) await this.thread.call("markDirty", keys);
  }

  /** Resolves once every event committed before this call is derived. */
  idle(): Promise<void> {
    return this.thread.call("idle");
  }

  async close(): Promise<void> {
    if (!this.thread.failed) await this.thread.call("close").catch(() => {});
    await this.thread.terminate();
  }
}
