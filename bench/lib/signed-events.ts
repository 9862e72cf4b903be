/**
 * Distinct, realistic deliveries for the ingest benchmark, signed before the run so that signing costs the load
 * generator nothing: joins and leaves of 20-person sessions, about 800 bytes each.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { signMetadata } from "../../src/whereby/metadata.js";
import { signWherebyPayload } from "../../src/whereby/signature.js";

const PEOPLE_PER_SESSION = 20;

export function benchEvent(n: number, runTag: string): string {
  const session = Math.floor(n / (PEOPLE_PER_SESSION * 2));
  const step = n % (PEOPLE_PER_SESSION * 2);
  const person = step % PEOPLE_PER_SESSION;
  const joined = step < PEOPLE_PER_SESSION;
  const numClients = joined ? person + 1 : PEOPLE_PER_SESSION - person - 1;
  const at = new Date(Date.UTC(2026, 2, 2, 8) + session * 3_600_000 + step * 60_000).toISOString();
  const subject = `student-${session}-${person}`;
  return JSON.stringify({
    apiVersion: "1.0",
    id: `${runTag}-${n.toString(16).padStart(12, "0")}`.padEnd(64, "0"),
    createdAt: at,
    type: joined ? "room.client.joined" : "room.client.left",
    data: {
      meetingId: String(87385993 + session),
      roomName: `/bench-room-${session % 50}-87e0497f-40e0-47f1-9a27-fb72fdbc1fda`,
      roomSessionId: `${runTag}-session-${session}-4d1e-9d6a-2f3b5c7e9a10`,
      subdomain: "example-school",
      participantId: `${runTag}-p-${session}-${person}-4e3a-9c5f-1a2b3c4d5e6f`,
      displayName: `Student number ${person} of class ${session} (Mathematics, year 9)`,
      roleName: person === 0 ? "host" : "visitor",
      numClients,
      numClientsByRoleName: { host: person === 0 && !joined ? 0 : 1, visitor: Math.max(0, numClients - 1) },
      metadata: signMetadata({ subject, secret: "bench-metadata-secret", issuedAt: 1772442000 }),
      externalId: `lms-user-${session}-${person}-0f9a6c1e2b7d`,
      isDialIn: false,
    },
  });
}

/** Writes `count` lines of "<signature>\t<body>" for wrk, all signed now; returns the bytes of a typical body. */
export async function writeSignedDeliveries(file: string, count: number, secret: string, runTag: string): Promise<number> {
  const out = createWriteStream(file);
  const timestamp = Math.floor(Date.now() / 1000);
  let size = 0;
  for (let n = 0; n < count; n += 1) {
    const body = benchEvent(n, runTag);
    size = body.length;
    if (!out.write(`${signWherebyPayload({ body, secret, timestamp })}\t${body}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return size;
}
