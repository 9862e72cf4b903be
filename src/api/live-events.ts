/** Newly stored events, fanned out to the live stream's listeners in this process. */
import type { IncomingEvent } from "../store/event-store.js";

export type LiveListener = (event: IncomingEvent) => void;

export class LiveEvents {
  private readonly listeners = new Set<LiveListener>();
  private pending: IncomingEvent[] = [];
  private scheduled = false;

  /**
   * Hands the events to the listeners once the current turn is over: the commit that published them answers its
   * deliveries first, so that however many watch, and however slowly, no acknowledgement waits for the live view.
   */
  publish(events: readonly IncomingEvent[]): void {
    if (this.listeners.size === 0) return;
    for (const event of events) this.pending.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.fanOut());
  }

  private fanOut(): void {
    const events = this.pending;
    this.pending = [];
    this.scheduled = false;
    for (const event of events) {
      for (const listener of this.listeners) {
        // One listener's failure (a closed socket) must not reach the others.
        try {
          listener(event);
        } catch {
          this.listeners.delete(listener);
        }
      }
    }
  }

  /** Returns the function that ends the subscription. */
  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }
}
