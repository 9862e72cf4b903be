/**
 * One subscriber of `GET /api/events/stream`: where it is in the log, and how it gets there. One that resumes (after
 * `Last-Event-ID`) first reads what it missed from the store, no further than the tail has safely read, while what
 * the tail hands on meanwhile is held for it; then it takes the tail's events as they come. Either way it gets each
 * event once, in the order of the log, whatever happened while it was away.
 */
import type { ServerResponse } from "node:http";
import type { StoredEvent } from "../store/event-store.js";
import { TAIL_PAGE } from "./store-tail.js";

/** How long a client waits before it connects again after the stream drops (the `retry:` field). */
export const RETRY_MS = 2000;
const GREETING = Buffer.from(`: meetmeter live events\nretry: ${RETRY_MS}\n\n`);
const KEEP_ALIVE = Buffer.from(": keep-alive\n\n");

/** An event as the stream sends it, with its place in the log. */
export interface FramedEvent {
  seq: number;
  bytes: Buffer;
}

export interface SubscriberWiring {
  /** The events after a place, TAIL_PAGE of them at most. */
  read(afterSeq: number): Promise<StoredEvent[]>;
  /** Where the tail has safely read to: no event at or below it is still to come. */
  safeSeq(): number;
  /** The newest place the tail read: where a subscriber that asks only for new events starts. */
  newestSeq(): number;
  frame(event: StoredEvent): Buffer;
  /** Bytes it may leave unread before it is cut off; and, halved, what it is sent ahead while catching up. */
  maxBufferedBytes: number;
  /** It stopped reading and was cut off with this many bytes unread. */
  onCut(unreadBytes: number): void;
  /** It is no subscriber any more: its connection closed, it was cut off or ended. */
  onGone(): void;
}

/** Resolves once the response has taken what it was given, or has closed. */
function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off("drain", done);
      response.off("close", done);
      resolve();
    };
    response.on("drain", done);
    response.on("close", done);
  });
}

export class LiveSubscriber {
  private response: ServerResponse | null = null;
  /** The place of the last event sent, or the place it started after. */
  private seq = 0;
  /** While it catches up, what the tail handed on meanwhile, in order; null once it takes the tail's events directly. */
  private held: FramedEvent[] | null = [];
  private heldBytes = 0;
  /** More came while it caught up than may be held: that is read from the store too. */
  private overflowed = false;
  private gone = false;

  constructor(private readonly wiring: SubscriberWiring) {}

  /**
   * Starts the stream on a response whose headers are written: after place `after`, or, when null, with what is stored
   * from now on.
   */
  begin(response: ServerResponse, after: number | null): void {
    if (this.gone) {
      response.end();
      return;
    }
    this.response = response;
    response.on("close", () => this.leave());
    if (response.destroyed) {
      this.leave();
      return;
    }
    response.write(GREETING);
    if (after === null) {
      this.seq = this.wiring.newestSeq();
      this.held = null;
      return;
    }
    this.seq = after;
    void this.catchUp();
  }

  /** What the tail handed on, in order. */
  offer(events: readonly FramedEvent[]): void {
    if (this.gone) return;
    if (this.held !== null) {
      this.hold(events);
      return;
    }
    for (const event of events) {
      if (event.seq <= this.seq) continue;
      if (!this.sendLive(event.bytes)) return;
      this.seq = event.seq;
    }
  }

  /** A comment that keeps proxies from closing a quiet stream. */
  heartbeat(): void {
    if (this.response === null || this.gone) return;
    if (this.held === null) this.sendLive(KEEP_ALIVE);
    else if (this.response.writableLength === 0) this.response.write(KEEP_ALIVE);
  }

  /** Ends its stream (shutdown). One that is behind is cut off, as it would never take the end. */
  end(): void {
    const response = this.response;
    this.leave();
    if (response === null) return;
    if (response.writableLength > 0) response.destroy();
    else response.end();
  }

  private leave(): void {
    if (this.gone) return;
    this.gone = true;
    this.held = null;
    this.wiring.onGone();
  }

  private hold(events: readonly FramedEvent[]): void {
    if (this.overflowed || this.held === null) return;
    for (const event of events) {
      this.held.push(event);
      this.heldBytes += event.bytes.length;
      if (this.heldBytes > this.wiring.maxBufferedBytes) {
        this.overflowed = true;
        this.held = [];
        this.heldBytes = 0;
        return;
      }
    }
  }

  /**
   * Reads from the store what it missed, up to where the tail has safely read (beyond it a late commit could still
   * fill an empty place), then sends what the tail handed on meanwhile, and from then on takes the tail's events.
   */
  private async catchUp(): Promise<void> {
    try {
      for (;;) {
        if (this.overflowed) {
          // What was dropped lies at or below the bound taken next: it is read from the store.
          this.held = [];
          this.heldBytes = 0;
          this.overflowed = false;
        }
        const bound = this.wiring.safeSeq();
        const rows = this.seq < bound ? await this.wiring.read(this.seq) : [];
        for (const row of rows) {
          if (row.seq > bound) break;
          if (!(await this.sendCatchingUp(this.wiring.frame(row)))) return;
          this.seq = row.seq;
        }
        if (rows.length === TAIL_PAGE && rows.at(-1)!.seq <= bound) continue;
        // Everything up to the bound is sent; what the tail handed on since it was taken is held, in order.
        this.seq = Math.max(this.seq, bound);
        while (!this.overflowed && this.held !== null && this.held.length > 0) {
          const next = this.held.shift()!;
          this.heldBytes -= next.bytes.length;
          if (next.seq <= this.seq) continue;
          if (!(await this.sendCatchingUp(next.bytes))) return;
          this.seq = next.seq;
        }
        if (this.gone) return;
        if (!this.overflowed) {
          this.held = null;
          this.heldBytes = 0;
          return;
        }
      }
    } catch {
      // The store failed: the client connects again after `retry:`, and resumes from where it got to.
      this.end();
    }
  }

  /** Sends while catching up: waits for a slow reader instead of cutting it off, so that it is sent ahead only so far. */
  private async sendCatchingUp(bytes: Buffer): Promise<boolean> {
    const response = this.response!;
    if (this.gone || response.destroyed) return false;
    response.write(bytes);
    if (response.writableLength > this.wiring.maxBufferedBytes / 2) await drained(response);
    return !this.gone && !response.destroyed;
  }

  private sendLive(bytes: Buffer): boolean {
    const response = this.response!;
    if (response.destroyed) {
      this.leave();
      return false;
    }
    const unread = response.writableLength;
    if (unread > 0 && unread + bytes.length > this.wiring.maxBufferedBytes) {
      // It stopped reading, or reads far slower than events come: an EventSource resumes once it reads again.
      this.leave();
      response.destroy();
      this.wiring.onCut(unread);
      return false;
    }
    response.write(bytes);
    return true;
  }
}
