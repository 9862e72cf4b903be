/**
 * meetmeter as a library: what a TypeScript app needs to receive Whereby's webhooks itself and to issue signed
 * participant links.
 *
 * @example
 * import { handleWherebyWebhook, buildParticipantLink } from "meetmeter";
 * const verdict = handleWherebyWebhook({ body: rawBody, headers: req.headers, secrets: ["whsec_…"] });
 * const link = buildParticipantLink({ roomUrl, subject: "student-2231", secret: metadataSecret });
 */

// What Whereby sends and how to trust it: the same as `meetmeter/whereby`, which loads no database driver.
export * from "./whereby/index.js";

// What it means: the pure derivation from events to sessions, connections, persons and participant minutes.
export { deriveSessions, partitionKeyOf, type DeriveOptions } from "./attendance/index.js";
export type {
  Artifact,
  Connection,
  Knock,
  Person,
  SessionDetail,
  SessionSummary,
  TimelinePoint,
} from "./attendance/types.js";
