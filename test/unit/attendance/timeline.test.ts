import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deriveSessions } from "../../../src/attendance/index.js";
import { boundedRoles, MAX_OTHER_ROLES, OTHER_ROLES, WHEREBY_ROLES } from "../../../src/attendance/timeline.js";
import { parseEvent } from "../../../src/whereby/events.js";
import { onlySession, options } from "./helpers.js";
import { MeetingLog } from "./meeting-log.js";

const sum = (byRole: Record<string, number>) => Object.values(byRole).reduce((a, b) => a + b, 0);

describe("timeline points", () => {
  it("keep Whereby's roles and the largest few others of a report with thousands of roles, the rest summed", () => {
    const log = new MeetingLog({ roomName: "/big", roomSessionId: "s-big", day: "2026-03-02" });
    for (let i = 0; i < 20; i += 1) log.join(`09:00:${String(i).padStart(2, "0")}`, `p-${i}`, { roleName: i === 0 ? "host" : "visitor" });
    const bodies = log.raw().map((body, i) => {
      const byRole: Record<string, number> = { host: 1, visitor: i, recorder: 0 };
      for (let r = 0; r < 9000; r += 1) byRole[`role-${r}`] = r % 10;
      byRole["role-biggest"] = 1000 + i;
      return { ...body, data: { ...body.data, numClientsByRoleName: byRole } };
    });
    const events = bodies.map((body) => {
      const parsed = parseEvent(body);
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.event;
    });
    const session = onlySession(deriveSessions(events, options));
    expect(session.timeline).toHaveLength(20);
    session.timeline.forEach((point, i) => {
      const reported = bodies[i]!.data.numClientsByRoleName as Record<string, number>;
      expect(Object.keys(point.numClientsByRoleName).length).toBeLessThanOrEqual(WHEREBY_ROLES.size + MAX_OTHER_ROLES + 1);
      expect(point.numClientsByRoleName).toMatchObject({ host: 1, visitor: i, recorder: 0, "role-biggest": 1000 + i });
      // role-9 … role-8999 in steps of ten count 9 each: the four kept beside the biggest are the first by name.
      expect(Object.keys(point.numClientsByRoleName)).toEqual([
        "host", "visitor", "recorder", "role-biggest", "role-1009", "role-1019", "role-1029", "role-1039", OTHER_ROLES,
      ]);
      expect(sum(point.numClientsByRoleName)).toBe(sum(reported));
    });
    // The whole detail no longer carries 9,000 roles per point.
    expect(JSON.stringify(session).length).toBeLessThan(50_000);
  });

  it("leaves a report of Whereby's roles as it came", () => {
    expect(boundedRoles({ host: 1, visitor: 3, recorder: 1 })).toEqual({ host: 1, visitor: 3, recorder: 1 });
    expect(boundedRoles(undefined)).toEqual({});
    expect(boundedRoles(null)).toEqual({});
  });

  it("sums a role that is itself named like the bucket into the bucket", () => {
    expect(boundedRoles({ host: 1, other: 2, a: 1 })).toEqual({ host: 1, a: 1, other: 2 });
    expect(boundedRoles({ host: 1, a: 3, b: 1, c: 2, d: 1, e: 1, f: 1, g: 1 })).toEqual({
      host: 1, a: 3, c: 2, b: 1, d: 1, e: 1, other: 2,
    });
  });

  it("keep the same roles as sorting all of them would, for any report", () => {
    const reference = (byRole: Record<string, number>) => {
      const entries = Object.entries(byRole);
      const own = entries.filter(([role]) => WHEREBY_ROLES.has(role));
      const others = entries
        .filter(([role]) => !WHEREBY_ROLES.has(role) && role !== OTHER_ROLES)
        .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
      const rest = [...others.slice(MAX_OTHER_ROLES), ...entries.filter(([role]) => role === OTHER_ROLES)];
      return {
        ...Object.fromEntries([...own, ...others.slice(0, MAX_OTHER_ROLES)]),
        ...(rest.length > 0 ? { [OTHER_ROLES]: rest.reduce((sum, [, count]) => sum + count, 0) } : {}),
      };
    };
    const role = fc.constantFrom("host", "visitor", "recorder", "other", "a", "b", "c", "d", "e", "f", "g", "h", "ab", "ba");
    fc.assert(
      fc.property(fc.dictionary(role, fc.integer({ min: 0, max: 4 })), (byRole) => {
        expect(boundedRoles(byRole)).toEqual(reference(byRole));
      }),
      { numRuns: 500 },
    );
  });
});
