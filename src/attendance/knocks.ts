/**
 * The waiting room: each knock and how it ended, and how long each person waited to be let in.
 */
import type { Knock } from "./types.js";
import type { TimedEvent } from "./event-order.js";
import type { ParticipantIdentity } from "./identity.js";
import type { IsoFormatter } from "./time.js";

export interface WaitingRoom {
  knockList: Knock[];
  knocks: number;
  knocksCancelled: number;
  /** Milliseconds from a person's first knock to their next join, by person key; absent if they never knocked. */
  waitedMs: Map<string, number | null>;
}

/**
 * A knock ends at the first later join of the same person (admitted) or withdrawal of the same person (cancelled);
 * with neither it is still waiting. Someone admitted under a new participantId is recognised by their person key.
 *
 * @example
 * readWaitingRoom(session.events, identities, isoFormatter()).knockList[0]; // { outcome: "admitted", … }
 */
export function readWaitingRoom(
  events: readonly TimedEvent[],
  identities: ReadonlyMap<string, ParticipantIdentity>,
  isoOf: IsoFormatter,
): WaitingRoom {
  const keyOf = (participantId: string): string => identities.get(participantId)?.key ?? `participant:${participantId}`;
  const knockList: Knock[] = [];
  const waiting = new Map<string, Knock[]>();
  const firstKnock = new Map<string, number>();
  const waitedMs = new Map<string, number | null>();
  let knocksCancelled = 0;

  const resolve = (key: string, outcome: "admitted" | "cancelled", at: number): void => {
    for (const knock of waiting.get(key) ?? []) {
      knock.outcome = outcome;
      knock.resolvedAt = isoOf(at);
    }
    waiting.delete(key);
  };

  for (const { at, event } of events) {
    if (event.type === "room.client.knocked") {
      const { data } = event;
      const key = keyOf(data.participantId);
      const knock: Knock = {
        participantId: data.participantId,
        displayName: data.displayName ?? identities.get(data.participantId)?.displayName ?? null,
        knockedAt: isoOf(at),
        outcome: "waiting",
        resolvedAt: null,
      };
      knockList.push(knock);
      waiting.set(key, [...(waiting.get(key) ?? []), knock]);
      if (!firstKnock.has(key)) {
        firstKnock.set(key, at);
        waitedMs.set(key, null);
      }
    } else if (event.type === "room.client.knockCancelled") {
      knocksCancelled += 1;
      resolve(keyOf(event.data.participantId), "cancelled", at);
    } else if (event.type === "room.client.joined") {
      const key = keyOf(event.data.participantId);
      resolve(key, "admitted", at);
      const knockedAt = firstKnock.get(key);
      if (knockedAt !== undefined && waitedMs.get(key) === null) waitedMs.set(key, at - knockedAt);
    }
  }
  return { knockList, knocks: knockList.length, knocksCancelled, waitedMs };
}
