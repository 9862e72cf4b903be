import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { signMetadata, verifyMetadata } from "../../../src/whereby/metadata.js";
import { FIXTURES } from "../../helpers/fixtures.js";

interface MetadataVector {
  name: string;
  metadata: string;
  now: number;
  expect: "verified" | "tampered" | "expired" | "unsigned";
  subject: string;
}

const fixtures = FIXTURES;
const vectors = JSON.parse(readFileSync(path.join(fixtures, "metadata-vectors.json"), "utf8")) as {
  secret: string;
  max_age_seconds: number;
  cases: MetadataVector[];
};

describe("metadata-vectors.json", () => {
  for (const vector of vectors.cases) {
    it(vector.name, () => {
      const result = verifyMetadata(vector.metadata, {
        secrets: [vectors.secret],
        maxAgeSeconds: vectors.max_age_seconds,
        now: vector.now,
      });
      expect(result.status).toBe(vector.expect);
      expect(result.subject).toBe(vector.subject);
    });
  }
});

describe("signMetadata and verifyMetadata", () => {
  const secret = "meta_secret_for_tests_only";
  const issuedAt = 1_772_442_000;

  it("signs what an independent signer computes over the subject's UTF-8 bytes", () => {
    const mac = createHmac("sha256", secret).update(Buffer.from(`élève-7,${issuedAt}`, "utf8")).digest("hex");
    expect(signMetadata({ subject: "élève-7", secret, issuedAt })).toBe(`élève-7,${issuedAt},${mac}`);
  });

  it("round-trips with the issue time", () => {
    const value = signMetadata({ subject: "patient-9f3a", secret, issuedAt });
    expect(verifyMetadata(value, { secrets: [secret], now: issuedAt + 60 })).toEqual({
      status: "verified",
      subject: "patient-9f3a",
      issuedAt,
    });
  });

  it("measures the age against the current time when no clock is given", () => {
    const old = signMetadata({ subject: "student-1", secret, issuedAt: Math.floor(Date.now() / 1000) - 120 });
    expect(verifyMetadata(old, { secrets: [secret], maxAgeSeconds: 60 }).status).toBe("expired");
    expect(verifyMetadata(old, { secrets: [secret], maxAgeSeconds: 600 }).status).toBe("verified");
  });

  it("accepts a link signed with the previous secret while both are configured", () => {
    const value = signMetadata({ subject: "student-1", secret: "previous", issuedAt });
    expect(verifyMetadata(value, { secrets: [secret, "previous"], now: issuedAt }).status).toBe("verified");
    expect(verifyMetadata(value, { secrets: [secret], now: issuedAt }).status).toBe("tampered");
  });

  it("a value signed for another subject keeps the claimed subject and is tampered", () => {
    const genuine = signMetadata({ subject: "student-1", secret, issuedAt });
    const edited = genuine.replace("student-1", "student-2");
    expect(verifyMetadata(edited, { secrets: [secret], now: issuedAt })).toMatchObject({
      status: "tampered",
      subject: "student-2",
    });
  });

  it("is verified at exactly the maximum age and expired one second later", () => {
    const value = signMetadata({ subject: "student-1", secret, issuedAt });
    expect(verifyMetadata(value, { secrets: [secret], maxAgeSeconds: 3600, now: issuedAt + 3600 }).status).toBe("verified");
    expect(verifyMetadata(value, { secrets: [secret], maxAgeSeconds: 3600, now: issuedAt + 3601 }).status).toBe("expired");
  });

  it("a tampered value is reported as tampered even when it is also old", () => {
    const value = signMetadata({ subject: "student-1", secret: "someone-else", issuedAt });
    expect(verifyMetadata(value, { secrets: [secret], now: issuedAt + 10 ** 8 }).status).toBe("tampered");
  });

  it("without any secret a signed-looking value cannot be trusted", () => {
    const value = signMetadata({ subject: "student-1", secret, issuedAt });
    expect(verifyMetadata(value, { secrets: [], now: issuedAt }).status).toBe("tampered");
  });

  for (const plain of ["student-1", "", "a,b", "student-1,1772442000", "student-1,1772442000,abc", "x,y,1772442000," + "0".repeat(64)]) {
    it(`"${plain}" is an unsigned subject, kept whole`, () => {
      expect(verifyMetadata(plain, { secrets: [secret], now: issuedAt })).toEqual({ status: "unsigned", subject: plain });
    });
  }

  it("refuses to sign a subject with a comma, which could not be read back", () => {
    expect(() => signMetadata({ subject: "a,b", secret, issuedAt })).toThrow(/comma/);
  });
});
