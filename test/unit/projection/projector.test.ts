/** The projector on a real SQLite file: events appended to the log come out as saved sessions. */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { foldSessions, partitionKeyOf, SessionFold } from "../../../src/attendance/index.js";
import { toIncomingEvent } from "../../../src/ingest/receive.js";
import { PartitionStates } from "../../../src/projection/partition-states.js";
import { derivePartitionRows, derivePartitions, ongoingPartitionKeys, Projector } from "../../../src/projection/projector.js";
import type { EventStore } from "../../../src/store/event-store.js";
import { parseEvent } from "../../../src/whereby/events.js";
import { clientData, wherebyEvent } from "../../helpers/events.js";
import { incomingEvent, openTestStore, type TestStore } from "../../helpers/stores.js";
import { deliveries, meetings } from "../attendance/arbitraries.js";
import { metadataVectors, NOON } from "../attendance/helpers.js";

const MINUTE = 60_000;
/** An hour ago: sessions since are ongoing, as no silence of 12 hours has ended them. */
const T0 = Math.floor((Date.now() - 60 * MINUTE) / MINUTE) * MINUTE;
const NOW = T0 + 60 * MINUTE;
const room = { roomName: "/math-101", meetingId: "1", roomSessionId: "rs-1", subdomain: "school" };
const KEY = "session:rs-1";

/** Appends Whereby bodies to the log as the receiver would, each received when it was created. */
async function append(store: EventStore, ...bodies: ReturnType<typeof wherebyEvent>[]): Promise<void> {
  await appendEvents(store, bodies);
}

