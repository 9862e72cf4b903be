/**
 * meetmeter's model of Whereby's traffic: seeded, reproducible sessions with their ground truth, and a sender that
 * delivers them like Whereby does. It feeds the demo, the tests and the benchmarks.
 *
 * @example
 * const { events, truth } = generateTraffic({ scenario: "chaos", sessions: 20, seed: 7, start: "2026-03-02T08:00:00Z" });
 * const result = await sendEvents(events, { url: "http://127.0.0.1:8000/webhooks/whereby", secret });
 */
export { generateTraffic, type Traffic, type TrafficOptions } from "./generate-traffic.js";
export { SCENARIOS, isScenario, type Scenario } from "./scenarios.js";
export { meetingTruth, timetableCsv, type ExpectedTruth, type MeetingTruth, type PlannedMeeting } from "./schedule.js";
export { sendEvents, type SendOptions, type SendResult } from "./send.js";
export type { ConnectionTruth, PersonTruth, SessionTruth, Truth } from "./truth.js";
