/**
 * The subscribers of `GET /api/events/stream` in this process: at most a configured number at once, each event the
 * tail reads framed once and the same bytes handed to every one of them, and a subscriber that stops reading cut off
 * once it is too far behind, instead of being buffered for without end. Each event goes out as an unnamed SSE event
 * whose `id:` is its place in the log, so that a client that drops resumes after the last one it got.
 */
import type { EventReads, StoredEvent } from "../store/event-store.js";
import { LiveSubscriber, type FramedEvent } from "./live-subscriber.js";
import { TAIL_PAGE, type StoreTail } from "./store-tail.js";

/**
 * How many bytes a subscriber may leave unread in this process before it is cut off (what the kernel's socket
 * buffers hold comes first). A single event larger than this still goes to a subscriber that has read everything.
 */
export const STREAM_MAX_BUFFERED_BYTES = 1024 * 1024;

const HEARTBEAT_MS = 15_000;

export interface LiveStreamOptions {
  /** Most subscribers at once (MEETMETER_STREAM_MAX_CLIENTS). */
  maxClients: number;
  maxBufferedBytes?: number;
  /** An event as the text its `data:` lines carry. */
  format: (event: StoredEvent) => string;
  /** A subscriber was cut off with this many bytes it had not read. */
  onCut?: (unreadBytes: number) => void;
  /** The number of subscribers changed. */
  onSize?: (size: number) => void;
}

export class LiveStream {
  private readonly subscribers = new Set<LiveSubscriber>();
  private unwatch: (() => void) | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  /** Catch-up reads, one at a time: many clients resuming at once (after a restart) take their turns. */
  private readTurn: Promise<unknown> = Promise.resolve();
  private readonly maxBufferedBytes: number;

  constructor(
    private readonly tail: StoreTail,
    private readonly store: Pick<EventReads, "scanEvents">,
    private readonly options: LiveStreamOptions,
  ) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? STREAM_MAX_BUFFERED_BYTES;
    tail.onEvents((events) => this.publish(events));
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** Whether another subscriber would pass the limit. */
  get full(): boolean {
    return this.subscribers.size >= this.options.maxClients;
  }

  /**
   * Takes a place for a subscriber and resolves once the tail knows where the log ends; the caller then writes the
   * headers and calls `begin`, in the same turn. Rejects, the place given back, when the store cannot say.
   */
  async reserve(): Promise<LiveSubscriber> {
    const subscriber: LiveSubscriber = new LiveSubscriber({
      read: (afterSeq) => this.read(afterSeq),
      safeSeq: () => this.tail.safeSeq,
      newestSeq: () => this.tail.newestSeq,
      frame: (event) => this.frame(event),
      maxBufferedBytes: this.maxBufferedBytes,
      onCut: (unreadBytes) => this.options.onCut?.(unreadBytes),
      onGone: () => this.remove(subscriber),
    });
    this.subscribers.add(subscriber);
    this.options.onSize?.(this.subscribers.size);
    if (this.unwatch === null) {
      this.unwatch = this.tail.watch();
      this.heartbeat = setInterval(() => this.subscribers.forEach((s) => s.heartbeat()), HEARTBEAT_MS);
      this.heartbeat.unref();
    }
    try {
      await this.tail.ready();
    } catch (error) {
      subscriber.end();
      throw error;
    }
    return subscriber;
  }

  /** Ends every stream: they never end by themselves, and shutdown would otherwise wait for the browsers. */
  endAll(): void {
    for (const subscriber of [...this.subscribers]) subscriber.end();
  }

  private remove(subscriber: LiveSubscriber): void {
    if (!this.subscribers.delete(subscriber)) return;
    this.options.onSize?.(this.subscribers.size);
    if (this.subscribers.size > 0 || this.unwatch === null) return;
    this.unwatch();
    this.unwatch = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private read(afterSeq: number): Promise<StoredEvent[]> {
    const read = this.readTurn.then(() => this.store.scanEvents(afterSeq, TAIL_PAGE));
    this.readTurn = read.catch(() => {});
    return read;
  }

  private publish(events: readonly StoredEvent[]): void {
    if (this.subscribers.size === 0) return;
    const framed: FramedEvent[] = events.map((event) => ({ seq: event.seq, bytes: this.frame(event) }));
    for (const subscriber of [...this.subscribers]) subscriber.offer(framed);
  }

  private frame(event: StoredEvent): Buffer {
    // Unnamed, so that EventSource's onmessage gets it. A body may span lines; each line gets its own "data:" field.
    const data = this.options.format(event).split(/\r\n|\r|\n/).map((line) => `data: ${line}`).join("\n");
    return Buffer.from(`id: ${event.seq}\n${data}\n\n`);
  }
}
