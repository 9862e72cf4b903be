/**
 * A room's recordings, transcriptions and assistant requests that name no session, over real HTTP: a session's detail
 * and its event list show the same ones, by one rule, whether Whereby named the session or it was cut from its room's
 * log; and the list reads what was saved rather than deriving the room's log as it answers.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { roomPartitionKey } from "../../src/attendance/index.js";
import { derivePartitionRows } from "../../src/projection/projector.js";
import { api, deliver } from "../helpers/deliver.js";
import { clientData, wherebyEvent } from "../helpers/events.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { STORE_KINDS } from "../helpers/stores.js";

const ARTIFACT_TYPES = ["recording.finished", "transcription.started", "transcription.finished", "transcription.failed", "assistant.requested"];

/**
 * Two in the room 09:01–10:00, Whereby's end at 10:01, the host lingering alone until 12:30; then, naming no session,
 * an assistant request during the meeting, a recording 3.5 hours after its end but within 2 hours of its last event,
 * and a transcription past that.
 */
function lingeringVisit(roomName: string, roomSessionId: string | null) {
  const at = (time: string) => `2026-03-05T${time}.000Z`;
  const room = { roomName, meetingId: "11", subdomain: "studio" };
  const ev = (type: string, time: string, data: Record<string, unknown> = {}) =>
    wherebyEvent(`${roomName}-${type}-${time}`, type, at(time), { ...room, roomSessionId, ...data });
  const artifact = (type: string, time: string, data: Record<string, unknown> = {}) =>
    wherebyEvent(`${roomName}-${type}-${time}`, type, at(time), { ...room, ...data });
  return {
    events: [
      ev("room.client.joined", "09:00:00", clientData("p-host", "Host", "host", 1)),
      ev("room.client.joined", "09:01:00", clientData("p-guest", "Guest", "visitor", 2)),
      ev("room.session.started", "09:01:00"),
      ev("room.client.left", "10:00:00", clientData("p-guest", "Guest", "visitor", 1)),
      ev("room.session.ended", "10:01:00"),
      ev("room.client.left", "12:30:00", clientData("p-host", "Host", "host", 0)),
    ],
    assistant: artifact("assistant.requested", "09:30:00"),
    recording: artifact("recording.finished", "13:30:00", { recordingId: "rec-1", status: "completed" }),
    late: artifact("transcription.finished", "14:45:00", { transcriptionId: "tr-1" }),
  };
}

describe.each(STORE_KINDS)("a room's artifacts that name no session, on %s", (kind) => {
  const named = lingeringVisit("/studio-named", "rs-studio-named");
  const cut = lingeringVisit("/studio-cut", null);
  let server: TestServer;
  let get: (path: string) => Promise<Response>;

  const sessionIdIn = async (roomName: string): Promise<string> => {
    const { results } = await (await get(`/api/sessions?roomName=${encodeURIComponent(roomName)}`)).json();
    expect(results).toHaveLength(1);
    return results[0].id;
  };
  const eventIdsOf = async (sessionId: string): Promise<string[]> => {
    const page = await (await get(`/api/events?sessionId=${sessionId}&limit=100`)).json();
    expect(page.cursor).toBeNull();
    return page.results.map((e: { id: string }) => e.id);
  };

  beforeAll(async () => {
    server = await startTestServer({ store: kind });
    get = api(server.url, server.token);
    for (const visit of [named, cut]) {
      for (const event of [...visit.events, visit.assistant, visit.recording, visit.late]) {
        expect((await deliver(server.url, event, { secret: server.secret })).status).toBe(200);
      }
    }
  });
  afterAll(async () => {
    await server.close();
  });

  it.each([
    ["Whereby named", named],
    ["cut from its room's log", cut],
  ])("shows the same ones in the detail and the event list of a session %s, an assistant request among them", async (_, visit) => {
    const id = await sessionIdIn(visit.events[0]!.data.roomName as string);
    const detail = await (await get(`/api/sessions/${id}`)).json();
    expect(detail.endedAt).toBe("2026-03-05T10:00:00.000Z");
    expect(detail.lastEventAt).toBe("2026-03-05T12:30:00.000Z");
    expect(detail.recordings.map((a: { eventId: string }) => a.eventId)).toEqual([visit.recording.id]);
    expect(detail.transcriptions.map((a: { eventId: string }) => a.eventId)).toEqual([visit.assistant.id]);

    const types = new Map([...visit.events, visit.assistant, visit.recording, visit.late].map((e) => [e.id, e.type]));
    const listed = await eventIdsOf(id);
    expect(listed.filter((eventId) => !ARTIFACT_TYPES.includes(types.get(eventId)!))).toEqual(visit.events.map((e) => e.id));
    expect(listed.filter((eventId) => ARTIFACT_TYPES.includes(types.get(eventId)!)).sort()).toEqual(
      [visit.assistant.id, visit.recording.id].sort(),
    );
  });

  it("lists the events of a session cut from its room's log without reading or deriving the room's log", async () => {
    const id = await sessionIdIn("/studio-cut");
    const eventReads = vi.spyOn(server.testStore.store, "bodiesOfPartitions");
    try {
      expect(await eventIdsOf(id)).toHaveLength(cut.events.length + 2);
      expect(eventReads).not.toHaveBeenCalled();
    } finally {
      eventReads.mockRestore();
    }
  });

  it("has a session saved before its events and last event were kept derived again before it lists its events", async () => {
    const id = await sessionIdIn("/studio-cut");
    const { store } = server.testStore;
    const rows = await derivePartitionRows(store, [roomPartitionKey("/studio-cut")], { now: Date.now(), metadataSecrets: [] });
    const asBefore = rows.sessions.map((row) => {
      const { lastEventAt: _kept, ...summary } = JSON.parse(row.summary) as Record<string, unknown>;
      return { ...row, summary: JSON.stringify(summary), event_ids: null };
    });
    await store.replaceSessions({ ...rows, sessions: asBefore });
    expect((await store.getSession(id))?.eventIds).toBeNull();

    expect(await eventIdsOf(id)).toHaveLength(cut.events.length + 2);
    expect((await store.getSession(id))?.eventIds).toEqual(cut.events.map((e) => e.id));
  });
});
