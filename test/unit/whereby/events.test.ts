import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES, isKnownEvent, parseEvent } from "../../../src/whereby/events.js";
import { FIXTURES } from "../../helpers/fixtures.js";

const eventsFolder = path.join(FIXTURES, "events");
const fixtureFiles = readdirSync(eventsFolder).filter((name) => name.endsWith(".json"));

const envelope = { apiVersion: "1.0", id: "evt-1", createdAt: "2026-03-02T09:00:04.120Z" };
const joinedData = { roomName: "/math-101", roomSessionId: "s-1", participantId: "p-1", numClients: 1 };

function parsed(value: unknown) {
  const result = parseEvent(value);
  if (!result.ok) throw new Error(`expected an event, got invalid_event: ${result.message}`);
  return result.event;
}

describe("parseEvent on every documented example", () => {
  it("has one example per documented type", () => {
    expect(fixtureFiles.map((name) => name.replace(/\.json$/, "")).sort()).toEqual([...EVENT_TYPES].sort());
  });

  for (const file of fixtureFiles) {
    it(`parses ${file} as its known type`, () => {
      const body: unknown = JSON.parse(readFileSync(path.join(eventsFolder, file), "utf8"));
      const event = parsed(body);
      expect(event.type).toBe(file.replace(/\.json$/, ""));
      expect(isKnownEvent(event)).toBe(true);
      expect(event).not.toHaveProperty("unrecognised");
    });
  }
});

describe("parseEvent keeps what it does not understand", () => {
  it("an unknown type is a generic event with its data", () => {
    const event = parsed({ ...envelope, type: "room.client.raisedHand", data: { participantId: "p-1" } });
    expect(event).toMatchObject({ type: "room.client.raisedHand", unrecognised: true, data: { participantId: "p-1" } });
    expect(isKnownEvent(event)).toBe(false);
  });

  it("a known type whose data has the wrong shape is generic", () => {
    const event = parsed({ ...envelope, type: "room.client.joined", data: { ...joinedData, numClients: "two" } });
    expect(event).toMatchObject({ type: "room.client.joined", unrecognised: true });
  });

  it("a join without a participantId is generic", () => {
    const { participantId: _, ...withoutParticipant } = joinedData;
    expect(parsed({ ...envelope, type: "room.client.joined", data: withoutParticipant })).toHaveProperty("unrecognised", true);
  });

  it("a known type whose data is not an object is generic, not an empty known event", () => {
    const event = parsed({ ...envelope, type: "room.session.started", data: "s-1" });
    expect(event).toMatchObject({ type: "room.session.started", unrecognised: true });
  });

  it("a known type without data at all is still known when its schema needs nothing", () => {
    expect(isKnownEvent(parsed({ ...envelope, type: "room.session.ended" }))).toBe(true);
  });

  it("unknown fields in the envelope and in data are kept", () => {
    const event = parsed({ ...envelope, type: "room.client.joined", region: "eu", data: { ...joinedData, tier: 2 } });
    expect(event).toMatchObject({ region: "eu", data: { tier: 2 } });
  });

  it("null where a string is usual is accepted", () => {
    const data = { ...joinedData, metadata: null, externalId: null, roomSessionId: null, displayName: null };
    expect(isKnownEvent(parsed({ ...envelope, type: "room.client.joined", data }))).toBe(true);
  });

  it("an apiVersion that is not a string does not make the event unusable", () => {
    const event = parsed({ ...envelope, apiVersion: 1, type: "room.client.joined", data: joinedData });
    expect(event).toMatchObject({ id: "evt-1", type: "room.client.joined" });
  });

  it("an id of exactly 256 characters is accepted", () => {
    expect(parsed({ ...envelope, id: "x".repeat(256), type: "room.session.ended" }).id).toHaveLength(256);
  });
});

describe("parseEvent refuses what is not an event", () => {
  const cases: [string, unknown][] = [
    ["missing id", { createdAt: envelope.createdAt, type: "room.session.ended" }],
    ["empty id", { ...envelope, id: "", type: "room.session.ended" }],
    ["id over 256 characters", { ...envelope, id: "x".repeat(257), type: "room.session.ended" }],
    ["numeric id", { ...envelope, id: 42, type: "room.session.ended" }],
    ["missing type", { ...envelope }],
    ["non-string type", { ...envelope, type: 7 }],
    ["missing createdAt", { id: "evt-1", type: "room.session.ended" }],
    ["unparseable createdAt", { ...envelope, createdAt: "not a date", type: "room.session.ended" }],
    ["numeric createdAt", { ...envelope, createdAt: 1772442000, type: "room.session.ended" }],
    ["an array", [{ ...envelope, type: "room.session.ended" }]],
    ["null", null],
    ["a string", "room.session.ended"],
    ["a number", 42],
  ];
  for (const [name, value] of cases) {
    it(`${name} is invalid_event`, () => {
      const result = parseEvent(value);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.code).toBe("invalid_event");
        expect(result.message).not.toBe("");
      }
    });
  }
});
