import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseSignatureHeader, signWherebyPayload, verifyWherebySignature } from "../../../src/whereby/signature.js";
import { WebhookError } from "../../../src/whereby/webhook-error.js";
import { FIXTURES } from "../../helpers/fixtures.js";

interface SignatureVector {
  name: string;
  secrets: string[];
  now: number;
  header: string | null;
  body_base64: string;
  expect: string;
}

const fixtures = FIXTURES;
const vectors = JSON.parse(readFileSync(path.join(fixtures, "signature-vectors.json"), "utf8")) as {
  tolerance_seconds: number;
  cases: SignatureVector[];
};

/** "valid", or the code of the WebhookError the verifier throws. */
function verdict(options: Parameters<typeof verifyWherebySignature>[0]): string {
  try {
    verifyWherebySignature(options);
    return "valid";
  } catch (error) {
    if (error instanceof WebhookError) return error.code;
    throw error;
  }
}

const secret = "whsec_this_is_not_a_good_secret_93823xf";
const now = 1_700_000_000;

/** What an independent signer computes: HMAC-SHA256 over the bytes of "<t>." and the body bytes, in hex. */
function v1(body: Uint8Array, timestamp = now, key = secret): string {
  return createHmac("sha256", key).update(`${timestamp}.`).update(body).digest("hex");
}

describe("signature-vectors.json", () => {
  for (const vector of vectors.cases) {
    it(vector.name, () => {
      const result = verdict({
        header: vector.header,
        body: Buffer.from(vector.body_base64, "base64"),
        secrets: vector.secrets,
        toleranceSeconds: vectors.tolerance_seconds,
        now: vector.now,
      });
      expect(result).toBe(vector.expect);
    });
  }
});

describe("what other webhook verifiers get wrong", () => {
  const body = Buffer.from('{"id":"evt_1","type":"room.session.started","createdAt":"2023-11-14T22:13:20.000Z"}');

  it("a timestamp far in the future is refused even though the signature is genuine", () => {
    const future = now + 10 * 365 * 86_400;
    const header = `t=${future},v1=${v1(body, future)}`;
    expect(verdict({ header, body, secrets: [secret], now })).toBe("timestamp_out_of_tolerance");
  });

  for (const t of ["1700000000abc", "123abc", "1700000000.0", "1.7e9", "+1700000000", "-1700000000", "0x6553f100", "", "١٧٠٠٠٠٠٠٠٠"]) {
    it(`t=${t} is malformed, not read as its leading digits`, () => {
      const header = `t=${t},v1=${v1(body)}`;
      expect(verdict({ header, body, secrets: [secret], now })).toBe("malformed_signature");
    });
  }

  it("a body that is not UTF-8 verifies on its raw bytes", () => {
    const latin1 = Buffer.from([...Buffer.from('{"id":"evt_2","displayName":"'), 0xc9, 0x6c, 0xe8, 0x76, 0x65, ...Buffer.from('"}')]);
    const header = `t=${now},v1=${v1(latin1)}`;
    expect(verdict({ header, body: latin1, secrets: [secret], now })).toBe("valid");
  });

  it("a signature over the body decoded as text and encoded again does not verify bytes it never covered", () => {
    const raw = Buffer.from([...Buffer.from('{"id":"evt_3","displayName":"'), 0xff, 0xfe, ...Buffer.from('"}')]);
    const decodedAgain = Buffer.from(raw.toString("utf8"), "utf8");
    expect(decodedAgain.equals(raw)).toBe(false);
    const header = `t=${now},v1=${v1(decodedAgain)}`;
    expect(verdict({ header, body: raw, secrets: [secret], now })).toBe("invalid_signature");
  });

  it("a byte order mark added after signing breaks the signature", () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]);
    const header = `t=${now},v1=${v1(body)}`;
    expect(verdict({ header, body: withBom, secrets: [secret], now })).toBe("invalid_signature");
  });

  it("an old timestamp with a wrong signature reports the signature, checked first", () => {
    const header = `t=${now - 3600},v1=${"0".repeat(64)}`;
    expect(verdict({ header, body, secrets: [secret], now })).toBe("invalid_signature");
  });

  it("no configured secret verifies nothing", () => {
    expect(verdict({ header: `t=${now},v1=${v1(body)}`, body, secrets: [], now })).toBe("invalid_signature");
  });

  it("an upper-case hex signature is the same signature", () => {
    const header = `t=${now},v1=${v1(body).toUpperCase()}`;
    expect(verdict({ header, body, secrets: [secret], now })).toBe("valid");
  });

  it("a secret that differs only by a trailing newline does not verify", () => {
    const header = `t=${now},v1=${v1(body)}`;
    expect(verdict({ header, body, secrets: [`${secret}\n`], now })).toBe("invalid_signature");
  });
});

