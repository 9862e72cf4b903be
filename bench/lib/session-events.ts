/**
 * A year of classes for the analytics benchmark: sessions of 24 people in 100 rooms, spread over 2026, each with
 * its start and end, a knock, and joins and leaves (50 events a session). Each session is a scheduled meeting of its own
 * (see {@link timetableRows}).
 */
const PEOPLE = 24;
const ROOMS = 100;
const YEAR_START = Date.UTC(2026, 0, 1, 7);
/** Expected at each meeting: its 24 people and 6 who never come. */
const EXPECTED = 30;

const startOf = (n: number) => YEAR_START + Math.floor(n / 55) * 86_400_000 + (n % 55) * 15 * 60_000;
const meetingIdOf = (n: number) => String(1_000_000 + n);
const externalIdOf = (n: number, p: number) => `user-${(n * 7 + p) % 5000}`;

/** The timetable rows of session `n`'s meeting, as `meetmeter meetings import` reads them (without the header). */
export function timetableRows(n: number): string[] {
  const start = new Date(startOf(n)).toISOString();
  const end = new Date(startOf(n) + 45 * 60_000).toISOString();
  return Array.from({ length: EXPECTED }, (_, p) => {
    const key = p < PEOPLE ? `external:${externalIdOf(n, p)}` : `external:absent-${n}-${p}`;
    return `${meetingIdOf(n)},Class ${n % ROOMS},/analytics-room-${n % ROOMS},${start},${end},${key},Person ${p},${p === 0 ? "teacher" : "student"}`;
  });
}

export function sessionEvents(n: number): { id: string; bodies: string[] } {
  const id = `analytics-${n.toString(36)}-8f0b-4d1e-9d6a-2f3b5c7e9a10`;
  const roomName = `/analytics-room-${n % ROOMS}`;
  // About 55 sessions a day, so 20,000 sessions fill the year.
  const start = startOf(n);
  const bodies: string[] = [];
  let seq = 0;
  const event = (type: string, at: number, data: Record<string, unknown> = {}) => {
    seq += 1;
    bodies.push(
      JSON.stringify({
        apiVersion: "1.0",
        id: `${id}-${seq}`,
        createdAt: new Date(at).toISOString(),
        type,
        data: { meetingId: meetingIdOf(n), roomName, roomSessionId: id, subdomain: "school", ...data },
      }),
    );
  };
  const person = (p: number, numClients: number) => ({
    participantId: `${id}-p${p}`,
    displayName: p === 0 ? "Teacher" : `Student ${p}`,
    roleName: p === 0 ? "host" : "visitor",
    numClients,
    numClientsByRoleName: { host: 1, visitor: Math.max(0, numClients - 1) },
    metadata: null,
    externalId: externalIdOf(n, p),
    isDialIn: false,
  });
  event("room.client.knocked", start - 60_000, { participantId: `${id}-p1`, displayName: "Student 1" });
  for (let p = 0; p < PEOPLE; p += 1) {
    event("room.client.joined", start + p * 20_000, person(p, p + 1));
    if (p === 1) event("room.session.started", start + p * 20_000 + 1);
  }
  const end = start + 45 * 60_000;
  for (let p = PEOPLE - 1; p >= 0; p -= 1) event("room.client.left", end - p * 10_000, person(p, p));
  event("room.session.ended", end + 60_000);
  return { id, bodies };
}
