/** Recomputes every derived session from the event log, partition by partition. */
import type { EventStore } from "../store/event-store.js";
import { derivePartitions, type MetadataOptions } from "./projector.js";

const PARTITIONS_PER_ROUND = 250;

export interface RebuildResult {
  partitions: number;
  sessions: number;
  events: number;
  seconds: number;
}

export async function rebuildAll(
  store: EventStore,
  options: MetadataOptions & { now?: number; onProgress?: (done: number, total: number) => void },
): Promise<RebuildResult> {
  const started = performance.now();
  const keys = await store.partitionKeys();
  const events = await store.countEvents();
  await store.clearSessions();
  let sessions = 0;
  for (let i = 0; i < keys.length; i += PARTITIONS_PER_ROUND) {
    const round = keys.slice(i, i + PARTITIONS_PER_ROUND);
    const derived = await derivePartitions(store, round, { ...options, now: options.now ?? Date.now() });
    await store.replaceSessions(derived);
    sessions += derived.reduce((sum, p) => sum + p.sessions.length, 0);
    options.onProgress?.(Math.min(i + PARTITIONS_PER_ROUND, keys.length), keys.length);
  }
  return { partitions: keys.length, sessions, events, seconds: (performance.now() - started) / 1000 };
}
