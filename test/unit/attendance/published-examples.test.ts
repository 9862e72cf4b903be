/**
 * Whereby's own published `room.client.joined` examples carry no participantId (nor roomSessionId nor isDialIn):
 * they count, keyed by role and name within their session, and flagged so; an event that names nobody does not, and
 * says why.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { deriveSessions, readEvent } from "../../../src/attendance/index.js";
import { parseEvent, type WherebyEvent } from "../../../src/whereby/events.js";
import { REPO_ROOT } from "../../helpers/repo.js";
import { onlySession, options } from "./helpers.js";

const dir = path.join(REPO_ROOT, "test/fixtures/whereby-published");
const examples = readdirSync(dir)
  .filter((file) => file.endsWith(".json"))
  .map((file) => [file, JSON.parse(readFileSync(path.join(dir, file), "utf8")) as Record<string, unknown>] as const);

function parsed(body: unknown): WherebyEvent {
  const result = parseEvent(body);
  if (!result.ok) throw new Error(result.message);
  return result.event;
}

/** The example's leave ten minutes later, as Whereby would send it: the same participant, one client fewer. */
function leaveOf(example: Record<string, unknown>): Record<string, unknown> {
  const data = example.data as Record<string, unknown>;
  return {
    ...example,
    id: `${String(example.id)}-left`,
    type: "room.client.left",
    createdAt: "2021-01-21T16:39:59.681Z",
    data: { ...data, numClients: 7 },
  };
}

describe("Whereby's published examples", () => {
  it("are every version there was, none with a participantId", () => {
    expect(examples.map(([file]) => file)).toEqual([
      "room.client.joined.2022-04-01.json",
      "room.client.joined.2022-11-15.json",
      "room.client.joined.2023-08-22.json",
      "room.client.joined.2023-12-07.json",
      "room.client.joined.2025-12-12.json",
    ]);
    for (const [, example] of examples) expect((example.data as object)).not.toHaveProperty("participantId");
  });

  it.each(examples)("%s counts: a join and its leave make a connection of 10 minutes", (_file, example) => {
    const events = [parsed(example), parsed(leaveOf(example))];
    const session = onlySession(deriveSessions(events, options));
    expect(session).toMatchObject({
      roomName: "/af0b7b66-c738-4981-887a-ad416754f32d",
      meetingId: "134",
      uniqueParticipants: 1,
      peakParticipants: 8,
      participantSeconds: 600,
      billableParticipantMinutes: 10,
    });
    const [host] = session.participants;
    expect(host?.roleName).toBe("host");
    expect(host?.connections).toEqual([
      {
        participantId: expect.stringMatching(/^inferred:host:/),
        joinedAt: "2021-01-21T16:29:59.681Z",
        leftAt: "2021-01-21T16:39:59.681Z",
        joinInferred: false,
        leftInferred: false,
        participantIdInferred: true,
      },
    ]);
    expect(readEvent(events[0]!, {})).toMatchObject({ usable: true, timed: { participantIdInferred: true } });
  });

  it("keys the person by externalId, metadata or display name, whichever the version has", () => {
    const keys = examples.map(([, example]) => onlySession(deriveSessions([parsed(example)], options)).participants[0]?.key);
    expect(keys).toEqual([
      "metadata:<custom-metadata>",
      "metadata:<custom-metadata>",
      "metadata:<custom-metadata>",
      "external:<custom-id>",
      "external:<custom-id>",
    ]);
  });

  it("pairs two people of one role by their names, and never with each other", () => {
    const [, example] = examples[2]!;
    const data = example.data as Record<string, unknown>;
    const joe = parsed(example);
    const ann = parsed({ ...example, id: "ann-joined", createdAt: "2021-01-21T16:31:00.000Z", data: { ...data, displayName: "Ann", metadata: null } });
    const joeLeft = parsed(leaveOf(example));
    const session = onlySession(deriveSessions([joe, ann, joeLeft], { ...options, now: Date.parse("2021-01-21T16:45:00.000Z") }));
    expect(session.participants.map((p) => [p.key, p.connections[0]?.leftAt])).toEqual([
      ["metadata:<custom-metadata>", "2021-01-21T16:39:59.681Z"],
      ["participant:inferred:host:Ann", null],
    ]);
  });

  it("leaves out, and says why, a join that names nobody, a type of unknown part, a shape it cannot read, and one of no room", () => {
    const [, example] = examples[0]!;
    const data = example.data as Record<string, unknown>;
    const nobody = parsed({ ...example, data: { ...data, metadata: null } });
    expect(deriveSessions([nobody], options)).toEqual([]);
    expect(readEvent(nobody, {})).toMatchObject({ usable: false, reason: "no_participant" });
    expect(readEvent(parsed({ ...example, type: "room.client.waved" }), {})).toMatchObject({ usable: false, reason: "unknown_type" });
    const badCount = parsed({ ...example, data: { ...data, participantId: "p-1", numClients: "eight" } });
    expect(readEvent(badCount, {})).toMatchObject({ usable: false, reason: "unexpected_shape" });
    const noRoom = parsed({ ...example, data: { participantId: "p-1", roleName: "host" } });
    expect(readEvent(noRoom, {})).toMatchObject({ usable: false, reason: "no_room" });
  });
});
