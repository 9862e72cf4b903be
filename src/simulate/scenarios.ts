/** The traffic a run can simulate: three kinds of meeting, and `chaos`, which mixes them and delivers them badly. */

/**
 * Every scenario `generateTraffic` and `meetmeter simulate` accept.
 *
 * @example
 * if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`unknown scenario ${name}`);
 */
export const SCENARIOS = ["classroom", "telehealth", "webinar", "chaos"] as const;

export type Scenario = (typeof SCENARIOS)[number];

/**
 * Whether a name is one of {@link SCENARIOS}.
 *
 * @example
 * isScenario("webinar"); // true
 */
export function isScenario(name: string): name is Scenario {
  return (SCENARIOS as readonly string[]).includes(name);
}