async function appendEvents(store: EventStore, bodies: readonly object[]): Promise<void> {
  await store.append(
    bodies.map((body) => {
      const parsed = parseEvent(body);
      if (!parsed.ok) throw new Error(parsed.message);
      return toIncomingEvent(parsed.event, { receivedAt: parsed.event.createdAt, channel: null, body: Buffer.from(JSON.stringify(body)) });
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

  it("derives the same sessions from kept states as afresh, reading and parsing only what was stored since", async () => {
    const states = new PartitionStates();
    const options = { metadataSecrets: [], now: NOW };
    await append(store, joined("e-1", T0, "ana", 1), joined("e-2", T0 + MINUTE, "ben", 2));
    const first = await derivePartitions(store, [KEY], options, states);
    expect(first).toEqual(await derivePartitions(store, [KEY], options));
    expect(states.count).toBe(2);

    await append(store, left("e-3", T0 + 2 * MINUTE, "ben", 1), left("e-4", T0 + 4 * MINUTE, "ana", 0));
    const extend = vi.spyOn(SessionFold.prototype, "extend");
    const again = await derivePartitions(store, [KEY], options, states);
    expect(again).toEqual(await derivePartitions(store, [KEY], options));
    expect(again[0]).toMatchObject({ partitionKey: KEY, events: 4 });
    expect(again[0]!.sessions[0]!.participants.map((p) => p.key).sort()).toEqual(["participant:ana", "participant:ben"]);
    // The two new events were folded into the session kept, not derived with the others again.
    expect(extend.mock.results.map((r) => r.value)).toEqual([true, true]);
    expect(states.count).toBe(4);

    // An event earlier than what the session had: derived whole, with the same figures.
    await append(store, joined("e-0", T0 - MINUTE, "cy", 1));
    expect(await derivePartitions(store, [KEY], options, states)).toEqual(await derivePartitions(store, [KEY], options));
    extend.mockRestore();
  });

  it("reads a partition whole when an event was committed below the place it last read", async () => {
    const states = new PartitionStates();
    const options = { metadataSecrets: [], now: NOW };
    await append(store, joined("e-1", T0, "ana", 1), joined("e-2", T0 + MINUTE, "ben", 2), left("e-3", T0 + 2 * MINUTE, "ben", 1));
    await derivePartitions(store, [KEY], options, states);
    // As though e-2's transaction had committed after the derivation read e-3: the state lacks it.
    const state = states.take(KEY)!;
    states.keep(KEY, {
      ...state,
      rows: 2,
      events: state.events.filter((event) => event.id !== "e-2"),
      receivedAt: new Map([...state.receivedAt].filter(([id]) => id !== "e-2")),
      fold: foldSessions(
        state.events.filter((event) => event.id !== "e-2"),
        options,
      )[0]!,
    });
    await append(store, left("e-4", T0 + 4 * MINUTE, "ana", 0));
    const derived = await derivePartitions(store, [KEY], options, states);
    expect(derived).toEqual(await derivePartitions(store, [KEY], options));
    expect(derived[0]!.sessions[0]!.participants.map((p) => p.key).sort()).toEqual(["participant:ana", "participant:ben"]);
  });

  it("gives every field the same, folded forward or derived whole, for random traffic arriving in batches", async () => {
    const options = { metadataSecrets: [metadataVectors.secret], now: NOON };
    const extend = vi.spyOn(SessionFold.prototype, "extend");
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        meetings.chain((events) =>
          fc.tuple(
            // Mostly as Whereby sends them, in order; else shuffled and repeated, as retries deliver them.
            fc.oneof({ weight: 3, arbitrary: fc.constant(events) }, { weight: 1, arbitrary: deliveries(events) }),
            fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 20 }),
          ),
        ),
        async ([arrived, sizes]) => {
          run += 1;
          // Each run its own session and room, in the one store.
          const ofRun = arrived.map((event) => {
            const copy = structuredClone(event);
            copy.id = `${run}-${copy.id}`;
            const data = copy.data as Record<string, unknown>;
            if (typeof data.roomSessionId === "string") data.roomSessionId = `${data.roomSessionId}-${run}`;
            data.roomName = `/random-room-${run}`;
            return copy;
          });
          const key = partitionKeyOf(ofRun[0]!)!;
          const states = new PartitionStates();
          for (let i = 0, b = 0; i < ofRun.length; b += 1) {
            const batch = ofRun.slice(i, i + sizes[b % sizes.length]!);
            i += batch.length;
            await appendEvents(store, batch);
            const kept = await derivePartitions(store, [key], options, states);
            expect(kept).toEqual(await derivePartitions(store, [key], options));
          }
        },
      ),
      { numRuns: 300 },
    );
    // The property held where the fold went forward, not only where everything was derived whole.
    const folded = extend.mock.results.filter((r) => r.value === true).length;
    console.log(`${folded} of ${extend.mock.results.length} events were folded forward`);
    expect(folded).toBeGreaterThan(100);
    extend.mockRestore();
  });

  it("leaves out a stored body that no longer parses, and answers a partition without events with none", async () => {
    await append(store, joined("e-1", T0, "ana", 1));
    await store.append([incomingEvent("broken", { partitionKey: KEY, body: Buffer.from("{not json") })]);
    const [derived, empty] = await derivePartitions(store, [KEY, "session:none"], { metadataSecrets: [], now: NOW }, new PartitionStates());
    expect(derived).toMatchObject({ partitionKey: KEY, events: 2 });
    expect(derived!.sessions).toHaveLength(1);
    expect(empty).toEqual({ partitionKey: "session:none", throughSeq: 0, events: 0, sessions: [] });
  });
});

describe("PartitionStates", () => {
  const state = (count: number) => ({
    throughSeq: count,
    rows: count,
    events: Array.from({ length: count }, (_, n) => parseEvent(joined(`e-${n}`, T0 + n, "ana", 1)) as never),
    receivedAt: new Map(),
    fold: null,
  });

  it("keeps at most its capacity once trimmed, letting the partition used longest ago go first", () => {
    const states = new PartitionStates(3);
    states.keep("session:a", state(2));
    states.keep("session:b", state(2));
    states.trim();
    expect(states.count).toBe(2);
    expect(states.take("session:a")).toBeUndefined();
    expect(states.take("session:b")?.rows).toBe(2);
    expect(states.count).toBe(0);
  });

  it("keeps the partition used last even when it alone holds more than its capacity", () => {
    const states = new PartitionStates(1);
    states.keep("session:a", state(3));
    states.trim();
    expect(states.count).toBe(3);
  });
});
