import { describe, expect, it } from "vitest";
import { verifyMetadata } from "../../../src/whereby/metadata.js";
import {
  buildParticipantLink,
  ParticipantLinkError,
  type ParticipantLinkOptions,
} from "../../../src/whereby/participant-link.js";

const secret = "meta_secret_for_tests_only";
const issuedAt = 1_772_442_000;
const base = { roomUrl: "https://example.whereby.com/math-101", subject: "student-2231", secret, issuedAt };

function parameters(link: string): URLSearchParams {
  return new URL(link).searchParams;
}

describe("buildParticipantLink", () => {
  it("adds the signed metadata that the fixtures' known answer gives", () => {
    const link = buildParticipantLink(base);
    expect(link).toBe(
      "https://example.whereby.com/math-101?metadata=student-2231%2C1772442000%2C0671660cf3227a72e6840cdbbcc4d5d4c746e14e0d25d35d1c403bc866a4e1c0",
    );
  });

  it("gives Whereby a metadata value that verifies as the subject", () => {
    const metadata = parameters(buildParticipantLink({ ...base, subject: "élève 7 & co" })).get("metadata") ?? "";
    expect(verifyMetadata(metadata, { secrets: [secret], now: issuedAt })).toEqual({
      status: "verified",
      subject: "élève 7 & co",
      issuedAt,
    });
  });

  it("URL-encodes the display name and external id, spaces as %20", () => {
    const link = buildParticipantLink({ ...base, displayName: "Zoë Łukasz & Ana (TA)", externalId: "Stu_2231-a" });
    expect(link).toContain("&displayName=Zo%C3%AB%20%C5%81ukasz%20%26%20Ana%20(TA)&externalId=Stu_2231-a");
    expect(parameters(link).get("displayName")).toBe("Zoë Łukasz & Ana (TA)");
    expect(parameters(link).get("externalId")).toBe("Stu_2231-a");
  });

  it("keeps the room URL's own parameters exactly as written, and its fragment", () => {
    const link = buildParticipantLink({ ...base, roomUrl: "https://example.whereby.com/math-101?roomKey=abc%2B1&embed&lang=fr#x" });
    expect(link.startsWith("https://example.whereby.com/math-101?roomKey=abc%2B1&embed&lang=fr&metadata=student-2231%2C")).toBe(true);
    expect(link.endsWith("#x")).toBe(true);
  });

  it("replaces a metadata, displayName or externalId already in the room URL", () => {
    const roomUrl = "https://example.whereby.com/math-101?metadata=forged&display%4Eame=Old&externalId=old&embed";
    const link = buildParticipantLink({ ...base, roomUrl, displayName: "New", externalId: "new" });
    const query = parameters(link);
    expect(query.getAll("metadata")).toHaveLength(1);
    expect(query.getAll("displayName")).toEqual(["New"]);
    expect(query.getAll("externalId")).toEqual(["new"]);
    expect(query.has("embed")).toBe(true);
  });

  it("signs with the current time by default", () => {
    const before = Math.floor(Date.now() / 1000);
    const { issuedAt: _, ...withoutTime } = base;
    const metadata = parameters(buildParticipantLink(withoutTime)).get("metadata") ?? "";
    const verdict = verifyMetadata(metadata, { secrets: [secret], now: before });
    expect(verdict.status).toBe("verified");
    expect("issuedAt" in verdict && verdict.issuedAt).toBeGreaterThanOrEqual(before);
  });

  it("accepts http for a room served on localhost", () => {
    expect(buildParticipantLink({ ...base, roomUrl: "http://localhost:3000/room" })).toMatch(/^http:\/\/localhost:3000\/room\?metadata=/);
    expect(buildParticipantLink({ ...base, roomUrl: "http://127.0.0.1/room" })).toMatch(/^http:\/\/127\.0\.0\.1\/room\?/);
  });

  it("accepts a display name of exactly 100 characters, counted as characters, not UTF-16 units", () => {
    expect(() => buildParticipantLink({ ...base, displayName: "é".repeat(100) })).not.toThrow();
    expect(() => buildParticipantLink({ ...base, displayName: "😀".repeat(100) })).not.toThrow();
  });

  it("accepts an external id of exactly 36 characters", () => {
    expect(() => buildParticipantLink({ ...base, externalId: "a".repeat(36) })).not.toThrow();
  });
});

describe("buildParticipantLink refuses what Whereby or the signature cannot take", () => {
  const refusals: [string, Partial<ParticipantLinkOptions>, string, RegExp][] = [
    ["a room URL that is not a URL", { roomUrl: "example.whereby.com/math-101" }, "roomUrl", /full room URL/],
    ["a plain http room URL", { roomUrl: "http://example.whereby.com/math-101" }, "roomUrl", /https/],
    ["another scheme", { roomUrl: "ftp://example.whereby.com/math-101" }, "roomUrl", /https/],
    ["a host that only starts with localhost", { roomUrl: "http://localhost.example.com/room" }, "roomUrl", /https/],
    ["an empty subject", { subject: "" }, "subject", /empty/],
    ["a blank subject", { subject: "  " }, "subject", /empty/],
    ["a subject with a comma", { subject: "doe,jane" }, "subject", /comma/],
    ["an empty secret", { secret: "" }, "secret", /empty/],
    ["a display name of 101 characters", { displayName: "a".repeat(101) }, "displayName", /at most 100 characters, got 101/],
    ["an empty display name", { displayName: "" }, "displayName", /empty/],
    ...[..."$!<>:;"].map((c): [string, Partial<ParticipantLinkOptions>, string, RegExp] => [
      `a display name with ${c}`,
      { displayName: `Ana ${c} B` },
      "displayName",
      /must not contain any of \$!<>:;/,
    ]),
    ["an external id of 37 characters", { externalId: "a".repeat(37) }, "externalId", /1 to 36/],
    ["an empty external id", { externalId: "" }, "externalId", /1 to 36/],
    ["an external id with a dot", { externalId: "stu.2231" }, "externalId", /letters, digits/],
    ["an external id with a non-ASCII letter", { externalId: "élève" }, "externalId", /letters, digits/],
    ["a fractional issue time", { issuedAt: 1.5 }, "issuedAt", /whole number/],
    ["a negative issue time", { issuedAt: -1 }, "issuedAt", /whole number/],
  ];
  for (const [name, change, parameter, message] of refusals) {
    it(`${name}: names ${parameter}`, () => {
      let thrown: unknown;
      try {
        buildParticipantLink({ ...base, ...change });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ParticipantLinkError);
      const error = thrown as ParticipantLinkError;
      expect(error.parameter).toBe(parameter);
      expect(error.message.startsWith(`${parameter} `)).toBe(true);
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/\.$/);
    });
  }
});
