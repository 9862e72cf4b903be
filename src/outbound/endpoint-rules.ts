/**
 * The endpoints deliveries go to: what a registration must hold, which deliveries each takes, and, when the service is
 * set to refuse them, the private, loopback and link-local addresses it never sends to, checked when an endpoint is
 * registered and again on every connection (a name may resolve elsewhere later).
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { z } from "zod";
import type { Endpoint } from "../store/event-store.js";
import { PAYLOAD_TYPES } from "./payloads.js";
import { secretKey } from "./standard-webhooks.js";

const url = z
  .string()
  .max(2000, "must be at most 2000 characters")
  .refine((text) => URL.canParse(text) && ["http:", "https:"].includes(new URL(text).protocol), "must be an http or https URL")
  .refine((text) => !URL.canParse(text) || new URL(text).username === "", "must not carry a user name or password");

/** A registration, as `POST /api/endpoints` takes it. */
export const endpointInput = z.strictObject({
  url,
  secret: z
    .string()
    .refine((text) => secretKey(text) !== null, "must be whsec_ followed by the base64 of 16 to 64 bytes")
    .optional(),
  types: z.array(z.enum(PAYLOAD_TYPES, { error: `must each be one of ${PAYLOAD_TYPES.join(", ")}` })).min(1).nullable().optional(),
  roomNamePrefix: z.string().min(1).max(200).nullable().optional(),
});

/** Whether the endpoint takes a delivery of this type about this room. */
export function accepts(endpoint: Pick<Endpoint, "types" | "roomNamePrefix">, type: string, roomName: string | null): boolean {
  if (endpoint.types !== null && !endpoint.types.includes(type)) return false;
  return endpoint.roomNamePrefix === null || (roomName ?? "").startsWith(endpoint.roomNamePrefix);
}

/** Whether an address is one a public endpoint may have: any but private, loopback, link-local and the like. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === "unicast";
}

/** Thrown when an endpoint's address is one the service is set to refuse. */
export class PrivateAddressError extends Error {
  constructor(host: string, address: string) {
    super(`${host} is at ${address}, a private, loopback or link-local address (MEETMETER_DENY_PRIVATE_ENDPOINTS is on)`);
  }
}

/** A DNS lookup for outgoing connections that fails for a name at an address that is not public. */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, "", 0);
    const refused = addresses.find(({ address }) => !isPublicAddress(address));
    if (refused) return callback(new PrivateAddressError(hostname, refused.address), "", 0);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

/** Checks, when an endpoint is registered, that its host is at public addresses only. */
export async function checkPublicHost(endpointUrl: string): Promise<void> {
  const host = new URL(endpointUrl).hostname.replace(/^\[|\]$/g, "");
  const addresses = ipaddr.isValid(host)
    ? [host]
    : await new Promise<string[]>((resolve, reject) =>
        dnsLookup(host, { all: true }, (error, found) => (error ? reject(error) : resolve(found.map((a) => a.address)))),
      );
  const refused = addresses.find((address) => !isPublicAddress(address));
  if (refused) throw new PrivateAddressError(host, refused);
}
