/**
 * The outbound loop of one `serve` process: over and over, announces what became final (announcer.ts) and sends what
 * is due (sender.ts), then waits until the next delivery is due, a second at most (what becomes final is looked for
 * every second), or until poked (a delivery sent again by hand).
 */
import type { MeetingRules } from "../attendance/roster.js";
import type { OutboundConfig } from "../config.js";
import type { Meetings, Outbox, SessionQueries } from "../store/event-store.js";
import { Announcer } from "./announcer.js";
import { Sender } from "./sender.js";

/** How often what became final is looked for, at most; and how soon a failed round is tried again. */
const LOOK_EVERY_MS = 1000;
/** The shortest wait between two rounds. */
const LEAST_WAIT_MS = 20;

export interface OutboundSettings extends OutboundConfig {
  rules: MeetingRules;
  onError: (error: unknown) => void;
  onOutcome?: (outcome: "delivered" | "retrying" | "failed") => void;
}

export class OutboundLoop {
  private readonly announcer: Announcer;
  private readonly sender: Sender;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly store: Outbox & Pick<SessionQueries, "getSession"> & Pick<Meetings, "getMeetings">,
    private readonly settings: OutboundSettings,
  ) {
    this.announcer = new Announcer(store, settings);
    this.sender = new Sender(store, settings);
  }

  start(): this {
    this.poke();
    return this;
  }

  /** Runs a round now, or right after the one running. */
  poke(): void {
    if (this.stopped) return;
    if (this.round) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.round = this.run().finally(() => {
      this.round = null;
      if (this.again) {
        this.again = false;
        this.poke();
      }
    });
  }

  /** Stops after the round running; what is due stays in the outbox for the next start. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round;
    this.sender.close();
  }

  private async run(): Promise<void> {
    let wait = LOOK_EVERY_MS;
    try {
      await this.announcer.run(Date.now());
      await this.sender.sendDue();
      const next = await this.store.nextDue(new Date().toISOString());
      if (next !== null) wait = Math.min(wait, Math.max(LEAST_WAIT_MS, Date.parse(next) - Date.now()));
    } catch (error) {
      this.settings.onError(error);
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => this.poke(), wait);
    this.timer.unref();
  }
}
