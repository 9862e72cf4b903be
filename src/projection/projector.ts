/**
 * Keeps the derived sessions materialised: after events are committed, each partition they touched is derived
 * again from all of its events and saved. Reads wait for pending work, so they see every acknowledged event.
 */
import {
  deriveSessions,
  eventIdsBySession,
  partitionKeyOfSession,
  sessionPartitionKey,
  type DeriveOptions,
} from "../attendance/index.js";
import type { DerivedPartition, EventReads, PartitionBody, SessionQueries, SessionWrites } from "../store/event-store.js";
import { partsOf, toSessionRows, type SessionRows } from "../store/session-rows.js";
import { parseIsoInstant } from "../iso-time.js";
import type { WherebyEvent } from "../whereby/events.js";
import type { MeetingResults } from "./meeting-results.js";
import { parseStoredBody, type ParsedEvents } from "./parsed-events.js";

export type MetadataOptions = Omit<DeriveOptions, "now">;

/**
 * The stored rows as events, with when each was received (by event id: what bounds its createdAt in the derivation).
 * A body that no longer parses (it did when stored) is left out. `parse` reads one row's body: by default afresh.
 */
function eventsFromLog<Row extends Pick<PartitionBody, "body" | "receivedAt">>(
  rows: readonly Row[],
  parse: (row: Row) => WherebyEvent | null = (row) => parseStoredBody(row.body),
): {
  events: WherebyEvent[];
  receivedAt: Map<string, number>;
} {
  const events: WherebyEvent[] = [];
  const receivedAt = new Map<string, number>();
  for (const row of rows) {
    const event = parse(row);
    if (event === null) continue;
    events.push(event);
    const at = parseIsoInstant(row.receivedAt);
    if (at !== null && !receivedAt.has(event.id)) receivedAt.set(event.id, at);
  }
  return { events, receivedAt };
}

/**
 * Derives each partition from all of its events, read in one query, each bounded by when it was received. With
 * `parsed`, a body parsed for an earlier derivation is not parsed again.
 */
export async function derivePartitions(
  store: EventReads,
  partitionKeys: readonly string[],
  options: DeriveOptions,
  parsed?: ParsedEvents,
): Promise<DerivedPartition[]> {
  const byPartition = new Map(partitionKeys.map((key) => [key, { rows: [] as PartitionBody[], throughSeq: 0 }]));
  for (const row of await store.bodiesOfPartitions(partitionKeys)) {
    const partition = byPartition.get(row.partitionKey);
    if (!partition) continue;
    partition.rows.push(row);
    partition.throughSeq = Math.max(partition.throughSeq, row.seq);
  }
  const derived = [...byPartition].map(([partitionKey, { rows, throughSeq }]) => {
    const { events, receivedAt } = eventsFromLog(rows, parsed?.parserOf(partitionKey));
    const sessions = deriveSessions(events, { ...options, receivedAt });
    // Which of a room's events each session cut from its log is made of is saved with it, for its event list to read.
    const cut = sessions.some(({ id }) => sessionPartitionKey(id) !== partitionKey);
    const eventIds = cut ? eventIdsBySession(events, { now: options.now, receivedAt }) : undefined;
    return { partitionKey, throughSeq, events: rows.length, sessions, eventIds };
  });
  parsed?.trim();
  return derived;
}

/** Derives each partition as {@link derivePartitions} does, as the rows that replace its sessions in the store. */
export async function derivePartitionRows(
  store: EventReads,
  partitionKeys: readonly string[],
  options: DeriveOptions,
  parsed?: ParsedEvents,
): Promise<SessionRows> {
  return toSessionRows(await derivePartitions(store, partitionKeys, options, parsed));
}

/**
 * The partitions of every session saved as ongoing: what a starting service derives again besides its newest events,
 * so that one that fell silent while no process ran is saved ended, and one still going is brought up to now again.
 */
export async function ongoingPartitionKeys(store: SessionQueries): Promise<string[]> {
  const keys = new Set<string>();
  let cursor: string | null = null;
  do {
    const page = await store.listSessions({ ongoing: true }, 500, cursor);
    for (const summary of page.results) keys.add(partitionKeyOfSession(summary));
    cursor = page.cursor;
  } while (cursor !== null);
  return [...keys];
}

/** How partitions are derived: on another thread (writer/derive-thread.ts), or here with {@link derivePartitionRows}. */
export type Derive = (partitionKeys: readonly string[], now: number) => Promise<SessionRows>;

/** Partitions derived together. */
const PARTITIONS_PER_ROUND = 200;

/**
 * Partitions saved in one transaction. Saving forty 20-person sessions took 8 to 17 ms on SQLite, while deliveries
 * waited behind it; a tenth of the batches waited more than a millisecond for the writer, and one in a hundred 10 ms.
 */
const PARTITIONS_PER_SAVE = 8;

/**
 * How long newly dirty partitions wait before they are derived: a busy session (a webinar's hundreds of joins) is
 * then derived a few times a second rather than once per commit. A read never waits for it: it starts the work.
 */
const DEFAULT_DELAY_MS = 100;


