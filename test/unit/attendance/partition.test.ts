import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  deriveSessions,
  partitionKeyOf,
  partitionKeyOfSession,
  roomPartitionKey,
  sessionPartitionKey,
} from "../../../src/attendance/index.js";
import { parseEvent, type WherebyEvent } from "../../../src/whereby/events.js";
import { options, sharedFixtures } from "./helpers.js";
import { MeetingLog } from "./meeting-log.js";

function fixture(type: string): WherebyEvent {
  const parsed = parseEvent(JSON.parse(readFileSync(path.join(sharedFixtures, "events", `${type}.json`), "utf8")));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.event;
}

function event(type: string, data: Record<string, unknown>): WherebyEvent {
  const parsed = parseEvent({ id: `e-${type}`, type, createdAt: "2026-03-02T09:00:00.000Z", data });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.event;
}

describe("partitionKeyOf", () => {
  it("names the session when Whereby gave one", () => {
    expect(partitionKeyOf(fixture("room.client.joined"))).toBe("session:3c1f6a2e-8f0b-4d1e-9d6a-2f3b5c7e9a10");
    expect(partitionKeyOf(fixture("transcription.finished"))).toBe("session:3c1f6a2e-8f0b-4d1e-9d6a-2f3b5c7e9a10");
  });

  it("falls back to the room when the session id is missing, null or empty", () => {
    const room = "room:/math-101-87e0497f-40e0-47f1-9a27-fb72fdbc1fda";
    expect(partitionKeyOf(fixture("recording.finished"))).toBe(room);
    expect(partitionKeyOf(event("room.session.started", { roomName: "/yoga", roomSessionId: null }))).toBe("room:/yoga");
    expect(partitionKeyOf(event("room.session.started", { roomName: "/yoga", roomSessionId: "" }))).toBe("room:/yoga");
  });

  it("reads unknown event types the same way, and gives null to an event of no room", () => {
    expect(partitionKeyOf(event("room.client.raisedHand", { roomName: "/yoga", roomSessionId: "s-9" }))).toBe("session:s-9");
    expect(partitionKeyOf(event("account.updated", { plan: "pro" }))).toBeNull();
    expect(partitionKeyOf(event("room.session.started", {}))).toBeNull();
  });
});

describe("partitionKeyOfSession", () => {
  it("gives the partition each derived session came from, named by Whereby or cut from its room's log", () => {
    for (const roomSessionId of ["s-named", null]) {
      const log = new MeetingLog({ roomName: "/yoga-1", roomSessionId, day: "2026-03-02" })
        .join("09:00:00", "p-1")
        .join("09:01:00", "p-2")
        .started("09:01:00");
      const events = log.events();
      const [session] = deriveSessions(events, options);
      expect(partitionKeyOfSession(session!)).toBe(partitionKeyOf(events[0]!));
    }
  });
});

describe("sessionPartitionKey and roomPartitionKey", () => {
  it("write the keys partitionKeyOf gives an event of that session or that room", () => {
    expect(sessionPartitionKey("s-9")).toBe(partitionKeyOf(event("room.session.started", { roomName: "/yoga", roomSessionId: "s-9" })));
    expect(roomPartitionKey("/yoga")).toBe(partitionKeyOf(event("room.session.started", { roomName: "/yoga", roomSessionId: null })));
  });
});
