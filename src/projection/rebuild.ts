/** Recomputes every derived session from the event log, partition by partition. */
import { SessionsRefusedError, type EventReads, type SessionWrites } from "../store/event-store.js";
import type { SessionRows } from "../store/session-rows.js";
import { derivePartitionRows, type Derive, type MetadataOptions } from "./projector.js";

/** Partitions derived together and saved in one transaction: few enough that a round's events stay a few MB. */
const PARTITIONS_PER_ROUND = 50;

export interface RebuildResult {
  partitions: number;
  sessions: number;
  events: number;
  seconds: number;
  /** Why the sessions of some partitions could not be saved (see SessionsRefusedError); every other one was. */
  refused: string[];
}

export interface RebuildOptions extends MetadataOptions {
  now?: number;
  /** Partitions done out of all: first with 0, once the total is known, then after each round is saved. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Derives a round of partitions; by default here, from this store. With a deriving thread
   * (writer/derive-thread.ts) the next round is derived while this one is saved.
   */
  derive?: Derive;
  partitionsPerRound?: number;
}

export async function rebuildAll(store: EventReads & SessionWrites, options: RebuildOptions): Promise<RebuildResult> {
  const started = performance.now();
  const now = options.now ?? Date.now();
  const derive = options.derive ?? ((keys, at) => derivePartitionRows(store, keys, { ...options, now: at }));
  await store.refreshStatistics();
  const keys = await store.partitionKeys();
  const events = await store.countEvents();
  await store.clearSessions();
  options.onProgress?.(0, keys.length);
  const rounds: string[][] = [];
  const size = options.partitionsPerRound ?? PARTITIONS_PER_ROUND;
  for (let i = 0; i < keys.length; i += size) rounds.push(keys.slice(i, i + size));

  let sessions = 0;
  let done = 0;
  const refused: string[] = [];
  let next: Promise<SessionRows> | undefined = rounds[0] && derive(rounds[0], now);
  for (let i = 0; i < rounds.length; i += 1) {
    const rows = await next!;
    next = rounds[i + 1] && derive(rounds[i + 1]!, now);
    // Awaited on the next turn; until then a failure of it must not count as unhandled if this save fails first.
    next?.catch(() => {});
    try {
      await store.replaceSessions(rows);
      sessions += rows.sessions.length;
    } catch (error) {
      // One partition the store cannot keep must not stop the rebuild of every one after it.
      if (!(error instanceof SessionsRefusedError)) throw error;
      refused.push(error.message);
      const lost = new Set(error.partitionKeys);
      sessions += rows.sessions.filter((row) => !lost.has(row.partition_key)).length;
    }
    done += rounds[i]!.length;
    options.onProgress?.(done, keys.length);
  }
  return { partitions: keys.length, sessions, events, seconds: (performance.now() - started) / 1000, refused };
}
