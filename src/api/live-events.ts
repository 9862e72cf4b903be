/** Newly stored events, fanned out to the live stream's listeners in this process. */
import type { IncomingEvent } from "../store/event-store.js";

export type LiveListener = (event: IncomingEvent) => void;

export class LiveEvents {
  private readonly listeners = new Set<LiveListener>();

  publish(events: readonly IncomingEvent[]): void {
    for (const event of events) {
      for (const listener of this.listeners) {
        // One listener's failure (a closed socket) must not reach the commit that published the event.
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
