/**
 * `meetmeter signature sign|verify --scheme standard`: the Standard Webhooks headers of meetmeter's own deliveries
 * (SPEC §10), for checking what an endpoint received or signing a body to test an endpoint with.
 */
import { randomUUID } from "node:crypto";
import { ConfigError } from "../config.js";
import { secretKey, signStandard, verifyStandard } from "../outbound/standard-webhooks.js";

export interface StandardFlags {
  secret?: string;
  id?: string;
  webhookTimestamp?: string;
  signature?: string;
}

function endpointSecret(flags: StandardFlags): string {
  if (flags.secret === undefined) throw new ConfigError("--secret is needed: the endpoint's whsec_ secret, as POST /api/endpoints gave it.");
  if (secretKey(flags.secret) === null) throw new ConfigError("--secret must be whsec_ followed by the base64 of 16 to 64 bytes.");
  return flags.secret;
}

/** Prints the three headers, one a line, as they would be sent. */
export function standardSign(body: Buffer, flags: StandardFlags, timestamp: number): void {
  const id = flags.id ?? `msg_${randomUUID().replaceAll("-", "")}`;
  const headers = signStandard(endpointSecret(flags), id, timestamp, body);
  for (const [name, value] of Object.entries(headers)) console.log(`${name}: ${value}`);
}

/** Checks the headers given against the body; answers the exit code (0 valid, 1 not). */
export function standardVerify(body: Buffer, flags: StandardFlags, tolerance: number, now: number): number {
  const secret = endpointSecret(flags);
  if (flags.id === undefined || flags.webhookTimestamp === undefined || flags.signature === undefined) {
    throw new ConfigError("--id, --webhook-timestamp and --signature are needed: the webhook-* headers as received.");
  }
  const headers = { "webhook-id": flags.id, "webhook-timestamp": flags.webhookTimestamp, "webhook-signature": flags.signature };
  const verdict = verifyStandard(secret, headers, body, now, tolerance);
  if (verdict.ok) {
    console.log(`valid: a v1 signature matches; webhook-timestamp is ${now - Number(flags.webhookTimestamp)} s behind this clock`);
    return 0;
  }
  console.log(`invalid: ${verdict.code}: ${verdict.message}`);
  return 1;
}