export interface ProjectorSettings {
  /** Derives partitions (on another thread, say); by default here, reading their events from the store. */
  derive?: Derive;
  onError?: (error: unknown, partitionKeys: readonly string[]) => void;
  delayMs?: number;
  /** Told of the meetings whose sessions were saved, and asked to bring live meetings to now with the sessions. */
  meetings?: Pick<MeetingResults, "refresh" | "refreshLive">;
}

export class Projector {
  private dirty = new Set<string>();
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Counts markDirty calls, and how many of them are saved: reads wait for their own moment, not for quiet. */
  private marked = 0;
  private saved = 0;
  /**
   * The partitions this projector last saved with a session ongoing. None stays there long: a session silent for 12
   * hours is over (SILENCE_MS), and the refresh that finds it so saves it ended and lets it go.
   */
  private readonly ongoing = new Set<string>();
  private waiters: { until: number; resolve: () => void }[] = [];
  private readonly derive: NonNullable<ProjectorSettings["derive"]>;
  private readonly onError: NonNullable<ProjectorSettings["onError"]>;
  private readonly delayMs: number;
  private readonly meetings: ProjectorSettings["meetings"];

  constructor(
    private readonly store: EventReads & SessionWrites,
    options: MetadataOptions,
    settings: ProjectorSettings = {},
  ) {
    this.derive = settings.derive ?? ((keys, now) => derivePartitionRows(store, keys, { ...options, now }));
    this.onError = settings.onError ?? (() => {});
    this.delayMs = settings.delayMs ?? DEFAULT_DELAY_MS;
    this.meetings = settings.meetings;
  }

  markDirty(partitionKeys: Iterable<string | null>): void {
    for (const key of partitionKeys) if (key !== null) this.dirty.add(key);
    this.marked += 1;
    if (this.dirty.size > 0) this.schedule();
    else if (!this.running) this.settle(this.marked);
  }

  /**
   * Derives again the partitions this projector saved with an ongoing session, so that their saved figures come up to
   * now. Reads do not wait for it: those that need an ongoing session's figures to the moment derive it themselves.
   */
  refreshOngoing(): void {
    for (const key of this.ongoing) this.dirty.add(key);
    if (this.dirty.size > 0) this.schedule();
    this.meetings?.refreshLive(Date.now()).catch((error: unknown) => this.onError(error, []));
  }

  /** Resolves once every partition marked before this call is saved, even while new events keep coming. */
  idle(): Promise<void> {
    if (this.saved >= this.marked) return Promise.resolve();
    const waiting = new Promise<void>((resolve) => this.waiters.push({ until: this.marked, resolve }));
    this.startNow();
    return waiting;
  }

  /**
   * Derives these partitions now and saves them, a few partitions a transaction. Saving blocks the thread that also
   * commits deliveries (SQLite writes synchronously), so between two parts the deliveries waiting are committed.
   */
  async project(partitionKeys: readonly string[], now = Date.now()): Promise<void> {
    const rows = await this.derive(partitionKeys, now);
    const parts = partsOf(rows, PARTITIONS_PER_SAVE);
    let failure: unknown = null;
    for (const [i, part] of parts.entries()) {
      if (i > 0) await new Promise((next) => setImmediate(next));
      // A part the store refuses must not keep the parts after it from being saved.
      await this.store.replaceSessions(part).catch((error: unknown) => (failure ??= error));
    }
    if (failure !== null) throw failure;
    await this.meetings?.refresh(rows.sessions.map((s) => s.meeting_id), now);
    const live = new Set(rows.sessions.filter((s) => s.ongoing === 1).map((s) => s.partition_key));
    for (const { partitionKey } of rows.partitions) {
      if (live.has(partitionKey)) this.ongoing.add(partitionKey);
      else this.ongoing.delete(partitionKey);
    }
  }

  private schedule(): void {
    if (this.running || this.timer) return;
    this.timer = setTimeout(() => this.startNow(), this.delayMs);
  }

  private startNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.dirty.size > 0) this.running ??= this.run();
  }

  private settle(upTo: number): void {
    this.saved = Math.max(this.saved, upTo);
    const ready = this.waiters.filter((w) => w.until <= this.saved);
    this.waiters = this.waiters.filter((w) => w.until > this.saved);
    for (const waiter of ready) waiter.resolve();
  }

  private async run(): Promise<void> {
    const upTo = this.marked;
    const keys = [...this.dirty];
    this.dirty.clear();
    try {
      for (let i = 0; i < keys.length; i += PARTITIONS_PER_ROUND) {
        const round = keys.slice(i, i + PARTITIONS_PER_ROUND);
        try {
          await this.project(round);
        } catch (error) {
          // The log holds the truth; a failed projection is retried on the next event or by `meetmeter rebuild`.
          this.onError(error, round);
        }
      }
    } finally {
      this.running = null;
      this.settle(this.dirty.size === 0 ? this.marked : upTo);
      // Whatever came in meanwhile waits its turn, unless a read is already waiting for it.
      if (this.waiters.length > 0) this.startNow();
      else if (this.dirty.size > 0) this.schedule();
    }
  }
}
