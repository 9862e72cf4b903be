/**
 * Distinct, realistic deliveries for the ingest benchmark, signed before the run so that signing costs the load
 * generator nothing: the scenario's deliveries (scenarios.ts), by default joins and leaves of 20-person sessions
 * one after another, about 800 bytes each.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { signWherebyPayload } from "../../src/whereby/signature.js";
import { scenarioBodies, type Scenario, type Timing } from "./scenarios.js";

/**
 * Writes `count` lines of "<signature>\t<body>" for wrk, the scenario's deliveries in order, all signed now; returns
 * the bytes of a typical body.
 */
export async function writeSignedDeliveries(
  file: string,
  count: number,
  secret: string,
  runTag: string,
  scenario: Scenario = "sequential",
  timing?: Timing,
): Promise<number> {
  const out = createWriteStream(file);
  const timestamp = Math.floor(Date.now() / 1000);
  const bodies = scenarioBodies(scenario, runTag, timing);
  let size = 0;
  for (let n = 0; n < count; n += 1) {
    const body = bodies.next().value as string;
    size = body.length;
    if (!out.write(`${signWherebyPayload({ body, secret, timestamp })}\t${body}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return size;
}
