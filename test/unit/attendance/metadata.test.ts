import { describe, expect, it } from "vitest";
import { deriveSessions } from "../../../src/attendance/index.js";
import { signMetadata } from "../../../src/whereby/metadata.js";
import { metadataVectors, onlySession, options, person, vector } from "./helpers.js";
import { MeetingLog } from "./meeting-log.js";

/** One visit per metadata value, all on 2026-03-02, the day the vectors' signed links were issued (09:00 UTC). */
function visits(values: Record<string, string>, day = "2026-03-02"): MeetingLog {
  const log = new MeetingLog({ roomName: "/class-9", roomSessionId: "s-meta", day })
    .join("09:30:00", "p-teacher", { roleName: "host", externalId: "teacher-7" });
  let minute = 31;
  for (const [participantId, metadata] of Object.entries(values)) {
    log.join(`09:${minute}:00`, participantId, { metadata });
    minute += 1;
  }
  return log.started("09:31:01");
}

describe("signed metadata on persons", () => {
  it("verifies a genuine link, flags an expired one and keeps its subject, and reads a plain string as a subject", () => {
    const session = onlySession(
      deriveSessions(
        visits({
          "p-verified": vector("fresh signed link"),
          "p-expired": vector("signed 31 days ago with a 30-day limit"),
          "p-plain": vector("plain metadata without a signature"),
        }).events(),
        options,
      ),
    );
    expect(person(session, "metadata:student-2231")).toMatchObject({
      metadata: vector("fresh signed link"),
      metadataSubject: "student-2231",
      metadataVerified: true,
      metadataProblem: null,
    });
    expect(person(session, "metadata:patient-9f3a")).toMatchObject({
      metadataSubject: "patient-9f3a",
      metadataVerified: false,
      metadataProblem: "expired",
    });
    expect(person(session, "metadata:abcdef123456")).toMatchObject({
      metadataSubject: "abcdef123456",
      metadataVerified: null,
      metadataProblem: null,
    });
  });

  it("never merges a tampered subject into the real person's attendance", () => {
    const genuine = signMetadata({ subject: "student-2232", secret: metadataVectors.secret, issuedAt: 1772442000 });
    const session = onlySession(
      deriveSessions(
        visits({ "p-real": genuine, "p-forger": vector("subject edited after signing") }).events(),
        options,
      ),
    );
    expect(session.uniqueParticipants).toBe(3);
    const real = person(session, "metadata:student-2232");
    expect(real.metadataVerified).toBe(true);
    expect(real.connections.map((connection) => connection.participantId)).toEqual(["p-real"]);
    expect(person(session, "participant:p-forger")).toMatchObject({
      metadataSubject: "student-2232",
      metadataVerified: false,
      metadataProblem: "tampered",
    });
  });

  it("judges a link by its event's time, not by when figures are computed", () => {
    // issued 2026-01-30 09:00 UTC; 30 days later is 2026-03-01 09:00
    const expiring = vector("signed 31 days ago with a 30-day limit");
    const inFebruary = onlySession(deriveSessions(visits({ "p-1": expiring }, "2026-02-27").events(), options));
    expect(person(inFebruary, "metadata:patient-9f3a").metadataVerified).toBe(true);
    const muchLater = { ...options, now: Date.parse("2027-01-01T00:00:00Z") };
    const recomputed = onlySession(deriveSessions(visits({ "p-1": expiring }, "2026-02-27").events(), muchLater));
    expect(person(recomputed, "metadata:patient-9f3a")).toMatchObject({ metadataVerified: true, metadataProblem: null });
    const inMarch = onlySession(deriveSessions(visits({ "p-1": expiring }).events(), options));
    expect(person(inMarch, "metadata:patient-9f3a").metadataProblem).toBe("expired");
    const strictOptions = { ...options, metadataMaxAgeSeconds: 60 };
    const strict = onlySession(deriveSessions(visits({ "p-1": vector("fresh signed link") }).events(), strictOptions));
    // issued 09:00, the join at 09:31 is 31 minutes later
    expect(person(strict, "metadata:student-2231").metadataProblem).toBe("expired");
  });

  it("without a metadata secret keeps a signed-looking subject, neither verified nor flagged", () => {
    const unkeyed = { ...options, metadataSecrets: [] };
    const session = onlySession(deriveSessions(visits({ "p-forger": vector("subject edited after signing") }).events(), unkeyed));
    expect(person(session, "metadata:student-2232")).toMatchObject({
      metadataSubject: "student-2232",
      metadataVerified: null,
      metadataProblem: null,
    });
  });

  it("prefers externalId to metadata for the key, and keeps the metadata verdict on the person", () => {
    const log = visits({}).join("09:40:00", "p-both", {
      externalId: "student-9",
      metadata: vector("subject edited after signing"),
    });
    const both = person(onlySession(deriveSessions(log.events(), options)), "external:student-9");
    expect(both).toMatchObject({ metadataSubject: "student-2232", metadataProblem: "tampered" });
  });
});
