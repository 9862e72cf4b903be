/**
 * Every message that crosses between our threads: what the HTTP thread asks of the writer thread (writer-worker.ts),
 * what the writer asks of its deriving thread (derive-worker.ts), what each answers, and what the writer tells
 * unasked. Both sides import their types from here and from nowhere else.
 */
import type { MeetingRules } from "../attendance/roster.js";
import type { DatabaseConfig } from "../config.js";
import type { AppendOutcome, IncomingEvent, QuarantinedDelivery } from "../store/event-store.js";
import type { SessionRows } from "../store/session-rows.js";
import type { MetadataOptions } from "../projection/projector.js";

/** What a writer or deriving thread is started with (its `workerData`). */
export interface WriterSettings {
  database: DatabaseConfig;
  metadata: MetadataOptions;
  /** The rules of a scheduled meeting that gives none of its own. */
  meetingRules: MeetingRules;
  /** How often the saved figures of ongoing sessions are brought up to now; 30 s unless given. */
  ongoingRefreshMs?: number;
}

/** What a deriving thread is started with. */
export interface DeriveSettings extends Pick<WriterSettings, "database" | "metadata"> {
  /**
   * Whether it keeps what it derived for the next derivation (see PartitionStates): the writer's does, as it derives
   * the same busy partitions again and again; a rebuild's does not, as it derives each partition once.
   */
  keepStates: boolean;
}

/** The writer thread's calls: each one's arguments, and what it answers. */
export interface WriterCalls {
  /** Appends one batch in one transaction: one outcome per event (true: new). */
  append(events: IncomingEvent[]): AppendOutcome[];
  quarantine(deliveries: QuarantinedDelivery[]): void;
  markDirty(partitionKeys: string[]): void;
  /** Answers once every event committed before it is derived. */
  idle(): void;
  close(): void;
}

/** The deriving thread's calls. */
export interface DeriveCalls {
  derive(partitionKeys: string[], now: number): SessionRows;
  close(): void;
}

/** What the writer tells unasked: a derivation that failed (the log keeps the truth; rebuild repairs it). */
export interface DeriveFailure {
  message: string;
  partitionKeys: readonly string[];
}

/** A thread's calls, by name: each a function from its arguments to its answer. */
export type Calls<T> = { [Op in keyof T]: (...args: never[]) => unknown };

/** One call on its way to a thread. */
export interface Request<T extends Calls<T>, Op extends keyof T = keyof T> {
  id: number;
  op: Op;
  args: Parameters<T[Op]>;
}

/** Its answer: id 0 is the thread's own "ready" (or the failure to start). */
export type Answer = { id: number; ok: true; result?: unknown } | { id: number; ok: false; message: string };

/** What a thread tells without being asked. */
export interface Notice<N> {
  id: -1;
  notice: N;
}
