/** SPEC §4 over real HTTP: a small class delivered signed, then read back through every route. */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_OTHER_ROLES, WHEREBY_ROLES } from "../../src/attendance/timeline.js";
import { api, deliver } from "../helpers/deliver.js";
import { clientData, wherebyEvent } from "../helpers/events.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { STORE_KINDS } from "../helpers/stores.js";
import { plainRequest } from "../reliability/raw-http.js";

const ROOM = "/algebra-1";
const SESSION = "rs-algebra-1";

let seq = 0;
function ev(type: string, at: string, data: Record<string, unknown> = {}) {
  seq += 1;
  return wherebyEvent(`read-api-${seq}`, type, at, { roomName: ROOM, meetingId: "42", roomSessionId: SESSION, subdomain: "school", ...data });
}

const client = clientData;

// A 30-minute class, worked by hand:
// teacher 09:00:00–09:30:00 (1800 s), "=cmd" 09:01:00–09:21:00 (1200 s), Bo 09:02:00–09:10:00 (480 s).
// Session starts 09:01:00 (room.session.started), count falls below 2 at 09:21:00, ended reported 09:31:00.
// endedAt = 09:21:00 (last fall below 2 at or before the reported end) → duration 1200 s.
const events = [
  ev("room.client.joined", "2026-03-02T09:00:00.000Z", client("p-t", "Teacher", "host", 1, { externalId: "teacher-1" })),
  ev("room.client.joined", "2026-03-02T09:01:00.000Z", client("p-a", "=cmd|' /C calc'!A0", "visitor", 2, { externalId: "student-a" })),
  ev("room.session.started", "2026-03-02T09:01:00.000Z"),
  ev("room.client.joined", "2026-03-02T09:02:00.000Z", client("p-b", "Bo", "visitor", 3)),
  ev("room.client.left", "2026-03-02T09:10:00.000Z", client("p-b", "Bo", "visitor", 2)),
  ev("room.client.left", "2026-03-02T09:21:00.000Z", client("p-a", "=cmd|' /C calc'!A0", "visitor", 1, { externalId: "student-a" })),
  ev("room.client.left", "2026-03-02T09:30:00.000Z", client("p-t", "Teacher", "host", 0, { externalId: "teacher-1" })),
  ev("room.session.ended", "2026-03-02T09:31:00.000Z"),
  // As Whereby sends it: a recording that names its room but no session.
  {
    apiVersion: "1.0",
    id: "read-api-recording",
    type: "recording.finished",
    createdAt: "2026-03-02T09:35:00.000Z",
    data: { roomName: ROOM, recordingId: "rec-1", filename: "algebra.mp4", status: "completed" },
  },
];

