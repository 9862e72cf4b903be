/**
 * Whereby's webhook bodies, built for tests: the envelope, and a client's data as joins and leaves carry it. For a
 * whole meeting with its counts kept as Whereby keeps them, see test/unit/attendance/meeting-log.ts.
 */

/** A webhook body: `createdAt` an ISO string, or milliseconds since the epoch. */
export function wherebyEvent(id: string, type: string, createdAt: string | number, data: Record<string, unknown> = {}) {
  return { apiVersion: "1.0", id, type, createdAt: typeof createdAt === "string" ? createdAt : new Date(createdAt).toISOString(), data };
}

/** The participant fields of a join or leave, `numClients` as counted after it. */
export function clientData(
  participantId: string,
  displayName: string,
  roleName: string,
  numClients: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { participantId, displayName, roleName, numClients, numClientsByRoleName: {}, metadata: null, externalId: null, ...extra };
}
