/**
 * A person's stay in a room as Whereby sees it: one or more connections, because networks drop, tabs crash and
 * people open a second tab. Every reconnection gets a new participantId when the session is played.
 */
import type { Identity, PlannedConnection } from "./plan.js";
import type { Random } from "./random.js";

/** Milliseconds, the model's unit of simulated time. */
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

/** How likely a stay is to be broken once: dropped and rejoined, or cut by a crashed tab (rejoined or not). */
export interface Interruptions {
  rejoin: number;
  crash: number;
}

/**
 * When the session is sure to go on without this person (enough others stay in the room throughout), so that a
 * crash, whose `left` never comes, can never be what ends it, and no one joins after it ended.
 */
export interface SafeWindow {
  from: number;
  to: number;
}

/**
 * A stay from `joinAt` to `leaveAt`, sometimes broken once inside the safe window.
 *
 * @example
 * stay(student, start, end, random, { rejoin: 0.15, crash: 0.05 }, { from: start + 4 * MINUTE, to: end });
 */
export function stay(
  who: Identity,
  joinAt: number,
  leaveAt: number,
  random: Random,
  odds: Interruptions,
  window: SafeWindow,
): PlannedConnection[] {
  const whole: PlannedConnection = { who, joinAt, leaveAt, crashed: false };
  const roll = random.next();
  if (roll >= odds.rejoin + odds.crash) return [whole];
  const crashed = roll >= odds.rejoin;
  const earliest = Math.max(joinAt + 2 * MINUTE, window.from);
  const latest = Math.min(leaveAt - 2 * MINUTE, window.to);
  if (latest <= earliest) return [whole];
  const cut = random.int(earliest, latest);
  const first: PlannedConnection = { who, joinAt, leaveAt: cut, crashed };
  const comesBack = !crashed || random.chance(0.6);
  const back = cut + random.int(20 * SECOND, 3 * MINUTE);
  if (!comesBack || back >= leaveAt - 30 * SECOND || back >= window.to) return [first];
  return [first, { who, joinAt: back, leaveAt, crashed: false }];
}

/**
 * A second tab of someone already connected: it opens inside the safe window and closes by the time `main` does.
 *
 * @example
 * const tab = secondTab(connections[0], random, window); // null when there is no room for one
 */
export function secondTab(main: PlannedConnection, random: Random, window: SafeWindow): PlannedConnection | null {
  const from = Math.max(main.joinAt + 30 * SECOND, window.from);
  const to = Math.min(main.leaveAt - 30 * SECOND, window.to);
  if (to <= from) return null;
  const joinAt = random.int(from, to);
  const leaveAt = Math.min(joinAt + random.int(1 * MINUTE, 15 * MINUTE), main.leaveAt);
  return { who: main.who, joinAt, leaveAt, crashed: false };
}
