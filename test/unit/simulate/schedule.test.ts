/**
 * The simulator's timetable, read as `meetmeter meetings import` reads it, and the roster results derived from its
 * traffic, held against what the model says really happened.
 */
import { describe, expect, it } from "vitest";
import { deriveSessions } from "../../../src/attendance/index.js";
import { DEFAULT_MEETING_RULES, deriveRoster } from "../../../src/attendance/roster.js";
import { withRules } from "../../../src/schedule/meeting-input.js";
import { readTimetable } from "../../../src/schedule/timetable.js";
import { generateTraffic, timetableCsv, type Scenario } from "../../../src/simulate/index.js";

const START = "2026-03-02T08:00:00Z";
const METADATA_SECRET = "simulated-metadata-secret";

async function rosterAgainstTruth(scenario: Scenario, sessions: number, seed: number) {
  const traffic = generateTraffic({ scenario, sessions, seed, start: START, metadataSecret: METADATA_SECRET });
  const now = Date.parse(START) + 30 * 86_400_000;
  const derived = deriveSessions(traffic.events, { now, metadataSecrets: [METADATA_SECRET], metadataMaxAgeSeconds: 90 * 86_400 });
  const timetable = await readTimetable(timetableCsv(traffic.schedule));
  expect(timetable.refused).toEqual([]);
  expect(timetable.plans).toHaveLength(traffic.truth.meetings.length);
  const results = timetable.plans.map((plan) => deriveRoster(withRules(plan, DEFAULT_MEETING_RULES), derived.filter((s) => s.meetingId === plan.meetingId), now));
  return { truth: traffic.truth.meetings, results };
}

describe("the simulated timetable", () => {
  it.each([
    ["classroom", 40, 7],
    ["telehealth", 60, 11],
    ["chaos", 60, 3],
  ] as const)("gives each %s meeting the roster result the model played (%i sessions, seed %i)", async (scenario, sessions, seed) => {
    const { truth, results } = await rosterAgainstTruth(scenario, sessions, seed);
    truth.forEach((meeting, i) => {
      const result = results[i]!;
      const label = `meeting ${meeting.meetingId}`;
      expect(result.status, label).toBe(meeting.status);
      expect(result.startedLateSeconds, label).toBe(meeting.startedLateSeconds);
      expect(result.roster.map((r) => [r.key, r.status, r.lateSeconds, r.leftEarlySeconds, r.connectedSeconds]), label).toEqual(
        meeting.roster.map((r) => [r.key, r.status, r.lateSeconds, r.leftEarlySeconds, r.connectedSeconds]),
      );
      expect(result.unexpected.map((u) => u.key).sort(), label).toEqual([...meeting.unexpected].sort());
    });
  });

  it("holds what a newcomer should see: absentees, late arrivals, early leavers, partial attendance, visitors, late starts and a no-show", async () => {
    const classes = await rosterAgainstTruth("classroom", 40, 7);
    const clinic = await rosterAgainstTruth("telehealth", 60, 11);
    const statuses = new Set([...classes.truth, ...clinic.truth].flatMap((m) => m.roster.map((r) => r.status)));
    expect([...statuses].sort()).toEqual(["absent", "late", "left_early", "partial", "present"]);
    expect(classes.truth.some((m) => m.unexpected.length > 0)).toBe(true);
    expect(classes.truth.some((m) => (m.startedLateSeconds ?? 0) > 300)).toBe(true);
    expect(clinic.truth.some((m) => m.status === "no_show")).toBe(true);
    expect(clinic.results.some((r) => (r.hostLateSeconds ?? 0) > 300)).toBe(true);
  });
});