/** RFC 4180, strictly: records end with CRLF, and only a quoted field may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      records.push([...record, field]);
      record = [];
      field = "";
      i += 1;
    } else if (c === "\r" || c === "\n") {
      // Most readers end the record here: a line break belongs inside quotes.
      throw new Error(`unquoted line break in record ${records.length + 1}`);
    } else field += c;
  }
  if (field !== "" || record.length > 0) records.push([...record, field]);
  return records;
}

describe.each(STORE_KINDS)("raw events of sessions cut from a room's log, on %s", (kind) => {
  const room = "/yoga-by-the-hour";
  let n = 0;
  // Whereby sent no roomSessionId here: the room's events are cut into a morning and an evening session.
  const roomEvent = (type: string, at: string, data: Record<string, unknown> = {}) => ({
    apiVersion: "1.0",
    id: `cut-${(n += 1)}`,
    type,
    createdAt: at,
    data: { roomName: room, meetingId: "7", subdomain: "school", ...data },
  });
  const morning = [
    roomEvent("room.client.joined", "2026-03-03T07:00:00.000Z", client("m-1", "Ana", "host", 1)),
    roomEvent("room.client.joined", "2026-03-03T07:01:00.000Z", client("m-2", "Ben", "visitor", 2)),
    roomEvent("room.session.started", "2026-03-03T07:01:00.000Z"),
    roomEvent("room.client.left", "2026-03-03T07:50:00.000Z", client("m-2", "Ben", "visitor", 1)),
    roomEvent("room.client.left", "2026-03-03T07:51:00.000Z", client("m-1", "Ana", "host", 0)),
    roomEvent("room.session.ended", "2026-03-03T07:52:00.000Z"),
  ];
  const evening = [
    roomEvent("room.client.knocked", "2026-03-03T18:00:00.000Z", { participantId: "e-2", displayName: "Cy" }),
    roomEvent("room.client.joined", "2026-03-03T18:00:30.000Z", client("e-1", "Ana", "host", 1)),
    roomEvent("room.client.joined", "2026-03-03T18:01:00.000Z", client("e-2", "Cy", "visitor", 2)),
    roomEvent("room.client.left", "2026-03-03T18:40:00.000Z", client("e-2", "Cy", "visitor", 1)),
    roomEvent("recording.finished", "2026-03-03T18:45:00.000Z", { recordingId: "rec-e", status: "completed" }),
  ];
  let server: TestServer;
  let get: (path: string) => Promise<Response>;

  beforeAll(async () => {
    server = await startTestServer({ store: kind });
    get = api(server.url, server.token);
    for (const event of [...evening, ...morning]) {
      expect((await deliver(server.url, event, { secret: server.secret })).status).toBe(200);
    }
  });
  afterAll(async () => {
    await server.close();
  });

  it("lists each session's own events, its room's recording with the session that shows it", async () => {
    const sessions = (await (await get(`/api/sessions?roomName=${encodeURIComponent(room)}`)).json()).results;
    expect(sessions.map((s: { startedAt: string }) => s.startedAt)).toEqual(["2026-03-03T18:01:00.000Z", "2026-03-03T07:01:00.000Z"]);
    const [eveningId, morningId] = sessions.map((s: { id: string }) => s.id);
    const eveningDetail = await (await get(`/api/sessions/${eveningId}`)).json();
    expect(eveningDetail.recordings.map((r: { eventId: string }) => r.eventId)).toEqual([evening.at(-1)!.id]);

    const idsOf = async (sessionId: string, limit: number) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await (await get(`/api/events?sessionId=${sessionId}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`)).json();
        ids.push(...page.results.map((e: { id: string }) => e.id));
        cursor = page.cursor;
      } while (cursor !== null);
      return ids;
    };
    // Oldest first: in the order they arrived (the evening's came first).
    expect(await idsOf(morningId, 4)).toEqual(morning.map((e) => e.id));
    expect(await idsOf(eveningId, 2)).toEqual(evening.map((e) => e.id));
    expect(await idsOf("derived-0000000000000000", 10)).toEqual([]);
    const typed = await (await get(`/api/events?sessionId=${morningId}&type=room.client.left`)).json();
    expect(typed.results.map((e: { id: string }) => e.id)).toEqual([morning[3]!.id, morning[4]!.id]);
  });
});

describe.each(STORE_KINDS)("a recording that names no session, among several sessions of its room, on %s", (kind) => {
  const room = "/clinic-room-7";
  let n = 0;
  const roomEvent = (type: string, at: string, data: Record<string, unknown> = {}) => ({
    apiVersion: "1.0",
    id: `artifact-room-${(n += 1)}`,
    type,
    createdAt: `2026-03-04T${at}.000Z`,
    data: { roomName: room, meetingId: "7", subdomain: "clinic", ...data },
  });
  const visit = (from: string, start: string, end: string, ended: string, roomSessionId: string | null) => [
    roomEvent("room.client.joined", from, { ...client(`${from}-d`, "Doctor", "host", 1), roomSessionId }),
    roomEvent("room.client.joined", start, { ...client(`${from}-p`, "Patient", "visitor", 2), roomSessionId }),
    roomEvent("room.session.started", start, { roomSessionId }),
    roomEvent("room.client.left", end, { ...client(`${from}-p`, "Patient", "visitor", 1), roomSessionId }),
    roomEvent("room.client.left", end, { ...client(`${from}-d`, "Doctor", "host", 0), roomSessionId }),
    roomEvent("room.session.ended", ended, { roomSessionId }),
  ];
  // Two visits cut from the room's log, then one Whereby named; each recording made during a visit is that visit's,
  // though it also falls within two hours of the end of the one before.
  const noon = visit("12:00:00", "12:00:20", "12:40:00", "12:41:00", null);
  const afternoon = visit("14:00:00", "14:01:00", "14:30:00", "14:31:00", null);
  const evening = visit("16:00:00", "16:00:30", "16:30:00", "16:31:00", "rs-clinic-7-evening");
  const afternoonRecording = roomEvent("recording.finished", "14:10:00", { recordingId: "rec-afternoon" });
  const eveningRecording = roomEvent("recording.finished", "16:10:00", { recordingId: "rec-evening" });
  let server: TestServer;
  let get: (path: string) => Promise<Response>;

  beforeAll(async () => {
    server = await startTestServer({ store: kind });
    get = api(server.url, server.token);
    for (const event of [...noon, ...afternoon, afternoonRecording, ...evening, eveningRecording]) {
      expect((await deliver(server.url, event, { secret: server.secret })).status).toBe(200);
    }
  });
  afterAll(async () => {
    await server.close();
  });

  it("shows it in the one session it belongs to, in its detail and among its events", async () => {
    const sessions = (await (await get(`/api/sessions?roomName=${encodeURIComponent(room)}`)).json()).results;
    expect(sessions.map((s: { startedAt: string }) => s.startedAt.slice(11, 19))).toEqual(["16:00:30", "14:01:00", "12:00:20"]);
    const recorded: string[][] = [];
    const listed: string[][] = [];
    for (const { id } of sessions as { id: string }[]) {
      const detail = await (await get(`/api/sessions/${id}`)).json();
      recorded.push(detail.recordings.map((r: { eventId: string }) => r.eventId));
      const page = await (await get(`/api/events?sessionId=${id}&type=recording.finished`)).json();
      listed.push(page.results.map((e: { id: string }) => e.id));
    }
    const expected = [[eveningRecording.id], [afternoonRecording.id], []];
    expect(recorded).toEqual(expected);
    expect(listed).toEqual(expected);
  });
});

describe.each(STORE_KINDS)("figures of an ongoing session that run to now, on %s", (kind) => {
  let server: TestServer;
  let get: (path: string) => Promise<Response>;
  const room = "/live-class";
  const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
  const live = (id: string, type: string, at: string, data: Record<string, unknown> = {}) => ({
    apiVersion: "1.0",
    id,
    type,
    createdAt: at,
    data: { roomName: room, meetingId: "9", roomSessionId: "rs-live", subdomain: "school", ...data },
  });

  beforeAll(async () => {
    server = await startTestServer({ store: kind, ongoingRefreshMs: 100 });
    get = api(server.url, server.token);
    const events = [
      live("live-1", "room.client.joined", ago(60), client("l-1", "Teacher", "host", 1, { externalId: "t-live" })),
      live("live-2", "room.client.joined", ago(50), client("l-2", "Dee", "visitor", 2)),
      live("live-3", "room.session.started", ago(50)),
    ];
    for (const event of events) expect((await deliver(server.url, event, { secret: server.secret })).status).toBe(200);
  });
  afterAll(async () => {
    await server.close();
  });

  it("moves the usage, rooms and people figures on with the clock, with no new event", async () => {
    const figures = async () => {
      const usage = await (await get("/api/usage")).json();
      const rooms = await (await get("/api/rooms")).json();
      const person = await (await get("/api/people/external:t-live")).json();
      return [usage.total.participantSeconds, rooms.results[0].participantSeconds, person.totals.connectedSeconds] as [number, number, number];
    };
    const before = await figures();
    // Two people connected for about 110 s in all, and the teacher for about 60.
    expect(before[0]).toBeGreaterThanOrEqual(105);
    expect(before[2]).toBeGreaterThanOrEqual(58);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = await figures();
    // Two people connected 1.5 s longer: about 3 s more, the teacher 1.5 s.
    expect(after[0] - before[0]).toBeGreaterThan(2);
    expect(after[1] - before[1]).toBeGreaterThan(2);
    expect(after[2] - before[2]).toBeGreaterThan(1);
  });
});

describe.each(STORE_KINDS)("an ongoing session whose joins report thousands of roles, on %s", (kind) => {
  let server: TestServer;
  let get: (path: string) => Promise<Response>;
  const JOINS = 20;
  const ROLES = 6000;
  const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
  const byRole = (i: number) => {
    const counts: Record<string, number> = { host: 1, visitor: i };
    for (let r = 0; r < ROLES; r += 1) counts[`role-${r}`] = (r + i) % 7;
    return counts;
  };

  beforeAll(async () => {
    server = await startTestServer({ store: kind });
    get = api(server.url, server.token);
    for (let i = 0; i < JOINS; i += 1) {
      const event = {
        apiVersion: "1.0",
        id: `many-roles-${i}`,
        type: "room.client.joined",
        createdAt: ago(300 - i),
        data: {
          roomName: "/many-roles",
          roomSessionId: "rs-many-roles",
          ...client(`mr-${i}`, `Person ${i}`, i === 0 ? "host" : "visitor", i + 1, { numClientsByRoleName: byRole(i) }),
        },
      };
      expect((await deliver(server.url, event, { secret: server.secret })).status).toBe(200);
    }
  });
  afterAll(async () => {
    await server.close();
  });

  it("keeps a bounded number of roles in each timeline point, whose counts still add up", async () => {
    const res = await get("/api/sessions/rs-many-roles");
    const text = await res.text();
    // 20 points of 6,000 roles copied whole made about 1.6 MB.
    expect(text.length).toBeLessThan(100_000);
    const detail = JSON.parse(text);
    expect(detail.timeline).toHaveLength(JOINS);
    detail.timeline.forEach((point: { numClientsByRoleName: Record<string, number> }, i: number) => {
      expect(Object.keys(point.numClientsByRoleName).length).toBeLessThanOrEqual(WHEREBY_ROLES.size + MAX_OTHER_ROLES + 1);
      const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
      expect(sum(point.numClientsByRoleName)).toBe(sum(byRole(i)));
    });
  });

  it("answers its detail current to now without deriving its events", async () => {
    const eventReads = vi.spyOn(server.testStore.store, "bodiesOfPartitions");
    try {
      const first = await (await get("/api/sessions/rs-many-roles")).json();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const second = await (await get("/api/sessions/rs-many-roles")).json();
      expect(eventReads).not.toHaveBeenCalled();
      expect(second.ongoing).toBe(true);
      expect(second.durationSeconds - first.durationSeconds).toBeGreaterThanOrEqual(1.1);
      expect(second.participants).toHaveLength(JOINS);
      second.participants.forEach((person: { key: string; connectedSeconds: number }, i: number) => {
        expect(person.key).toBe(first.participants[i].key);
        expect(person.connectedSeconds - first.participants[i].connectedSeconds, person.key).toBeGreaterThanOrEqual(1.1);
      });
    } finally {
      eventReads.mockRestore();
    }
  });

  it("lists it current to now without reading its detail or deriving its events", async () => {
    const store = server.testStore.store;
    const detailReads = vi.spyOn(store, "getSession");
    const eventReads = vi.spyOn(store, "bodiesOfPartitions");
    try {
      const listed = async () => {
        const body = await (await get("/api/sessions?limit=1")).json();
        expect(body.results).toHaveLength(1);
        return body.results[0];
      };
      const first = await listed();
      expect(detailReads).not.toHaveBeenCalled();
      expect(eventReads).not.toHaveBeenCalled();
      // The detail derives it afresh: the list's figures, a moment before and after, enclose the detail's.
      const detail = await (await get("/api/sessions/rs-many-roles")).json();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      detailReads.mockClear();
      eventReads.mockClear();
      const second = await listed();
      expect(detailReads).not.toHaveBeenCalled();
      expect(eventReads).not.toHaveBeenCalled();
      expect(first.id).toBe("rs-many-roles");
      expect(first.ongoing).toBe(true);
      for (const figure of ["durationSeconds", "participantSeconds", "billableParticipantMinutes"]) {
        expect(first[figure], figure).toBeLessThanOrEqual(detail[figure]);
        expect(detail[figure], figure).toBeLessThanOrEqual(second[figure]);
      }
      // 1.1 s later, with no new event: the session 1.1 s longer, each of its 20 people too.
      expect(second.durationSeconds - first.durationSeconds).toBeGreaterThanOrEqual(1.1);
      expect(second.participantSeconds - first.participantSeconds).toBeGreaterThanOrEqual(JOINS * 1.1);
      // Its other figures are the detail's.
      const still = (summary: Record<string, unknown>) => ({ ...summary, durationSeconds: 0, participantSeconds: 0, billableParticipantMinutes: 0 });
      expect(still(second)).toEqual(still(Object.fromEntries(Object.keys(second).map((key) => [key, detail[key]]))));
    } finally {
      detailReads.mockRestore();
      eventReads.mockRestore();
    }
  });
});

describe.each(STORE_KINDS)("read API on %s", (kind) => {
  let server: TestServer;
  let get: (path: string) => Promise<Response>;

  beforeAll(async () => {
    server = await startTestServer({ store: kind });
    get = api(server.url, server.token);
    // Delivered newest first: order of arrival must not matter.
    for (const event of [...events].reverse()) {
      expect((await deliver(server.url, event, { secret: server.secret })).status).toBe(200);
    }
  });
  afterAll(async () => {
    await server.close();
  });

  it("refuses every route without the token", async () => {
    for (const path of ["/api/sessions", `/api/sessions/${SESSION}`, "/api/rooms", "/api/usage", "/api/events", "/metrics", "/api/people/x"]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(401);
      expect((await res.json()).error).toBe("unauthorized");
      const wrong = await fetch(`${server.url}${path}`, { headers: { authorization: "Bearer wrong-token" } });
      expect(wrong.status, path).toBe(401);
    }
  });

  it("lists the session with its figures", async () => {
    const body = await (await get("/api/sessions")).json();
    expect(body.cursor).toBeNull();
    expect(body.results).toEqual([
      {
        id: SESSION,
        roomName: ROOM,
        meetingId: "42",
        startedAt: "2026-03-02T09:01:00.000Z",
        endedAt: "2026-03-02T09:21:00.000Z",
        reportedEndedAt: "2026-03-02T09:31:00.000Z",
        ongoing: false,
        durationSeconds: 1200,
        peakParticipants: 3,
        uniqueParticipants: 3,
        participantSeconds: 1800 + 1200 + 480,
        billableParticipantMinutes: 30 + 20 + 8,
      },
    ]);
  });

  it("filters sessions, and answers 400 to bad query values", async () => {
    expect((await (await get(`/api/sessions?roomName=${encodeURIComponent(ROOM)}`)).json()).results).toHaveLength(1);
    expect((await (await get("/api/sessions?roomName=/nope")).json()).results).toHaveLength(0);
    expect((await (await get("/api/sessions?from=2026-03-02T09:01:00Z&to=2026-03-02T09:01:01Z")).json()).results).toHaveLength(1);
    expect((await (await get("/api/sessions?to=2026-03-02T09:01:00Z")).json()).results).toHaveLength(0);
    expect((await (await get("/api/sessions?ongoing=true")).json()).results).toHaveLength(0);
    const badQueries = ["limit=0", "limit=501", "limit=abc", "from=yesterday", "from=2026-02-30", "from=2026-03-02T09:00:00"];
    // Past year 9999 once its offset is applied: as text it would sort before 1970.
    badQueries.push(`to=${encodeURIComponent("9999-12-31T23:59:59-23:59")}`);
    for (const query of [...badQueries, "ongoing=maybe", "cursor=zzz", "colour=red"]) {
      const res = await get(`/api/sessions?${query}`);
      expect(res.status, query).toBe(400);
      const body = await res.json();
      expect(body.error).toBe("invalid_query");
      expect(typeof body.message).toBe("string");
    }
  });


  it("answers 400 invalid_query to a NUL character in any query parameter or cursor", async () => {
    const cursor = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString("base64url");
    const paths = [
      "/api/sessions?roomName=%00",
      "/api/sessions?roomName=a%00b",
      "/api/events?type=room.client.joined%00",
      "/api/events?roomName=%00",
      "/api/events?sessionId=%00",
      "/api/people?q=a%00",
      `/api/sessions?cursor=${cursor(["2026-03-02T09:01:00.000Z\u0000", SESSION])}`,
      `/api/sessions?cursor=${cursor(["2026-03-02T09:01:00.000Z", `${SESSION}\u0000`])}`,
      `/api/rooms?cursor=${cursor([`${ROOM}\u0000`])}`,
    ];
    for (const path of paths) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect((await res.json()).error, path).toBe("invalid_query");
    }
    expect(await (await get("/api/sessions?roomName=a%00b")).json()).toEqual({
      error: "invalid_query",
      message: "roomName must not contain a NUL character",
    });
  });

  it("refuses a from at or after to with one rule: sessions as usage", async () => {
    for (const route of ["/api/sessions", "/api/usage"]) {
      for (const range of ["from=2026-03-03&to=2026-03-02", "from=2026-03-02T10:00:00Z&to=2026-03-02T10:00:00Z"]) {
        const res = await get(`${route}?${range}`);
        expect(res.status, `${route}?${range}`).toBe(400);
        expect(await res.json()).toEqual({ error: "invalid_query", message: "from must be before to" });
      }
    }
  });

  it("names each bad query value in plain words, and takes an empty value as left out", async () => {
    const refusals: [string, string][] = [
      ["/api/sessions?limit=abc", "limit must be a whole number from 1 to 500"],
      ["/api/sessions?limit=1.5", "limit must be a whole number from 1 to 500"],
      ["/api/sessions?limit=0", "limit must be a whole number from 1 to 500"],
      ["/api/sessions?limit=2&limit=3", "limit must be given once"],
      ["/api/sessions?ongoing=maybe", "ongoing must be true or false"],
      ["/api/sessions?colour=red&limit=0", "limit must be a whole number from 1 to 500; unknown parameter colour"],
      ["/api/usage?interval=week", "interval must be day or month"],
      [
        `/api/usage?to=${encodeURIComponent("9999-12-31T23:59:59-23:59")}`,
        "to must be a date such as 2026-03-01, or an ISO 8601 time with its zone, e.g. 2026-03-02T09:00:00.000Z",
      ],
      ["/api/people?q=", "q is required"],
      ["/api/people?q=%20", "q must hold part of a name or a key"],
    ];
    for (const [path, message] of refusals) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(await res.json(), path).toEqual({ error: "invalid_query", message });
    }
    const all = await (await get("/api/sessions")).json();
    for (const query of ["limit=", "cursor=", "roomName=", "from=&to=", "ongoing=", "limit=&cursor=&roomName="]) {
      const res = await get(`/api/sessions?${query}`);
      expect(res.status, query).toBe(200);
      expect(await res.json(), query).toEqual(all);
    }
    const usage = await (await get("/api/usage?interval=day&tz=UTC")).json();
    expect(await (await get("/api/usage?interval=&tz=")).json()).toEqual(usage);
  });
  it("details a session: persons, timeline, bots and knocks", async () => {
    const res = await get(`/api/sessions/${SESSION}`);
    expect(res.status).toBe(200);
    const s = await res.json();
    expect(s.participants.map((p: { key: string; connectedSeconds: number }) => [p.key, p.connectedSeconds]).sort()).toEqual([
      ["external:student-a", 1200],
      ["external:teacher-1", 1800],
      ["participant:p-b", 480],
    ]);
    const teacher = s.participants.find((p: { key: string }) => p.key === "external:teacher-1");
    expect(teacher.attendancePercent).toBe(100);
    const bo = s.participants.find((p: { key: string }) => p.key === "participant:p-b");
    expect(bo.attendancePercent).toBe(40);
    expect(s.timeline.map((t: { numClients: number }) => t.numClients)).toEqual([1, 2, 3, 2, 1, 0]);
    expect(s.bots).toEqual([]);
    expect(s.knocks).toBe(0);
    expect(s.recordings.map((r: { eventId: string; data: { recordingId: string } }) => [r.eventId, r.data.recordingId])).toEqual([
      ["read-api-recording", "rec-1"],
    ]);
  });

  it("answers 404 for an unknown session or person", async () => {
    for (const path of ["/api/sessions/nope", "/api/sessions/nope/attendance.csv", "/api/people/external:nobody"]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect((await res.json()).error).toBe("not_found");
    }
  });

  it("downloads the attendance CSV with the formula guard", async () => {
    const res = await get(`/api/sessions/${SESSION}/attendance.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const lines = (await res.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "session_id,room_name,key,display_name,role,external_id,metadata_subject,metadata_verified,first_joined_at,last_left_at,connected_seconds,attendance_percent,connections,waited_seconds",
    );
    expect(lines).toHaveLength(4);
    const student = lines.find((l) => l.includes("external:student-a"));
    expect(student).toContain(`,'=cmd|' /C calc'!A0,`);
  });

  it("gives a person's history with totals", async () => {
    const body = await (await get("/api/people/external%3Astudent-a")).json();
    expect(body.key).toBe("external:student-a");
    expect(body.sessions).toHaveLength(1);
    expect(body.sessions[0].sessionId).toBe(SESSION);
    expect(body.totals.connectedSeconds).toBe(1200);
  });

  it("finds people by part of their key or name", async () => {
    const byName = await (await get("/api/people?q=BO")).json();
    expect(byName.results).toEqual([
      { key: "participant:p-b", displayName: "Bo", sessions: 1, lastSessionStartedAt: "2026-03-02T09:01:00.000Z" },
    ]);
    const byKey = await (await get("/api/people?q=student-")).json();
    expect(byKey.results.map((p: { key: string }) => p.key)).toEqual(["external:student-a"]);
    expect((await (await get("/api/people?q=%25")).json()).results).toEqual([]);
    expect((await get("/api/people?q=")).status).toBe(400);
  });

  it("sums rooms", async () => {
    expect((await get("/api/rooms?limit=0")).status).toBe(400);
    expect((await get("/api/rooms?cursor=zzz")).status).toBe(400);
    const body = await (await get("/api/rooms?limit=1")).json();
    expect(body.cursor).toBeNull();
    expect(body.results).toEqual([
      {
        roomName: ROOM,
        totalSessions: 1,
        firstSessionStartedAt: "2026-03-02T09:01:00.000Z",
        lastSessionStartedAt: "2026-03-02T09:01:00.000Z",
        participantSeconds: 3480,
        billableParticipantMinutes: 58,
        uniqueParticipants: 3,
      },
    ]);
  });

  it("buckets usage in a time zone, with local midnight and its offset", async () => {
    const res = await get("/api/usage?interval=day&tz=Pacific/Auckland&from=2026-03-01T00:00:00Z&to=2026-03-04T00:00:00Z");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.interval).toBe("day");
    expect(body.tz).toBe("Pacific/Auckland");
    // 09:01 UTC on 2 March is 22:01 on 2 March in Auckland (UTC+13 in summer).
    const busy = body.buckets.filter((b: { sessions: number }) => b.sessions > 0);
    expect(busy).toEqual([{ start: "2026-03-02T00:00:00+13:00", sessions: 1, participantSeconds: 3480, billableParticipantMinutes: 58 }]);
    expect(body.total).toEqual({ sessions: 1, participantSeconds: 3480, billableParticipantMinutes: 58 });
    const month = await (await get("/api/usage?interval=month&tz=America/New_York")).json();
    expect(month.buckets).toEqual([{ start: "2026-03-01T00:00:00-05:00", sessions: 1, participantSeconds: 3480, billableParticipantMinutes: 58 }]);
    // Dates are days of the zone asked about: 09:01 UTC on 2 March is 23:01 on 1 March in Honolulu (UTC−10).
    const day = await (await get("/api/usage?interval=day&tz=Pacific/Honolulu&from=2026-03-01&to=2026-03-02")).json();
    expect(day.buckets).toEqual([{ start: "2026-03-01T00:00:00-10:00", sessions: 1, participantSeconds: 3480, billableParticipantMinutes: 58 }]);
    const refused = ["interval=week", "tz=Mars/Olympus", "from=2026-03-04T00:00:00Z&to=2026-03-01T00:00:00Z", "from=2026-02-30T00:00:00Z"];
    for (const query of [...refused, "interval=day&from=2000-01-01T00:00:00Z&to=2026-12-01T00:00:00Z"]) {
      expect((await get(`/api/usage?${query}`)).status, query).toBe(400);
    }
  });

  it("lists raw events oldest first, filtered, with a cursor", async () => {
    const first = await (await get(`/api/events?sessionId=${SESSION}&limit=5`)).json();
    expect(first.results).toHaveLength(5);
    expect(first.results[0]).toMatchObject({ type: expect.any(String), channel: null, body: expect.any(Object) });
    const rest = await (await get(`/api/events?sessionId=${SESSION}&limit=5&cursor=${first.cursor}`)).json();
    // The session's eight events, and the recording of its room that its detail shows.
    const ids = [...first.results, ...rest.results].map((e: { id: string }) => e.id);
    expect(ids.sort()).toEqual(events.map((e) => e.id).sort());
    const all = await (await get(`/api/events?roomName=${encodeURIComponent(ROOM)}`)).json();
    expect(all.results).toHaveLength(events.length);
    expect(rest.cursor).toBeNull();
    const left = await (await get("/api/events?type=room.client.left")).json();
    expect(left.results).toHaveLength(3);
  });

  it("streams newly stored events to a live listener", async () => {
    const controller = new AbortController();
    const res = await fetch(`${server.url}/api/events/stream`, {
      headers: { authorization: `Bearer ${server.token}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const late = ev("room.client.knocked", "2026-03-02T09:40:00.000Z", { participantId: "p-late", displayName: "Late" });
    expect((await deliver(server.url, late, { secret: server.secret })).status).toBe(200);
    let text = "";
    while (!text.includes(late.id)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    // Unnamed (EventSource's onmessage gets it), with its place in the log as its id.
    expect(text).not.toMatch(/^event:/m);
    expect(text).toMatch(/^retry: \d+$/m);
    expect(text).toMatch(new RegExp(`^id: \\d+\ndata: \\{"id":"${late.id}","seq":\\d+,`, "m"));
  });

  it("answers URLs the router cannot take in the service's own {error, message} shape", async () => {
    const cases: [string, number, string][] = [
      ["/api/sessions/%ff", 400, "bad_request"],
      [`/api/sessions/${"a".repeat(5000)}`, 414, "uri_too_long"],
      [`/api/sessions?roomName=${"a".repeat(100_000)}`, 431, "headers_too_large"],
    ];
    for (const [path, status, error] of cases) {
      const res = await get(path);
      expect(res.status, error).toBe(status);
      const body = await res.json();
      expect(Object.keys(body).sort()).toEqual(["error", "message"]);
      expect(body.error).toBe(error);
    }
    // A path that climbs out of the dashboard's assets folder (fetch would tidy it away): the static files' own
    // refusal, named for what it is.
    const climbing = await plainRequest(server.url, { method: "GET", path: "/assets/%2e%2e/x", headers: {}, body: null });
    expect(climbing.status).toBe(403);
    expect(JSON.parse(climbing.body.toString())).toEqual({ error: "forbidden", message: expect.any(String) });
  });

  it("finds a person whose key is longer than a router's usual limit", async () => {
    const externalId = `lms-${"x".repeat(150)}`;
    const long = (type: string, at: string, numClients: number) => ({
      ...ev(type, at),
      data: { roomName: "/long-keys", roomSessionId: "rs-long", ...client("p-long", "Long Key", "visitor", numClients, { externalId }) },
    });
    for (const event of [long("room.client.joined", "2026-03-04T10:00:00.000Z", 1), long("room.client.left", "2026-03-04T10:10:00.000Z", 0)]) {
      expect((await deliver(server.url, event, { secret: server.secret })).status).toBe(200);
    }
    const res = await get(`/api/people/${encodeURIComponent(`external:${externalId}`)}`);
    expect(res.status).toBe(200);
    expect((await res.json()).totals.connectedSeconds).toBe(600);
  });

  it("quotes CSV cells that hold line breaks, so that each person stays one record", async () => {
    const odd = (type: string, at: string, data: Record<string, unknown> = {}) => ({
      ...ev(type, at, data),
      data: { roomName: "/odd-names", meetingId: "43", roomSessionId: "rs-odd", subdomain: "school", ...data },
    });
    const names = ["Line1\nLine2", "Carriage\rReturn", "Both\r\nKinds"];
    const deliveries = names.flatMap((name, i) => [
      odd("room.client.joined", `2026-03-03T10:0${i}:00.000Z`, client(`p-odd-${i}`, name, "visitor", i + 1, { externalId: `\rodd-${i}` })),
      odd("room.client.left", `2026-03-03T10:3${i}:00.000Z`, client(`p-odd-${i}`, name, "visitor", 2 - i, { externalId: `\rodd-${i}` })),
    ]);
    for (const event of [...deliveries, odd("room.session.ended", "2026-03-03T10:40:00.000Z")]) {
      expect((await deliver(server.url, event, { secret: server.secret })).status).toBe(200);
    }
    const records = parseCsv(await (await get("/api/sessions/rs-odd/attendance.csv")).text());
    expect(records).toHaveLength(1 + names.length);
    expect(records.slice(1).map((r) => r[3]).sort()).toEqual([...names].sort());
    // An external id that begins with a carriage return is quoted and guarded against formulas.
    expect(records.slice(1).map((r) => r[5]).sort()).toEqual(["'\rodd-0", "'\rodd-1", "'\rodd-2"]);
  });

  it("lists a body that began with a byte order mark as JSON", async () => {
    const event = { ...ev("room.client.knocked", "2026-03-03T11:00:00.000Z", { participantId: "p-bom" }), id: "read-api-bom" };
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(event))]);
    expect((await deliver(server.url, bytes, { secret: server.secret })).status).toBe(200);
    const res = await get("/api/events?type=room.client.knocked");
    const body = await res.json();
    expect(body.results.find((e: { id: string }) => e.id === "read-api-bom").body).toEqual(event);
  });

  it("serves Prometheus metrics with the token", async () => {
    const res = await get("/metrics");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('meetmeter_events_received_total{type="room.client.joined",outcome="stored"}');
    expect(text).toContain("meetmeter_http_request_duration_seconds_bucket");
    expect(text).toContain("meetmeter_store_commit_duration_seconds_count");
  });
});
