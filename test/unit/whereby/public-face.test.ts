import { describe, expect, it } from "vitest";
import * as meetmeter from "../../../src/index.js";

describe("the library's public face", () => {
  it("exports what an app needs to receive webhooks and issue signed links", () => {
    for (const name of [
      "parseEvent",
      "isKnownEvent",
      "verifyWherebySignature",
      "signWherebyPayload",
      "parseSignatureHeader",
      "handleWherebyWebhook",
      "signMetadata",
      "verifyMetadata",
      "buildParticipantLink",
    ] as const) {
      expect(typeof meetmeter[name], name).toBe("function");
    }
    expect(new meetmeter.WebhookError("invalid_json", "x").status).toBe(400);
    expect(meetmeter.EVENT_TYPES).toHaveLength(11);
  });

  it("works end to end: a signed link's subject comes back verified from a signed delivery", () => {
    const link = meetmeter.buildParticipantLink({
      roomUrl: "https://example.whereby.com/math-101",
      subject: "student-2231",
      secret: "meta",
      issuedAt: 1_772_442_000,
    });
    const metadata = new URL(link).searchParams.get("metadata");
    const body = JSON.stringify({
      id: "evt-1",
      createdAt: "2026-03-02T09:00:04.120Z",
      type: "room.client.joined",
      data: { participantId: "p-1", metadata },
    });
    const header = meetmeter.signWherebyPayload({ body, secret: "whsec", timestamp: 1_772_442_004 });
    const verdict = meetmeter.handleWherebyWebhook({
      body,
      headers: { "whereby-signature": header },
      secrets: ["whsec"],
      now: 1_772_442_005,
    });
    if (!verdict.ok || verdict.event.unrecognised || verdict.event.type !== "room.client.joined") {
      throw new Error(`expected a join, got ${JSON.stringify(verdict)}`);
    }
    const subject = meetmeter.verifyMetadata(verdict.event.data.metadata ?? "", { secrets: ["meta"], now: 1_772_442_005 });
    expect(subject).toEqual({ status: "verified", subject: "student-2231", issuedAt: 1_772_442_000 });
  });
});
