/**
 * The room's headcount after each join and leave, as Whereby reported it (bots included). A point keeps the count of
 * each of Whereby's own roles and of the few largest other roles, and sums the rest under {@link OTHER_ROLES}: a
 * sender can put any number of keys in `numClientsByRoleName`, and a point copied whole into every join and leave
 * once made one session's detail 17 MB.
 */
import { BOT_ROLES } from "../whereby/events.js";
import { compareText } from "./compare-text.js";
import type { TimedEvent } from "./event-order.js";
import type { IsoFormatter } from "./time.js";
import type { TimelinePoint } from "./types.js";

/** The roles Whereby gives participants and its own machines: a point keeps each of these it holds. */
export const WHEREBY_ROLES: ReadonlySet<string> = new Set([
  "owner",
  "member",
  "host",
  "visitor",
  "granted_visitor",
  "viewer",
  "granted_viewer",
  ...BOT_ROLES,
]);

/** How many roles besides Whereby's a point keeps: those with the highest counts (ties by name). */
export const MAX_OTHER_ROLES = 5;

/** The key under which a point sums the counts of the other roles it does not keep one by one. */
export const OTHER_ROLES = "other";

/**
 * A point's roles: Whereby's, then at most {@link MAX_OTHER_ROLES} more, then the sum of the rest, if any, under
 * {@link OTHER_ROLES} (a role that is itself named so counts in that sum). The counts add up to the reported ones.
 *
 * @example
 * boundedRoles({ host: 1, a: 3, b: 1, c: 2, d: 1, e: 1, f: 1, g: 1 });
 * // { host: 1, a: 3, c: 2, b: 1, d: 1, e: 1, other: 2 }
 */
export function boundedRoles(byRole: Readonly<Record<string, number>> | null | undefined): Record<string, number> {
  const kept: Record<string, number> = {};
  if (!byRole) return kept;
  /** The largest other roles so far, largest first, at most MAX_OTHER_ROLES: one pass, however many roles came. */
  const largest: { role: string; count: number }[] = [];
  const outranks = (role: string, count: number, than: { role: string; count: number }) =>
    count > than.count || (count === than.count && compareText(role, than.role) < 0);
  let otherSum = 0;
  let anyOther = false;
  for (const role of Object.keys(byRole)) {
    const count = byRole[role]!;
    if (WHEREBY_ROLES.has(role)) kept[role] = count;
    else if (role !== OTHER_ROLES && (largest.length < MAX_OTHER_ROLES || outranks(role, count, largest.at(-1)!))) {
      let i = largest.length;
      while (i > 0 && outranks(role, count, largest[i - 1]!)) i -= 1;
      largest.splice(i, 0, { role, count });
      if (largest.length > MAX_OTHER_ROLES) {
        otherSum += largest.pop()!.count;
        anyOther = true;
      }
    } else {
      otherSum += count;
      anyOther = true;
    }
  }
  for (const { role, count } of largest) kept[role] = count;
  if (anyOther) kept[OTHER_ROLES] = otherSum;
  return kept;
}

/** The point after a join or leave that reports its `numClients`; null for any other event. */
export function timelinePoint({ at, event }: TimedEvent, isoOf: IsoFormatter): TimelinePoint | null {
  if (event.type !== "room.client.joined" && event.type !== "room.client.left") return null;
  const { numClients, numClientsByRoleName } = event.data;
  if (numClients === undefined) return null;
  return { at: isoOf(at), numClients, numClientsByRoleName: boundedRoles(numClientsByRoleName) };
}