describe("a t written with leading zeros", () => {
  it("is verified over the bytes the header holds, digits as written", () => {
    const body = Buffer.from('{"id":"evt_zeros"}');
    const written = `000000${now}`;
    const mac = createHmac("sha256", secret).update(`${written}.`).update(body).digest("hex");
    expect(verifyWherebySignature({ header: `t=${written},v1=${mac}`, body, secrets: [secret], now })).toEqual({ timestamp: now, signed: "raw" });
    // Signed over the number without its zeros, it is not what the header says was signed.
    const other = createHmac("sha256", secret).update(`${now}.`).update(body).digest("hex");
    expect(verdict({ header: `t=${written},v1=${other}`, body, secrets: [secret], now })).toBe("invalid_signature");
  });
});

describe("which bytes were signed", () => {
  it("says when only the compact JSON form of the body matches, as Whereby's own example signs it", () => {
    const body = Buffer.from('{ "id": "evt_pretty",\n  "type": "room.client.joined" }');
    const compact = JSON.stringify(JSON.parse(body.toString("utf8")));
    const header = signWherebyPayload({ body: compact, secret, timestamp: now });
    expect(verifyWherebySignature({ header, body, secrets: [secret], now })).toEqual({ timestamp: now, signed: "compact" });
    expect(verifyWherebySignature({ header: signWherebyPayload({ body, secret, timestamp: now }), body, secrets: [secret], now }).signed).toBe("raw");
  });
});

describe("parseSignatureHeader", () => {
  it("reads t and every v1, ignoring other schemes and spaces after commas", () => {
    const parsed = parseSignatureHeader(`t=${now}, v0=abc, v1=${"a".repeat(64)},  v1=${"b".repeat(64)}`);
    expect(parsed).toEqual({ timestamp: now, signedTimestamp: String(now), signatures: ["a".repeat(64), "b".repeat(64)] });
  });

  it("takes the first t, and keeps it as written", () => {
    expect(parseSignatureHeader(`t=00${now},t=abc,v1=${"a".repeat(64)}`)).toMatchObject({ timestamp: now, signedTimestamp: `00${now}` });
    expect(() => parseSignatureHeader(`t=abc,t=${now},v1=${"a".repeat(64)}`)).toThrowError(
      expect.objectContaining({ code: "malformed_signature" }),
    );
  });

  it("throws a WebhookError with the 401 status", () => {
    expect(() => parseSignatureHeader("v1=abc")).toThrowError(
      expect.objectContaining({ code: "malformed_signature", status: 401 }),
    );
  });
});

describe("signWherebyPayload", () => {
  it("computes the header an independent signer computes", () => {
    const body = Buffer.from('{"id":"evt_4"}');
    expect(signWherebyPayload({ body, secret, timestamp: now })).toBe(`t=${now},v1=${v1(body)}`);
  });

  it("signs a string as its UTF-8 bytes", () => {
    const text = '{"displayName":"Zoë 😀"}';
    expect(signWherebyPayload({ body: text, secret, timestamp: now })).toBe(`t=${now},v1=${v1(Buffer.from(text, "utf8"))}`);
  });

  it("round-trips through verification with the current clock by default", () => {
    const body = Buffer.from('{"id":"evt_5"}');
    expect(verifyWherebySignature({ header: signWherebyPayload({ body, secret }), body, secrets: [secret] })).toHaveProperty(
      "timestamp",
    );
  });
});
