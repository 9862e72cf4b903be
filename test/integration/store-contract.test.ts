/** One contract, every store: what the rest of meetmeter relies on from the event log and the derived tables. */
import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SessionDetail } from "../../src/attendance/types.js";
import { InvalidCursorError, SessionsRefusedError } from "../../src/store/event-store.js";
import { toSessionRows } from "../../src/store/session-rows.js";
import { queryPostgres } from "../helpers/postgres.js";
import { STORE_KINDS, incomingEvent, openTestStore, sqlitePath, type TestStore } from "../helpers/stores.js";

/** A partition as derived from one event, for the tests that save sessions without deriving them. */
function version(partitionKey: string, throughSeq = 1, events = 1) {
  return { partitionKey, throughSeq, events };
}

/** The PostgreSQL schema a test store was opened on. */
function schemaOf(t: TestStore): string {
  return t.database.kind === "postgres" ? (t.database.schema ?? "public") : "public";
}

function session(id: string, startedAt: string, overrides: Partial<SessionDetail> = {}): SessionDetail {
  return {
    id,
    roomName: "/math-101",
    meetingId: "1",
    startedAt,
    endedAt: startedAt,
    reportedEndedAt: null,
    ongoing: false,
    endInferred: true,
    lastEventAt: startedAt,
    durationSeconds: 60,
    peakParticipants: 2,
    uniqueParticipants: 1,
    participantSeconds: 60,
    billableParticipantMinutes: 1,
    participants: [
      {
        key: "external:ada",
        displayName: "Ada",
        roleName: "visitor",
        externalId: "ada",
        metadata: null,
        metadataSubject: null,
        metadataVerified: null,
        metadataProblem: null,
        firstJoinedAt: startedAt,
        lastLeftAt: startedAt,
        connectedSeconds: 60,
        attendancePercent: 100,
        waitedSeconds: null,
        connections: [],
      },
    ],
    bots: [],
    timeline: [],
    knocks: 0,
    knocksCancelled: 0,
    knockList: [],
    recordings: [],
    transcriptions: [],
    ...overrides,
  };
}

