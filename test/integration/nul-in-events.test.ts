/**
 * A validly signed event may carry NUL (U+0000) in any string, which PostgreSQL's text cannot hold. Such an event is
 * stored with its batch neighbours, deduplicated by its id, and derived, on every store, over real HTTP.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SessionDetail } from "../../src/attendance/types.js";
import { api, deliver, joinedEvent, uniqueId } from "../helpers/deliver.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { STORE_KINDS } from "../helpers/stores.js";

describe.each(STORE_KINDS)("NUL in an event's strings, on %s", (kind) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ store: kind });
  });
  afterEach(async () => {
    await server.close();
  });

  it("stores it beside its batch neighbours, deduplicates it, derives its session and leaves the store healthy", async () => {
    const { url, secret, token } = server;
    const get = api(url, token);
    const roomName = "/nul\u0000room";
    const roomSessionId = uniqueId("session");
    const first = joinedEvent(
      { id: uniqueId("nul\u0000id") },
      { roomName, roomSessionId, participantId: "p-1", displayName: "Ada\u0000Lovelace", externalId: "ada\u0000", numClients: 1 },
    );
    const second = joinedEvent(
      {},
      { roomName, roomSessionId, participantId: "p-2", displayName: "Bob", externalId: "bob", numClients: 2 },
    );
    const unknownType = joinedEvent({ type: "room.custom\u0000thing" }, { roomName });
    const innocent = Array.from({ length: 5 }, () => joinedEvent());
    // Delivered at once, so that group commit puts them in one batch.
    const answers = await Promise.all([first, second, unknownType, ...innocent].map((event) => deliver(url, event, { secret })));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));

    const again = await deliver(url, first, { secret });
    expect(await again.json()).toEqual({ ok: true, id: first.id, duplicate: true });
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: "ok", store: kind });

    const events = (await (await get("/api/events?limit=500")).json()) as { results: { id: string; type: string; body: { id: string } }[] };
    const sent = [first, second, unknownType, ...innocent].map((e) => e.id).sort();
    expect(events.results.map((e) => e.body.id).sort()).toEqual(sent);
    // The event as sent, its id and type included, though the columns that index them hold ␀.
    expect(events.results.map((e) => e.id).sort()).toEqual(sent);
    expect(events.results.map((e) => e.type)).toContain("room.custom\u0000thing");

    const detailAnswer = await get(`/api/sessions/${encodeURIComponent(roomSessionId)}`);
    expect(detailAnswer.status).toBe(200);
    const detail = (await detailAnswer.json()) as SessionDetail;
    expect(detail.roomName).toBe(roomName);
    expect(detail.participants.map((p) => [p.key, p.displayName]).sort()).toEqual([
      ["external:ada\u0000", "Ada\u0000Lovelace"],
      ["external:bob", "Bob"],
    ]);
    const rooms = (await (await get("/api/rooms")).json()) as { results: { roomName: string; totalSessions: number }[] };
    expect(rooms.results.find((r) => r.roomName.startsWith("/nul"))?.totalSessions).toBe(1);
  });

  it("answers a NUL in a path's id or key as an unknown one: 404, never 500", async () => {
    const get = api(server.url, server.token);
    for (const path of ["/api/sessions/a%00b", "/api/sessions/a%00b/attendance.csv", "/api/people/external:a%00"]) {
      const answer = await get(path);
      expect(answer.status, path).toBe(404);
      expect((await answer.json()).error, path).toBe("not_found");
    }
  });
});
