/**
 * Keeps the derived sessions materialised: after events are committed, each partition they touched is derived again
 * (from what is kept of it, and the events stored since: see partition-states.ts) and saved. Reads wait for pending
 * work, so they see every acknowledged event.
 */
import {
  compareTimed,
  detailsOf,
  eventIdsBySession,
  foldSessions,
  partitionKeyOfSession,
  readEvent,
  sessionPartitionKey,
  type DeriveOptions,
  type TimedEvent,
} from "../attendance/index.js";
import type { DerivedPartition, EventReads, PartitionBody, SessionQueries, SessionWrites } from "../store/event-store.js";
import { partsOf, toSessionRows, type SessionRows } from "../store/session-rows.js";
import { parseIsoInstant } from "../iso-time.js";
import type { WherebyEvent } from "../whereby/events.js";
import type { MeetingResults } from "./meeting-results.js";
import { parseStoredBody, type PartitionState, type PartitionStates } from "./partition-states.js";

export type MetadataOptions = Omit<DeriveOptions, "now">;

/** How the partition of a session Whereby named begins: the partitions whose one session may be folded forward. */
const SESSION_PREFIX = sessionPartitionKey("");

/** The stored rows of one partition, in the log's order, as the state its derivation starts from. */
function stateOfRows(rows: readonly PartitionBody[]): PartitionState {
  const state: PartitionState = { throughSeq: 0, rows: 0, events: [], receivedAt: new Map(), fold: null };
  addRows(state, rows);
  return state;
}

/**
 * Adds stored rows to the state, each bounded by when it was received (by event id); answers the events new to it. A
 * body that no longer parses (it did when stored) is counted but left out.
 */
function addRows(state: PartitionState, rows: readonly PartitionBody[]): WherebyEvent[] {
  const added: WherebyEvent[] = [];
  for (const row of rows) {
    state.rows += 1;
    state.throughSeq = Math.max(state.throughSeq, row.seq);
    const event = parseStoredBody(row.body);
    if (event === null) continue;
    state.events.push(event);
    if (state.receivedAt.has(event.id)) continue;
    const at = parseIsoInstant(row.receivedAt);
    if (at !== null) state.receivedAt.set(event.id, at);
    added.push(event);
  }
  return added;
}

/** Derives the partition from all of its events, keeping the session it makes to fold later events into. */
function deriveWhole(partitionKey: string, state: PartitionState, options: DeriveOptions): DerivedPartition {
  const { events, receivedAt } = state;
  const folds = foldSessions(events, { ...options, receivedAt });
  const sessions = detailsOf(folds, options.now);
  state.fold = partitionKey.startsWith(SESSION_PREFIX) && folds.length === 1 ? folds[0]! : null;
  // Which of a room's events each session cut from its log is made of is saved with it, for its event list to read.
  const cut = sessions.some(({ id }) => sessionPartitionKey(id) !== partitionKey);
  const eventIds = cut ? eventIdsBySession(events, { now: options.now, receivedAt }) : undefined;
  return { partitionKey, throughSeq: state.throughSeq, events: state.rows, sessions, eventIds };
}

/**
 * Derives the partition from its state and the rows stored since: folded into its session when each new event comes
 * after all it had, else from all of its events.
 */
function deriveGrown(
  partitionKey: string,
  state: PartitionState,
  rows: readonly PartitionBody[],
  options: DeriveOptions,
): DerivedPartition {
  const added = addRows(state, rows);
  const { fold } = state;
  if (fold === null) return deriveWhole(partitionKey, state, options);
  const timed: TimedEvent[] = [];
  for (const event of added) {
    const reading = readEvent(event, state);
    if (reading.usable) timed.push(reading.timed);
  }
  if (!timed.sort(compareTimed).every((next) => fold.extend(next))) return deriveWhole(partitionKey, state, options);
  return { partitionKey, throughSeq: state.throughSeq, events: state.rows, sessions: [fold.detail(options.now)] };
}

/**
 * Derives each partition from all of its events, each bounded by when it was received. With `states`, a partition
 * derived lately is read only for what was stored since, and folded forward where it can be (see PartitionStates);
 * the figures are the same either way.
 */
export async function derivePartitions(
  store: EventReads,
  partitionKeys: readonly string[],
  options: DeriveOptions,
  states?: PartitionStates,
): Promise<DerivedPartition[]> {
  const keys = [...new Set(partitionKeys)];
  const known = new Map<string, PartitionState>();
  for (const key of keys) {
    const state = states?.take(key);
    if (state !== undefined) known.set(key, state);
  }
  const grown = new Map<string, PartitionBody[]>();
  if (known.size > 0) {
    const { rows, counts } = await store.partitionsAfter(new Map([...known].map(([key, state]) => [key, state.throughSeq])));
    for (const row of rows) (grown.get(row.partitionKey) ?? grown.set(row.partitionKey, []).get(row.partitionKey)!).push(row);
    // An event committed late below the place read last: the state misses it, so the partition is read whole.
    for (const [key, state] of known) {
      if ((counts.get(key) ?? 0) !== state.rows + (grown.get(key)?.length ?? 0)) known.delete(key);
    }
  }
  const whole = new Map<string, PartitionBody[]>(keys.filter((key) => !known.has(key)).map((key) => [key, []]));
  if (whole.size > 0) for (const row of await store.bodiesOfPartitions([...whole.keys()])) whole.get(row.partitionKey)?.push(row);

  const derived = keys.map((key) => {
    const state = known.get(key);
    const next = state ?? stateOfRows(whole.get(key)!);
    const partition = state ? deriveGrown(key, next, grown.get(key) ?? [], options) : deriveWhole(key, next, options);
    states?.keep(key, next);
    return partition;
  });
  states?.trim();
  return derived;
}

/** Derives each partition as {@link derivePartitions} does, as the rows that replace its sessions in the store. */
export async function derivePartitionRows(
  store: EventReads,
  partitionKeys: readonly string[],
  options: DeriveOptions,
  states?: PartitionStates,
): Promise<SessionRows> {
  return toSessionRows(await derivePartitions(store, partitionKeys, options, states));
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