describe.each(STORE_KINDS)("the %s store", (kind) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(kind);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("appends a batch and keeps the body byte for byte", async () => {
    const body = Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x20, 0x0a, 0xff, 0x00, 0x7d]);
    expect(await t.store.append([incomingEvent("a"), incomingEvent("b", { body })])).toEqual([true, true]);
    const rows = await t.store.scanEvents(0, 10);
    expect(rows.map((r) => r.id)).toEqual(["a", "b"]);
    expect(rows[1]!.body.equals(body)).toBe(true);
    expect(await t.store.countEvents()).toBe(2);
  });

  it("deduplicates by id, first write wins, also within one batch", async () => {
    expect(await t.store.append([incomingEvent("a", { channel: "first" })])).toEqual([true]);
    const flags = await t.store.append([incomingEvent("a", { channel: "second" }), incomingEvent("c"), incomingEvent("c")]);
    expect(flags).toEqual([false, true, false]);
    const rows = await t.store.scanEvents(0, 10);
    expect(rows.map((r) => [r.id, r.channel])).toEqual([
      ["a", "first"],
      ["c", null],
    ]);
  });

  it("keeps NUL in every text it is given: the same id deduplicates, partitions and sessions are found by their keys", async () => {
    const odd = { type: "room.\u0000", roomName: "/r\u0000", roomSessionId: "s\u0000", partitionKey: "session:s\u0000" };
    expect(await t.store.append([incomingEvent("n\u0000", odd), incomingEvent("n\u0000"), incomingEvent("plain")])).toEqual([
      true,
      false,
      true,
    ]);
    expect(await t.store.append([incomingEvent("n\u0000")])).toEqual([false]);
    // Read back as sent: the id from the body, which has it; the type as the column holds it, the body has none.
    expect((await t.store.scanEvents(0, 10)).map((row) => [row.id, row.type])).toEqual([
      ["n\u0000", "room.\u2400"],
      ["plain", "room.client.joined"],
    ]);
    const bodies = await t.store.bodiesOfPartitions(["session:s\u0000"]);
    expect(bodies.map((row) => row.partitionKey)).toEqual(["session:s\u0000"]);
    expect((await t.store.listEvents({ roomName: "/r\u0000", type: "room.\u0000" }, 10, null)).results).toHaveLength(1);
    const person = { ...session("x", "2026-03-01T09:00:00.000Z").participants[0]!, key: "external:a\u0000", displayName: "A\u0000" };
    const saved = session("s\u0000", "2026-03-01T09:00:00.000Z", { roomName: "/r\u0000", participants: [person] });
    await t.store.replaceSessions(toSessionRows([{ ...version("session:s\u0000"), sessions: [saved] }]));
    const stored = await t.store.getSession("s\u0000");
    // The detail is JSON text, in which NUL is an escape: it comes back exactly as derived.
    expect(JSON.parse(stored!.detailJson)).toEqual(saved);
    expect((await t.store.sessionsOfPerson("external:a\u0000")).map((row) => row.sessionId)).toEqual(["s\u2400"]);
    expect((await t.store.listSessions({ roomName: "/r\u0000" }, 10, null)).results.map((s) => s.roomName)).toEqual(["/r\u0000"]);
  });

  it("refuses alone a row it can never keep, and stores the rest of its batch", async () => {
    // 12,000 characters that do not compress: more than a PostgreSQL index row holds; SQLite keeps it.
    const huge = `/${randomBytes(6000).toString("hex")}`;
    const outcomes = await t.store.append([incomingEvent("before"), incomingEvent("huge", { roomName: huge }), incomingEvent("after")]);
    if (kind === "sqlite") expect(outcomes).toEqual([true, true, true]);
    else expect(outcomes).toEqual([true, { refused: expect.stringMatching(/index row/) }, true]);
    expect(await t.store.append([incomingEvent("before"), incomingEvent("after")])).toEqual([false, false]);
  });

  it("refuses alone the sessions of a partition it can never keep, and saves those saved with it", async () => {
    // A person's key of 12,000 characters that do not compress: more than PostgreSQL's index of people holds.
    const huge = { ...session("x", "2026-03-01T09:00:00.000Z").participants[0]!, key: `external:${randomBytes(6000).toString("hex")}` };
    const unkeepable = { ...version("session:huge"), sessions: [session("huge", "2026-03-01T09:00:00.000Z", { participants: [huge] })] };
    const fine = { ...version("session:fine"), sessions: [session("fine", "2026-03-01T10:00:00.000Z")] };
    for (const partitions of [[unkeepable, fine], [unkeepable]]) {
      const saving = t.store.replaceSessions(toSessionRows(partitions));
      if (kind === "sqlite") await saving;
      else {
        const refused = await saving.then(() => null, (error: unknown) => error);
        expect(refused).toBeInstanceOf(SessionsRefusedError);
        expect((refused as SessionsRefusedError).partitionKeys).toEqual(["session:huge"]);
      }
    }
    expect((await t.store.getSession("fine"))?.summary.id).toBe("fine");
    expect((await t.store.getSession("huge")) !== null).toBe(kind === "sqlite");
  });

  it("takes batches committed at once, holding ids in opposite orders: each id stored once, new to one batch", async () => {
    // Every batch gets a connection of its own, already open, so that they really do overlap.
    await Promise.all(Array.from({ length: 6 }, (_, b) => t.store.append([incomingEvent(`warm-${b}`)])));
    for (let round = 0; round < 3; round += 1) {
      const ids = Array.from({ length: 300 }, (_, i) => `shared-${round}-${i}`);
      const batches = Array.from({ length: 6 }, (_, b) => {
        const order = b % 2 === 0 ? ids : [...ids].reverse();
        return order.map((id) => incomingEvent(id, { channel: `batch-${b}` }));
      });
      const flags = await Promise.all(batches.map((batch) => t.store.append(batch)));
      for (const id of ids) {
        const newIn = flags.filter((batchFlags, b) => batchFlags[batches[b]!.findIndex((e) => e.id === id)]);
        expect(newIn).toHaveLength(1);
      }
    }
    expect(await t.store.countEvents()).toBe(6 + 3 * 300);
  });

  it("appends a batch larger than one INSERT statement", async () => {
    const batch = Array.from({ length: 1234 }, (_, i) => incomingEvent(`bulk-${i}`));
    const flags = await t.store.append(batch);
    expect(flags.every(Boolean)).toBe(true);
    expect(await t.store.countEvents()).toBe(1234);
  });

  it("returns the bodies of the events of some partitions, as text in arrival order", async () => {
    await t.store.append([
      incomingEvent("x1"),
      incomingEvent("y1", { partitionKey: "session:other" }),
      incomingEvent("z1", { partitionKey: "session:third" }),
      incomingEvent("x2"),
    ]);
    const [first, second] = await t.store.bodiesOfPartitions(["session:s-1"]);
    expect([first?.body, second?.body]).toEqual([
      JSON.stringify({ id: "x1", note: "é\u0000 raw" }),
      JSON.stringify({ id: "x2", note: "é\u0000 raw" }),
    ]);
    expect(first?.partitionKey).toBe("session:s-1");
    expect(first?.receivedAt).toBe("2026-03-02T09:00:01.000Z");
    // Each with its place in the log: x1 first, and the two events of other partitions between them.
    expect(second!.seq - first!.seq).toBe(3);
    const both = await t.store.bodiesOfPartitions(["session:s-1", "session:third"]);
    expect(both.map((row) => [row.partitionKey, (JSON.parse(row.body) as { id: string }).id])).toEqual([
      ["session:s-1", "x1"],
      ["session:third", "z1"],
      ["session:s-1", "x2"],
    ]);
    expect(await t.store.bodiesOfPartitions(["session:none"])).toEqual([]);
  });

  it("refreshes the planner's statistics of a freshly filled log, which PostgreSQL has none of yet", async () => {
    await t.store.append(Array.from({ length: 300 }, (_, i) => incomingEvent(`stat-${i}`, { partitionKey: `session:s-${i % 30}` })));
    await t.store.refreshStatistics();
    if (kind === "postgres") {
      const stats = await queryPostgres(
        "select n_distinct from pg_stats where schemaname = $1 and tablename = 'events' and attname = 'partition_key'",
        [schemaOf(t)],
      );
      expect(stats).toHaveLength(1);
    }
    expect(await t.store.bodiesOfPartitions(["session:s-7"])).toHaveLength(10);
  });

  it("names the partitions of the newest events, once each", async () => {
    await t.store.append([
      incomingEvent("r1", { partitionKey: "session:old" }),
      incomingEvent("r2", { partitionKey: "session:a" }),
      incomingEvent("r3", { partitionKey: null }),
      incomingEvent("r4", { partitionKey: "session:b" }),
      incomingEvent("r5", { partitionKey: "session:a" }),
    ]);
    expect((await t.store.recentPartitionKeys(4)).sort()).toEqual(["session:a", "session:b"]);
    expect((await t.store.recentPartitionKeys(100)).sort()).toEqual(["session:a", "session:b", "session:old"]);
  });

  it("pages raw events with filters and a cursor", async () => {
    await t.store.append([
      incomingEvent("e1"),
      incomingEvent("e2", { type: "room.client.left" }),
      incomingEvent("e3"),
      incomingEvent("e4", { roomName: "/other" }),
    ]);
    const first = await t.store.listEvents({ type: "room.client.joined" }, 2, null);
    expect(first.results.map((e) => e.id)).toEqual(["e1", "e3"]);
    expect(first.cursor).not.toBeNull();
    const second = await t.store.listEvents({ type: "room.client.joined" }, 2, first.cursor);
    expect(second.results.map((e) => e.id)).toEqual(["e4"]);
    expect(second.cursor).toBeNull();
    const room = await t.store.listEvents({ roomName: "/other" }, 10, null);
    expect(room.results.map((e) => e.id)).toEqual(["e4"]);
    await expect(t.store.listEvents({}, 2, "not-a-cursor")).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it("pages the events of a session: its partition's and those it names, in arrival order", async () => {
    await t.store.append([
      incomingEvent("s1"),
      incomingEvent("cut-1", { roomSessionId: null, partitionKey: "room:/math-101" }),
      incomingEvent("other", { roomSessionId: "s-2", partitionKey: "session:s-2" }),
      incomingEvent("s2", { type: "room.client.left" }),
      incomingEvent("cut-2", { roomSessionId: null, partitionKey: "room:/math-101" }),
    ]);
    const ids = async (session: { partitionKey: string | null; ids: string[] }, type?: string) => {
      const first = await t.store.listEvents({ session, type }, 2, null);
      const rest = first.cursor ? await t.store.listEvents({ session, type }, 10, first.cursor) : { results: [] };
      return [...first.results, ...rest.results].map((e) => e.id);
    };
    expect(await ids({ partitionKey: "session:s-1", ids: [] })).toEqual(["s1", "s2"]);
    expect(await ids({ partitionKey: "session:s-1", ids: ["cut-2"] })).toEqual(["s1", "s2", "cut-2"]);
    expect(await ids({ partitionKey: null, ids: ["cut-2", "cut-1", "missing"] })).toEqual(["cut-1", "cut-2"]);
    expect(await ids({ partitionKey: "session:s-1", ids: ["cut-1"] }, "room.client.left")).toEqual(["s2"]);
    expect(await ids({ partitionKey: null, ids: [] })).toEqual([]);
    const many = Array.from({ length: 40_000 }, (_, i) => `absent-${i}`);
    expect(await ids({ partitionKey: null, ids: [...many, "cut-1"] })).toEqual(["cut-1"]);
  });

  it("pages a room's events in log order from an index, without sorting all of the room's events", async () => {
    const room = "/big-room";
    await t.store.append(Array.from({ length: 30 }, (_, i) => incomingEvent(`room-${i}`, { roomName: i % 3 ? room : "/other" })));
    const first = await t.store.listEvents({ roomName: room }, 5, null);
    expect(first.results.map((e) => e.id)).toEqual(["room-1", "room-2", "room-4", "room-5", "room-7"]);
    if (kind === "sqlite") {
      // The query listEvents makes for a room's page.
      const query = "explain query plan select * from events where room_name = ? order by seq limit 6";
      const database = new Database(sqlitePath(t.database), { readonly: true });
      const plan = database.prepare<[string], { detail: string }>(query).all(room);
      database.close();
      expect(plan.map((step) => step.detail)).toEqual(["SEARCH events USING INDEX events_room_seq (room_name=?)"]);
    } else {
      const indexes = await queryPostgres<{ indexdef: string }>(
        "select indexdef from pg_indexes where schemaname = $1 and tablename = 'events' and indexdef like '%room_name%'",
        [schemaOf(t)],
      );
      expect(indexes.map((index) => index.indexdef.replace(/^.* USING /, ""))).toEqual(["btree (room_name, seq)"]);
    }
  });

  it("lists the recordings and transcripts of a room and period, in time order, then arrival order", async () => {
    const artifact = (id: string, type: string, createdAt: string, roomName = "/math-101") =>
      incomingEvent(id, { type, createdAt, roomName, roomSessionId: null, partitionKey: `room:${roomName}` });
    await t.store.append([
      artifact("late", "recording.finished", "2026-03-02T10:00:00.000Z"),
      artifact("tie-b", "transcription.finished", "2026-03-02T09:30:00.000Z"),
      artifact("tie-a", "recording.finished", "2026-03-02T09:30:00.000Z"),
      artifact("early", "transcription.started", "2026-03-02T09:00:00.000Z"),
      artifact("other-room", "recording.finished", "2026-03-02T09:30:00.000Z", "/other"),
      artifact("after", "recording.finished", "2026-03-02T11:00:00.001Z"),
      incomingEvent("not-an-artifact", { createdAt: "2026-03-02T09:30:00.000Z", roomSessionId: null, partitionKey: "room:/math-101" }),
    ]);
    const listed = await t.store.roomArtifacts("/math-101", "2026-03-02T09:00:00.000Z", "2026-03-02T11:00:00.000Z");
    expect(listed.map((e) => e.id)).toEqual(["early", "tie-b", "tie-a", "late"]);
  });

  it("keeps quarantined deliveries with their reason", async () => {
    await t.store.quarantine([
      { receivedAt: "2026-03-02T09:00:00.000Z", channel: "x", reason: "invalid_json", message: "no", body: Buffer.from([0xff]) },
    ]);
    const page = await t.store.listQuarantine(10, null);
    expect(page.results).toHaveLength(1);
    expect(page.results[0]!.reason).toBe("invalid_json");
    expect(page.results[0]!.body.equals(Buffer.from([0xff]))).toBe(true);
  });

  it("replaces a partition's sessions and lists them newest first with a cursor", async () => {
    await t.store.replaceSessions(toSessionRows([{ ...version("session:a"), sessions: [session("a", "2026-03-01T09:00:00.000Z")] }]));
    await t.store.replaceSessions(toSessionRows([{ ...version("session:b"), sessions: [session("b", "2026-03-02T09:00:00.000Z")] }]));
    await t.store.replaceSessions(toSessionRows([{ ...version("room:/r"), sessions: [
      session("c", "2026-03-03T09:00:00.000Z", { roomName: "/r" }),
      session("d", "2026-03-03T09:00:00.000Z", { roomName: "/r", ongoing: true }),
    ] }]));
    const first = await t.store.listSessions({}, 3, null);
    expect(first.results.map((s) => s.id)).toEqual(["d", "c", "b"]);
    const rest = await t.store.listSessions({}, 3, first.cursor);
    expect(rest.results.map((s) => s.id)).toEqual(["a"]);
    expect(rest.cursor).toBeNull();

    expect((await t.store.listSessions({ roomName: "/r" }, 10, null)).results.map((s) => s.id)).toEqual(["d", "c"]);
    expect((await t.store.listSessions({ ongoing: true }, 10, null)).results.map((s) => s.id)).toEqual(["d"]);
    const range = await t.store.listSessions(
      { from: "2026-03-02T00:00:00.000Z", to: "2026-03-03T09:00:00.000Z" },
      10,
      null,
    );
    expect(range.results.map((s) => s.id)).toEqual(["b"]);

    // A partition derived again replaces what it had, and nothing else.
    await t.store.replaceSessions(toSessionRows([{ ...version("room:/r"), sessions: [session("c", "2026-03-03T09:00:00.000Z", { roomName: "/r" })] }]));
    expect((await t.store.listSessions({}, 10, null)).results.map((s) => s.id)).toEqual(["c", "b", "a"]);

    const found = await t.store.getSession("c");
    expect(found?.partitionKey).toBe("room:/r");
    expect((JSON.parse(found?.detailJson ?? "{}") as SessionDetail).participants[0]?.key).toBe("external:ada");
    expect(await t.store.getSession("nope")).toBeNull();
  });

  it("answers people, rooms and usage from the derived rows", async () => {
    await t.store.replaceSessions(toSessionRows([{ ...version("session:a"), sessions: [session("a", "2026-03-01T09:00:00.000Z")] }]));
    await t.store.replaceSessions(toSessionRows([{ ...version("session:b"), sessions: [session("b", "2026-03-02T09:00:00.000Z", { participantSeconds: 30.5 })] }]));
    const person = await t.store.sessionsOfPerson("external:ada");
    expect(person.map((p) => p.sessionId)).toEqual(["b", "a"]);
    expect(await t.store.sessionsOfPerson("external:nobody")).toEqual([]);
    expect((await t.store.rooms(10, null)).results).toEqual([
      {
        roomName: "/math-101",
        totalSessions: 2,
        firstSessionStartedAt: "2026-03-01T09:00:00.000Z",
        lastSessionStartedAt: "2026-03-02T09:00:00.000Z",
        participantSeconds: 90.5,
        billableParticipantMinutes: 2,
        uniqueParticipants: 1,
      },
    ]);
    const usage = await t.store.usage("2026-03-02T00:00:00.000Z", null);
    expect(usage).toEqual([
      { startedAt: "2026-03-02T09:00:00.000Z", participantSeconds: 30.5, billableParticipantMinutes: 1 },
    ]);
    // Rooms a page at a time, by name.
    await t.store.replaceSessions(toSessionRows([
      { ...version("session:c"), sessions: [session("c", "2026-03-03T09:00:00.000Z", { roomName: "/art-1" })] },
      { ...version("session:d"), sessions: [session("d", "2026-03-03T09:00:00.000Z", { roomName: "/zoology" })] },
    ]));
    const first = await t.store.rooms(2, null);
    expect(first.results.map((r) => r.roomName)).toEqual(["/art-1", "/math-101"]);
    const rest = await t.store.rooms(2, first.cursor);
    expect(rest.results.map((r) => r.roomName)).toEqual(["/zoology"]);
    expect(rest.cursor).toBeNull();
    await expect(t.store.rooms(2, "not-a-cursor")).rejects.toBeInstanceOf(InvalidCursorError);
    await t.store.clearSessions();
    expect((await t.store.listSessions({}, 10, null)).results).toEqual([]);
  });

  it("keeps a large session detail whole, compressed with lz4 on PostgreSQL", async () => {
    const big = session("big", "2026-03-02T09:00:00.000Z", { roomName: `/${"r".repeat(40_000)}` });
    await t.store.replaceSessions(toSessionRows([{ ...version("session:big"), sessions: [big] }]));
    expect(JSON.parse((await t.store.getSession("big"))?.detailJson ?? "null")).toEqual(big);
    if (kind === "postgres") {
      const stored = await queryPostgres(
        `select pg_column_compression(detail) as method from ${pg.escapeIdentifier(schemaOf(t))}.sessions where id = 'big'`,
      );
      expect(stored).toEqual([{ method: "lz4" }]);
    }
  });

  it("keeps a partition saved from a later derivation when an earlier one is saved after it", async () => {
    const save = (key: string, id: string, throughSeq: number, events: number) =>
      t.store.replaceSessions(toSessionRows([{ ...version(key, throughSeq, events), sessions: [session(id, "2026-03-02T09:00:00.000Z")] }]));
    const saved = async () => (await t.store.listSessions({}, 10, null)).results.map((s) => s.id).sort();
    await save("session:p", "p-newer", 5, 3);
    // Saw the same newest event but fewer events: read before one that committed late. Or an older newest event.
    await save("session:p", "p-fewer", 5, 2);
    await save("session:p", "p-older", 4, 10);
    expect(await saved()).toEqual(["p-newer"]);
    // The same events again (an ongoing session brought up to now), then more.
    await save("session:p", "p-again", 5, 3);
    expect(await saved()).toEqual(["p-again"]);
    await t.store.replaceSessions(
      toSessionRows([
        { ...version("session:q", 1, 1), sessions: [session("q-1", "2026-03-02T10:00:00.000Z")] },
        { ...version("session:p", 2, 2), sessions: [session("p-stale", "2026-03-02T09:00:00.000Z")] },
      ]),
    );
    expect(await saved()).toEqual(["p-again", "q-1"]);
    // A rebuild starts from nothing, whatever was saved before.
    await t.store.clearSessions();
    await save("session:p", "p-rebuilt", 1, 1);
    expect(await saved()).toEqual(["p-rebuilt"]);
  });

  it("clears every derived row, leaving nothing of them behind to vacuum", async () => {
    const rows = toSessionRows(
      Array.from({ length: 40 }, (_, i) => ({
        ...version(`session:clear-${i}`),
        sessions: [session(`clear-${i}`, "2026-03-02T09:00:00.000Z")],
      })),
    );
    await t.store.replaceSessions(rows);
    expect((await t.store.listSessions({}, 100, null)).results).toHaveLength(40);
    await t.store.clearSessions();
    expect((await t.store.listSessions({}, 100, null)).results).toEqual([]);
    if (kind === "postgres") {
      // A delete keeps the removed rows' pages until a vacuum (a rebuild would leave a whole generation of them).
      const sizes = await queryPostgres<{ size: string }>(
        "select pg_relation_size(format('%I.%I', $1::text, name)) as size from unnest(array['sessions', 'session_people']) as name",
        [schemaOf(t)],
      );
      expect(sizes.map((r) => Number(r.size))).toEqual([0, 0]);
    }
  });

  it("names what the database is set up to do that the service would suffer from", async () => {
    const [setting] = kind === "postgres" ? await queryPostgres<{ autovacuum: string }>("show autovacuum") : [];
    const warnings = await t.store.setupWarnings();
    expect(warnings).toEqual(setting?.autovacuum === "off" ? [expect.stringContaining("autovacuum is off")] : []);
  });

  it("migrates twice without harm and answers ping", async () => {
    await t.store.migrate();
    await expect(t.store.ping()).resolves.toBeUndefined();
  });
});
