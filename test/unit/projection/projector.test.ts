/** The projector on a real SQLite file: events appended to the log come out as saved sessions. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toIncomingEvent } from "../../../src/ingest/receive.js";
import { ParsedEvents } from "../../../src/projection/parsed-events.js";
import { derivePartitionRows, derivePartitions, ongoingPartitionKeys, Projector } from "../../../src/projection/projector.js";
import type { EventStore } from "../../../src/store/event-store.js";
import { parseEvent } from "../../../src/whereby/events.js";
import { clientData, wherebyEvent } from "../../helpers/events.js";
import { incomingEvent, openTestStore, type TestStore } from "../../helpers/stores.js";

const MINUTE = 60_000;
/** An hour ago: sessions since are ongoing, as no silence of 12 hours has ended them. */
const T0 = Math.floor((Date.now() - 60 * MINUTE) / MINUTE) * MINUTE;
const NOW = T0 + 60 * MINUTE;
const room = { roomName: "/math-101", meetingId: "1", roomSessionId: "rs-1", subdomain: "school" };
const KEY = "session:rs-1";

/** Appends Whereby bodies to the log as the receiver would, each received when it was created. */
async function append(store: EventStore, ...bodies: ReturnType<typeof wherebyEvent>[]): Promise<void> {
  await store.append(
    bodies.map((body) => {
      const parsed = parseEvent(body);
      if (!parsed.ok) throw new Error(parsed.message);
      return toIncomingEvent(parsed.event, { receivedAt: body.createdAt, channel: null, body: Buffer.from(JSON.stringify(body)) });
    }),
  );
}

const joined = (id: string, at: number, participant: string, count: number) =>
  wherebyEvent(id, "room.client.joined", at, { ...room, ...clientData(participant, participant, "visitor", count) });
const left = (id: string, at: number, participant: string, count: number) =>
  wherebyEvent(id, "room.client.left", at, { ...room, ...clientData(participant, participant, "visitor", count) });

describe("Projector", () => {
  let testStore: TestStore;
  let store: EventStore;

  beforeEach(async () => {
    testStore = await openTestStore("sqlite");
    store = testStore.store;
  });
  afterEach(async () => {
    await testStore.cleanup();
  });

  it("saves the sessions of the partitions marked dirty once idle resolves", async () => {
    await append(store, joined("e-1", T0, "ana", 1), joined("e-2", T0 + MINUTE, "ben", 2), left("e-3", T0 + 3 * MINUTE, "ben", 1));
    const projector = new Projector(store, { metadataSecrets: [] }, { delayMs: 10_000 });
    projector.markDirty([KEY, null]);
    await projector.idle();
    const saved = await store.getSession("rs-1");
    expect(saved?.summary).toMatchObject({ id: "rs-1", roomName: "/math-101", ongoing: true, uniqueParticipants: 2, peakParticipants: 2 });
    expect(await ongoingPartitionKeys(store)).toEqual([KEY]);
  });

  it("saves a session ended once the partition is derived again after it ends", async () => {
    await append(store, joined("e-1", T0, "ana", 1));
    const projector = new Projector(store, { metadataSecrets: [] });
    await projector.project([KEY], NOW);
    expect((await store.getSession("rs-1"))?.summary.ongoing).toBe(true);
    await append(store, left("e-2", T0 + 5 * MINUTE, "ana", 0), wherebyEvent("e-3", "room.session.ended", T0 + 5 * MINUTE, room));
    projector.markDirty([KEY]);
    await projector.idle();
    expect((await store.getSession("rs-1"))?.summary).toMatchObject({ ongoing: false, endedAt: new Date(T0 + 5 * MINUTE).toISOString() });
    expect(await ongoingPartitionKeys(store)).toEqual([]);
  });

  it("resolves idle with nothing marked, and tells a failed derivation without losing later ones", async () => {
    const failures: (readonly string[])[] = [];
    let failing = true;
    const projector = new Projector(
      store,
      { metadataSecrets: [] },
      {
        delayMs: 0,
        derive: async (keys, now) => {
          if (failing) throw new Error("derivation failed");
          return derivePartitionRows(store, keys, { metadataSecrets: [], now });
        },
        onError: (_error, keys) => failures.push(keys),
      },
    );
    await projector.idle();
    await append(store, joined("e-1", T0, "ana", 1));
    projector.markDirty([KEY]);
    await projector.idle();
    expect(failures).toEqual([[KEY]]);
    expect(await store.getSession("rs-1")).toBeNull();
    failing = false;
    projector.markDirty([KEY]);
    await projector.idle();
    expect((await store.getSession("rs-1"))?.summary.id).toBe("rs-1");
  });
});

