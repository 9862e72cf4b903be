/**
 * The subscribers of `GET /api/events/stream` in this process: at most a configured number at once, each event
 * framed once and the same bytes handed to every one of them, and a subscriber that stops reading cut off once it is
 * too far behind, instead of being buffered for without end.
 */
import type { ServerResponse } from "node:http";
import type { IncomingEvent } from "../store/event-store.js";
import type { LiveEvents } from "./live-events.js";

/**
 * How many bytes a subscriber may leave unread in this process before it is cut off (what the kernel's socket
 * buffers hold comes first). A single event larger than this still goes to a subscriber that has read everything.
 */
export const STREAM_MAX_BUFFERED_BYTES = 1024 * 1024;

const HEARTBEAT_MS = 15_000;
const GREETING = Buffer.from(": meetmeter live events\n\n");
const KEEP_ALIVE = Buffer.from(": keep-alive\n\n");

export interface LiveStreamOptions {
  /** Most subscribers at once (MEETMETER_STREAM_MAX_CLIENTS). */
  maxClients: number;
  maxBufferedBytes?: number;
  /** An event as the text its `data:` lines carry. */
  format: (event: IncomingEvent) => string;
  /** A subscriber was cut off with this many bytes it had not read. */
  onCut?: (unreadBytes: number) => void;
  /** The number of subscribers changed. */
  onSize?: (size: number) => void;
}

export class LiveStream {
  private readonly clients = new Set<ServerResponse>();
  private unsubscribe: (() => void) | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly maxBufferedBytes: number;

  constructor(
    private readonly live: LiveEvents,
    private readonly options: LiveStreamOptions,
  ) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? STREAM_MAX_BUFFERED_BYTES;
  }

  get size(): number {
    return this.clients.size;
  }

  /** Whether another subscriber would pass the limit. */
  get full(): boolean {
    return this.clients.size >= this.options.maxClients;
  }

  /** Takes a response whose headers are written; it is a subscriber until its connection closes. */
  add(response: ServerResponse): void {
    this.clients.add(response);
    this.options.onSize?.(this.clients.size);
    response.on("close", () => this.remove(response));
    response.write(GREETING);
    if (this.unsubscribe !== null) return;
    this.unsubscribe = this.live.subscribe((event) => this.send(this.frame(event)));
    this.heartbeat = setInterval(() => this.send(KEEP_ALIVE), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /**
   * Ends every stream: they never end by themselves, and shutdown would otherwise wait for the browsers. One that is
   * behind is cut off, as it would never take the end.
   */
  endAll(): void {
    for (const client of this.clients) {
      if (client.writableLength > 0) client.destroy();
      else client.end();
    }
  }

  private remove(response: ServerResponse): void {
    this.clients.delete(response);
    this.options.onSize?.(this.clients.size);
    if (this.clients.size > 0 || this.unsubscribe === null) return;
    this.unsubscribe();
    this.unsubscribe = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private frame(event: IncomingEvent): Buffer {
    // A body may span lines; each line of an event's data gets its own "data:" field.
    const data = this.options.format(event).split(/\r\n|\r|\n/).map((line) => `data: ${line}`).join("\n");
    return Buffer.from(`event: webhook\n${data}\n\n`);
  }

  private send(bytes: Buffer): void {
    for (const client of this.clients) {
      if (client.destroyed) continue;
      const unread = client.writableLength;
      if (unread > 0 && unread + bytes.length > this.maxBufferedBytes) {
        // It stopped reading, or reads far slower than events come: an EventSource reconnects once it reads again.
        this.clients.delete(client);
        this.options.onSize?.(this.clients.size);
        client.destroy();
        this.options.onCut?.(unread);
        continue;
      }
      client.write(bytes);
    }
  }
}
