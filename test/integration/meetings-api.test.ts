/**
 * Scheduled meetings over real HTTP on both stores (SPEC §9): registered before or after their events, replaced,
 * listed, read, downloaded and deleted; every bad meeting refused naming its field, with nothing stored.
 */
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, deliver } from "../helpers/deliver.js";
import { clientData, wherebyEvent } from "../helpers/events.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { STORE_KINDS } from "../helpers/stores.js";

const at = (time: string) => `2026-03-02T${time}.000Z`;

/** Maths 7B, 09:00–09:45: the teacher on time, Ada on time, Bo 10 minutes late, Cy never; a guest drops in. */
function lesson(meetingId: string, roomSessionId: string) {
  const room = { roomName: `/maths-${meetingId}`, meetingId, subdomain: "school", roomSessionId };
  let n = 0;
  const ev = (type: string, time: string, data: Record<string, unknown> = {}) =>
    wherebyEvent(`${meetingId}-${(n += 1)}`, type, at(time), { ...room, ...data });
  const person = (id: string, name: string, role: string, count: number) => clientData(`p-${id}`, name, role, count, { externalId: id });
  return [
    ev("room.client.joined", "08:59:00", person("teacher", "Ms Berg", "host", 1)),
    ev("room.client.joined", "09:00:30", person("ada", "Ada", "visitor", 2)),
    ev("room.session.started", "09:00:30"),
    ev("room.client.joined", "09:10:00", person("bo", "Bo", "visitor", 3)),
    ev("room.client.joined", "09:20:00", clientData("p-guest", "Guest", "visitor", 4)),
    ev("room.client.left", "09:25:00", clientData("p-guest", "Guest", "visitor", 3)),
    ev("room.client.left", "09:45:00", person("bo", "Bo", "visitor", 2)),
    ev("room.client.left", "09:45:00", person("ada", "Ada", "visitor", 1)),
    ev("room.client.left", "09:46:00", person("teacher", "Ms Berg", "host", 0)),
    ev("room.session.ended", "09:47:00"),
  ];
}

const plan = (overrides: Record<string, unknown> = {}) => ({
  title: "Maths 7B",
  scheduledStart: "2026-03-02T10:00:00+01:00",
  scheduledEnd: "2026-03-02T10:45:00+01:00",
  expected: [
    { key: "external:teacher", displayName: "Ms Berg", role: "teacher" },
    { key: "external:ada", displayName: "Ada", role: "student" },
    { key: "external:bo", displayName: "Bo", role: "student" },
    { key: "external:cy", displayName: "Cy", role: "student" },
  ],
  ...overrides,
});

