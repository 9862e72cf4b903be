import { describe, expect, it } from "vitest";
import {
  ARTIFACT_GRACE_MS,
  ARTIFACT_TYPES,
  artifactWindow,
  deriveSessions,
  roomArtifactSpan,
  roomPartitionKey,
  sessionPartitionKey,
  storedArtifact,
  withRoomArtifacts,
  type Artifact,
  type SessionDetail,
} from "../../../src/attendance/index.js";
import { onlySession, options } from "./helpers.js";
import { MeetingLog } from "./meeting-log.js";

const day = "2026-03-02";
const at = (time: string) => `${day}T${time}.000Z`;

/** Two in the room 09:01–10:00, Whereby's end at 10:01, and the host lingering alone until 12:30. */
function lingering(roomSessionId: string | null): MeetingLog {
  return new MeetingLog({ roomName: "/studio-3", roomSessionId, day })
    .join("09:00:00", "p-host", { roleName: "host" })
    .join("09:01:00", "p-guest")
    .started("09:01:00")
    .leave("10:00:00", "p-guest")
    .ended("10:01:00")
    .leave("12:30:00", "p-host");
}

function artifact(eventId: string, type: string, time: string): Artifact {
  return { eventId, type, createdAt: at(time), data: {} };
}

const ended = { startedAt: at("09:01:00"), lastEventAt: at("12:30:00"), ongoing: false };

describe("ARTIFACT_TYPES", () => {
  it("lists every type event-kinds.ts counts as an artifact, an assistant request among them", () => {
    expect([...ARTIFACT_TYPES].sort()).toEqual([
      "assistant.requested",
      "recording.finished",
      "transcription.failed",
      "transcription.finished",
      "transcription.started",
    ]);
  });
});

describe("artifactWindow", () => {
  it("finds when the room's next session started, and whether the session was cut from its room's log", () => {
    const sessions = [
      { id: "early", startedAt: at("08:00:00") },
      { id: "same-time", startedAt: at("09:01:00") },
      { id: "late", startedAt: at("16:00:00") },
      { id: "next", startedAt: at("13:00:00") },
    ];
    expect(artifactWindow({ id: "rs-1", startedAt: at("09:01:00"), partitionKey: sessionPartitionKey("rs-1") }, sessions)).toEqual({
      nextStartedAt: Date.parse(at("13:00:00")),
      cutFromRoom: false,
    });
    expect(artifactWindow({ id: "derived-1", startedAt: at("16:00:00"), partitionKey: roomPartitionKey("/studio-3") }, sessions)).toEqual({
      nextStartedAt: null,
      cutFromRoom: true,
    });
  });
});

describe("roomArtifactSpan", () => {
  it("runs from the session's start to the grace after its last event, not after its end", () => {
    const session = onlySession(deriveSessions(lingering("rs-studio").events(), options));
    expect(session.endedAt).toBe(at("10:00:00"));
    expect(roomArtifactSpan(session, { nextStartedAt: null, cutFromRoom: false })).toEqual({
      from: at("09:01:00"),
      to: new Date(Date.parse(at("12:30:00")) + ARTIFACT_GRACE_MS).toISOString(),
    });
  });

  it("has no end while the session may go on", () => {
    expect(roomArtifactSpan({ ...ended, ongoing: true }, { nextStartedAt: null, cutFromRoom: false })).toEqual({
      from: at("09:01:00"),
      to: null,
    });
  });

  it("stops where the room's next session started, and is empty when that was at its own start", () => {
    const next = Date.parse(at("13:00:00"));
    expect(roomArtifactSpan(ended, { nextStartedAt: next, cutFromRoom: false })?.to).toBe(new Date(next - 1).toISOString());
    expect(roomArtifactSpan(ended, { nextStartedAt: Date.parse(ended.startedAt), cutFromRoom: false })).toBeNull();
  });

  it("holds exactly what the derivation gives a session cut from its room's log", () => {
    const log = lingering(null)
      .artifact("recording.finished", "14:29:59", { recordingId: "inside" }, false)
      .artifact("recording.finished", "14:30:01", { recordingId: "outside" }, false);
    const session = onlySession(deriveSessions(log.events(), options));
    const span = roomArtifactSpan(session, { nextStartedAt: null, cutFromRoom: true })!;
    const inSpan = log
      .events()
      .filter((event) => event.type === "recording.finished")
      .filter((event) => span.from <= event.createdAt && (span.to === null || event.createdAt <= span.to));
    expect(session.recordings.map((r) => r.data.recordingId)).toEqual(["inside"]);
    expect(inSpan.map((event) => event.data.recordingId)).toEqual(["inside"]);
  });
});

describe("withRoomArtifacts", () => {
  const saved = (recordings: Artifact[], transcriptions: Artifact[] = []) =>
    ({ ...ended, id: "s", recordings, transcriptions }) as unknown as SessionDetail;

  it("adds the room's artifacts the session lacks, an assistant request with the transcriptions", () => {
    const own = artifact("rec-own", "recording.finished", "09:30:00");
    const session = withRoomArtifacts(
      saved([own]),
      [own, artifact("rec-room", "recording.finished", "13:30:00"), artifact("ask", "assistant.requested", "09:40:00")],
      { nextStartedAt: null, cutFromRoom: false },
    );
    expect(session.recordings.map((a) => a.eventId)).toEqual(["rec-own", "rec-room"]);
    expect(session.transcriptions.map((a) => a.eventId)).toEqual(["ask"]);
  });

  it("takes from a session cut from its room's log what the room's next session made", () => {
    const before = artifact("rec-before", "recording.finished", "12:00:00");
    const after = artifact("rec-after", "recording.finished", "13:30:00");
    const window = { nextStartedAt: Date.parse(at("13:00:00")), cutFromRoom: true };
    expect(withRoomArtifacts(saved([before, after]), [], window).recordings).toEqual([before]);
    // A session Whereby named holds only what named it.
    expect(withRoomArtifacts(saved([before, after]), [], { ...window, cutFromRoom: false }).recordings).toEqual([before, after]);
  });

  it("answers the session itself when it has nothing to add or take", () => {
    const session = saved([artifact("rec", "recording.finished", "09:30:00")]);
    expect(withRoomArtifacts(session, [], { nextStartedAt: null, cutFromRoom: true })).toBe(session);
  });
});

describe("storedArtifact", () => {
  it("reads the artifact's data from the body as stored", () => {
    const body = Buffer.from(JSON.stringify({ id: "e-1", type: "recording.finished", data: { recordingId: "rec-1" } }));
    expect(storedArtifact({ id: "e-1", type: "recording.finished", createdAt: at("09:30:00"), body })).toEqual({
      eventId: "e-1",
      type: "recording.finished",
      createdAt: at("09:30:00"),
      data: { recordingId: "rec-1" },
    });
  });
});