describe("derivePartitions", () => {
  let testStore: TestStore;
  let store: EventStore;

  beforeEach(async () => {
    testStore = await openTestStore("sqlite");
    store = testStore.store;
  });
  afterEach(async () => {
    await testStore.cleanup();
  });

  it("derives the same sessions from kept parsed events as afresh, parsing each stored body once", async () => {
    const parsed = new ParsedEvents();
    const options = { metadataSecrets: [], now: NOW };
    await append(store, joined("e-1", T0, "ana", 1), joined("e-2", T0 + MINUTE, "ben", 2));
    const first = await derivePartitions(store, [KEY], options, parsed);
    expect(first).toEqual(await derivePartitions(store, [KEY], options));
    expect(parsed.count).toBe(2);

    await append(store, left("e-3", T0 + 2 * MINUTE, "ben", 1), left("e-4", T0 + 4 * MINUTE, "ana", 0));
    const again = await derivePartitions(store, [KEY], options, parsed);
    expect(again).toEqual(await derivePartitions(store, [KEY], options));
    expect(again[0]).toMatchObject({ partitionKey: KEY, events: 4 });
    expect(again[0]!.sessions[0]!.participants.map((p) => p.key).sort()).toEqual(["participant:ana", "participant:ben"]);
    // Only the two new bodies were parsed for the second derivation.
    expect(parsed.count).toBe(4);
  });

  it("leaves out a stored body that no longer parses, and answers a partition without events with none", async () => {
    await append(store, joined("e-1", T0, "ana", 1));
    await store.append([incomingEvent("broken", { partitionKey: KEY, body: Buffer.from("{not json") })]);
    const [derived, empty] = await derivePartitions(store, [KEY, "session:none"], { metadataSecrets: [], now: NOW }, new ParsedEvents());
    expect(derived).toMatchObject({ partitionKey: KEY, events: 2 });
    expect(derived!.sessions).toHaveLength(1);
    expect(empty).toEqual({ partitionKey: "session:none", throughSeq: 0, events: 0, sessions: [] });
  });
});

describe("ParsedEvents", () => {
  const row = (seq: number, id: string) => ({ seq, body: JSON.stringify(joined(id, T0 + seq, "ana", 1)) });

  it("keeps at most its capacity once trimmed, letting the partition used longest ago go first", () => {
    const parsed = new ParsedEvents(3);
    const a = parsed.parserOf("session:a");
    expect(a(row(1, "a-1"))?.id).toBe("a-1");
    expect(a(row(2, "a-2"))?.id).toBe("a-2");
    const b = parsed.parserOf("session:b");
    b(row(3, "b-1"));
    b(row(4, "b-2"));
    parsed.trim();
    expect(parsed.count).toBe(2);
    // session:a was let go: its bodies are parsed again.
    parsed.parserOf("session:a")(row(1, "a-1"));
    expect(parsed.count).toBe(3);
  });

  it("keeps the partition used last even when it alone holds more than its capacity", () => {
    const parsed = new ParsedEvents(1);
    const a = parsed.parserOf("session:a");
    for (let seq = 1; seq <= 3; seq += 1) a(row(seq, `a-${seq}`));
    parsed.trim();
    expect(parsed.count).toBe(3);
  });

  it("answers null for a body that is not an event, and keeps that answer", () => {
    const parsed = new ParsedEvents();
    const parse = parsed.parserOf("session:a");
    expect(parse({ seq: 1, body: "[]" })).toBeNull();
    expect(parse({ seq: 1, body: "[]" })).toBeNull();
    expect(parsed.count).toBe(1);
  });
});