describe.each(STORE_KINDS)("scheduled meetings on %s", (kind) => {
  let server: TestServer;
  let get: (path: string) => Promise<Response>;
  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${server.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  const deliverAll = async (events: object[]) => {
    for (const event of events) expect((await deliver(server.url, event, { secret: server.secret })).status).toBe(200);
  };
  const statuses = (meeting: { roster: Array<{ key: string; status: string }> }) =>
    Object.fromEntries(meeting.roster.map((r) => [r.key, r.status]));

  beforeAll(async () => {
    server = await startTestServer({ store: kind });
    get = api(server.url, server.token);
  });
  afterAll(async () => {
    await server.close();
  });

  it("derives the roster of a meeting registered after its events, and answers the PUT with it", async () => {
    await deliverAll(lesson("m-after", "rs-after"));
    const res = await send("PUT", "/api/meetings/m-after", plan());
    expect(res.status).toBe(200);
    const meeting = await res.json();
    expect(meeting).toMatchObject({
      meetingId: "m-after",
      title: "Maths 7B",
      scheduledStart: "2026-03-02T09:00:00.000Z",
      scheduledEnd: "2026-03-02T09:45:00.000Z",
      rules: { lateAfterSeconds: 300, leftEarlyBeforeSeconds: 300, presentAtPercent: 75, noShowAfterSeconds: 900 },
      status: "held",
      startedLateSeconds: 30,
      // The session ended when Ada left the teacher alone at 09:45, on time.
      overranSeconds: 0,
      hostLateSeconds: 0,
      sessions: ["rs-after"],
    });
    expect(meeting).not.toHaveProperty("facts");
    expect(statuses(meeting)).toEqual({ "external:teacher": "present", "external:ada": "present", "external:bo": "late", "external:cy": "absent" });
    expect(meeting.roster.find((r: { key: string }) => r.key === "external:bo")).toMatchObject({ lateSeconds: 600, connectedSeconds: 2100 });
    expect(meeting.unexpected.map((u: { key: string }) => u.key)).toEqual(["participant:p-guest"]);
    expect(await (await get("/api/meetings/m-after")).json()).toEqual(meeting);
  });

  it("takes events that arrive after the meeting was registered, and a roster or rules replaced", async () => {
    expect((await send("PUT", "/api/meetings/m-before", plan())).status).toBe(200);
    expect(await (await get("/api/meetings/m-before")).json()).toMatchObject({ sessions: [], roster: [{ status: "absent" }, { status: "absent" }, { status: "absent" }, { status: "absent" }] });
    await deliverAll(lesson("m-before", "rs-before"));
    const after = await (await get("/api/meetings/m-before")).json();
    expect(statuses(after)).toEqual({ "external:teacher": "present", "external:ada": "present", "external:bo": "late", "external:cy": "absent" });
    // The list, which reads the kept result, has it too.
    const listed = await (await get("/api/meetings?from=2026-03-02&to=2026-03-03")).json();
    expect(listed.results.find((m: { meetingId: string }) => m.meetingId === "m-before")).toMatchObject({
      status: "held",
      counts: { expected: 4, present: 2, late: 1, left_early: 0, partial: 0, absent: 1, unexpected: 1 },
    });

    const replaced = await send("PUT", "/api/meetings/m-before", plan({ expected: [{ key: "external:bo" }], rules: { lateAfterSeconds: 900 } }));
    const meeting = await replaced.json();
    expect(meeting.rules.lateAfterSeconds).toBe(900);
    expect(statuses(meeting)).toEqual({ "external:bo": "present" });
    expect(meeting.unexpected.map((u: { key: string }) => u.key).sort()).toEqual(["external:ada", "external:teacher", "participant:p-guest"]);
  });

  it("lists meetings latest first, filtered by time, room and status, a page at a time", async () => {
    for (const [id, start] of [["m-list-1", "2026-04-01T08:00:00Z"], ["m-list-2", "2026-04-02T08:00:00Z"], ["m-list-3", "2026-04-03T08:00:00Z"]]) {
      const end = start!.replace("08:00", "08:30");
      expect((await send("PUT", `/api/meetings/${id}`, { scheduledStart: start, scheduledEnd: end, roomName: "/list" })).status).toBe(200);
    }
    const first = await (await get("/api/meetings?roomName=%2Flist&limit=2")).json();
    expect(first.results.map((m: { meetingId: string }) => m.meetingId)).toEqual(["m-list-3", "m-list-2"]);
    const second = await (await get(`/api/meetings?roomName=%2Flist&limit=2&cursor=${first.cursor}`)).json();
    expect(second).toMatchObject({ results: [{ meetingId: "m-list-1" }], cursor: null });
    // Nobody came to any of them, long past their start: no-shows.
    const noShows = await (await get("/api/meetings?status=no_show&from=2026-04-02")).json();
    expect(noShows.results.map((m: { meetingId: string; status: string }) => [m.meetingId, m.status])).toEqual([
      ["m-list-3", "no_show"],
      ["m-list-2", "no_show"],
    ]);
    for (const [query, named] of [["status=over", "status"], ["from=yesterday", "from"], ["limit=0", "limit"], ["cursor=abc", "cursor"], ["colour=red", "colour"], ["from=2026-05-01&to=2026-04-01", "from"]]) {
      const res = await get(`/api/meetings?${query}`);
      expect(res.status, query).toBe(400);
      const body = await res.json();
      expect(body.error).toBe("invalid_query");
      expect(body.message).toContain(named);
    }
  });

  it("downloads the roster as CSV: the expected in order, then the unexpected", async () => {
    await deliverAll(lesson("m-csv", "rs-csv"));
    await send("PUT", "/api/meetings/m-csv", plan());
    const res = await get("/api/meetings/m-csv/attendance.csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const rows = parse(await res.text(), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.key, r.status])).toEqual([
      ["external:teacher", "present"],
      ["external:ada", "present"],
      ["external:bo", "late"],
      ["external:cy", "absent"],
      ["participant:p-guest", "unexpected"],
    ]);
  });

  it("forgets a meeting on DELETE and keeps its sessions", async () => {
    await deliverAll(lesson("m-gone", "rs-gone"));
    await send("PUT", "/api/meetings/m-gone", plan());
    expect((await send("DELETE", "/api/meetings/m-gone")).status).toBe(204);
    expect((await get("/api/meetings/m-gone")).status).toBe(404);
    expect((await send("DELETE", "/api/meetings/m-gone")).status).toBe(404);
    expect((await get("/api/sessions/rs-gone")).status).toBe(200);
  });

  it.each([
    ["an end before its start", plan({ scheduledEnd: "2026-03-02T08:00:00Z" }), "scheduledEnd"],
    ["a time without its zone", plan({ scheduledStart: "2026-03-02T09:00:00" }), "scheduledStart"],
    ["no start at all", plan({ scheduledStart: undefined }), "scheduledStart"],
    ["a key twice", plan({ expected: [{ key: "external:a" }, { key: "external:a" }] }), "expected[1].key"],
    ["an unknown rule", plan({ rules: { lateAfterMinutes: 5 } }), "rules.lateAfterMinutes"],
    ["a roster of 5,001", plan({ expected: Array.from({ length: 5001 }, (_, i) => ({ key: `external:s-${i}` })) }), "expected"],
    ["broken JSON", '{"scheduledStart": ', "body"],
    ["another meeting's id in the body", plan({ meetingId: "m-other" }), "meetingId"],
  ])("refuses %s with 400 invalid_meeting naming the field, and stores nothing", async (_, body, field) => {
    const res = await send("PUT", "/api/meetings/m-bad", body);
    expect(res.status).toBe(400);
    const answer = await res.json();
    expect(answer).toEqual({ error: "invalid_meeting", message: expect.stringContaining(field) });
    expect((await get("/api/meetings/m-bad")).status).toBe(404);
  });

  it("gives a person the meetings that expected them and how often they came, even one who never came", async () => {
    const cy = await (await get("/api/people/external%3Acy")).json();
    expect(cy.sessions).toEqual([]);
    expect(cy.displayName).toBe("Cy");
    expect(cy.meetings.find((m: { meetingId: string }) => m.meetingId === "m-after")).toMatchObject({ meetingStatus: "held", status: "absent", attendancePercent: 0 });
    expect(cy.totals).toMatchObject({ meetingsAttended: 0, meetingAttendancePercent: 0 });
    expect(cy.totals.meetingsExpected).toBeGreaterThan(0);
    const bo = await (await get("/api/people/external%3Abo")).json();
    expect(bo.meetings.map((m: { meetingId: string }) => m.meetingId)).not.toContain("m-gone");
    expect(bo.totals.meetingsAttended).toBe(bo.totals.meetingsExpected);
    expect(bo.totals.meetingAttendancePercent).toBe(100);
  });

  it("answers an id no meeting can have as unknown, and asks for the token", async () => {
    expect((await get("/api/meetings/m%01x")).status).toBe(404);
    expect((await get("/api/meetings/nobody")).status).toBe(404);
    expect((await send("PUT", "/api/meetings/m%00x", plan())).status).toBe(400);
    expect((await fetch(`${server.url}/api/meetings`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/meetings/m-after`, { method: "PUT", body: "{}" })).status).toBe(401);
  });
});
