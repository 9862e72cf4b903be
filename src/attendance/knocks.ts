/**
 * The waiting room: each knock and how it ended, and how long each person waited to be let in.
 */
import type { Knock } from "./types.js";
import type { TimedEvent } from "./event-order.js";
import type { ClaimsFold } from "./identity.js";
import type { IsoFormatter } from "./time.js";

export interface WaitingRoom {
  knockList: Knock[];
  knocks: number;
  knocksCancelled: number;
  /** Milliseconds from a person's first knock to their next join, by person key; absent if they never knocked. */
  waitedMs: Map<string, number | null>;
}

/** A knock as it is gathered: its times in milliseconds, its name as the knock gave it. */
interface KnockSoFar {
  participantId: string;
  displayName: string | null;
  knockedAt: number;
  outcome: Knock["outcome"];
  resolvedAt: number | null;
}

/**
 * The waiting room gathered a knock, withdrawal or join at a time, in derivation order. A knock ends at the first
 * later join of the same person (admitted) or withdrawal of the same person (cancelled); with neither it is still
 * waiting. Someone admitted under a new participantId is recognised by their person key (`keyOf`).
 */
export class WaitingRoomFold {
  private readonly knocks: KnockSoFar[] = [];
  private readonly waiting = new Map<string, KnockSoFar[]>();
  private readonly firstKnock = new Map<string, number>();
  private readonly waitedMs = new Map<string, number | null>();
  private knocksCancelled = 0;

  constructor(private readonly keyOf: (participantId: string) => string) {}

  add({ at, event }: TimedEvent): void {
    if (event.type === "room.client.knocked") {
      const { data } = event;
      const key = this.keyOf(data.participantId);
      const knock: KnockSoFar = {
        participantId: data.participantId,
        displayName: data.displayName ?? null,
        knockedAt: at,
        outcome: "waiting",
        resolvedAt: null,
      };
      this.knocks.push(knock);
      this.waiting.set(key, [...(this.waiting.get(key) ?? []), knock]);
      if (!this.firstKnock.has(key)) {
        this.firstKnock.set(key, at);
        this.waitedMs.set(key, null);
      }
    } else if (event.type === "room.client.knockCancelled") {
      this.knocksCancelled += 1;
      this.resolve(this.keyOf(event.data.participantId), "cancelled", at);
    } else if (event.type === "room.client.joined") {
      const key = this.keyOf(event.data.participantId);
      this.resolve(key, "admitted", at);
      const knockedAt = this.firstKnock.get(key);
      if (knockedAt !== undefined && this.waitedMs.get(key) === null) this.waitedMs.set(key, at - knockedAt);
    }
  }

  /** What the waiting room shows, a knock without a name of its own named as its participant's events name them. */
  result(identities: Pick<ClaimsFold, "identityOf">, isoOf: IsoFormatter): WaitingRoom {
    const knockList = this.knocks.map(
      (knock): Knock => ({
        participantId: knock.participantId,
        displayName: knock.displayName ?? identities.identityOf(knock.participantId)?.displayName ?? null,
        knockedAt: isoOf(knock.knockedAt),
        outcome: knock.outcome,
        resolvedAt: knock.resolvedAt === null ? null : isoOf(knock.resolvedAt),
      }),
    );
    return { knockList, knocks: knockList.length, knocksCancelled: this.knocksCancelled, waitedMs: new Map(this.waitedMs) };
  }

  private resolve(key: string, outcome: "admitted" | "cancelled", at: number): void {
    for (const knock of this.waiting.get(key) ?? []) {
      knock.outcome = outcome;
      knock.resolvedAt = at;
    }
    this.waiting.delete(key);
  }
}
