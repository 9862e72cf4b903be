import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../helpers/cli.js";
import { FIXTURES as fixtures } from "../../helpers/fixtures.js";

interface SignatureVector {
  name: string;
  secrets: string[];
  now: number;
  header: string | null;
  body_base64: string;
  expect: string;
}

const vectors = (JSON.parse(readFileSync(path.join(fixtures, "signature-vectors.json"), "utf8")) as { cases: SignatureVector[] })
  .cases;
function vector(name: string): SignatureVector {
  const found = vectors.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no signature vector named "${name}"`);
  return found;
}

const folder = mkdtempSync(path.join(tmpdir(), "meetmeter-signature-"));
let files = 0;
function bodyFile(bytes: Uint8Array | string): string {
  const file = path.join(folder, `body-${++files}.json`);
  writeFileSync(file, bytes);
  return file;
}

const secret = "whsec_this_is_not_a_good_secret_93823xf";
const now = 1_700_000_000;
const compact = '{"id":"evt_1","type":"room.session.started","createdAt":"2023-11-14T22:13:20.000Z"}';

/** The v1 an independent signer computes. */
function v1(body: string | Uint8Array, timestamp = now, key = secret): string {
  return createHmac("sha256", key).update(`${timestamp}.`).update(body).digest("hex");
}

function verify(file: string, header: string, extra: string[] = [], env: Record<string, string> = {}) {
  return runCli(["signature", "verify", "--header", header, "--now", String(now), ...extra, file], {
    env: { WHEREBY_WEBHOOK_SECRET: secret, ...env },
  });
}

describe.concurrent("meetmeter signature sign", { timeout: 90_000 }, () => {
  it("prints the fixture's known header for its body", async () => {
    const known = vector("valid compact body");
    const file = bodyFile(Buffer.from(known.body_base64, "base64"));
    const result = await runCli(["signature", "sign", "--secret", secret, "--timestamp", String(now), file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${known.header}\n`);
  });

  it("reads the body from standard input and the secret from WHEREBY_WEBHOOK_SECRET, the first of several", async () => {
    const result = await runCli(["signature", "sign", "--timestamp", String(now), "-"], {
      env: { WHEREBY_WEBHOOK_SECRET: `${secret},older` },
      stdin: Buffer.from(compact),
    });
    expect(result.stdout).toBe(`t=${now},v1=${v1(compact)}\n`);
  });

  it("a --timestamp that is not a number exits 2 with one line naming --timestamp", async () => {
    const result = await runCli(["signature", "sign", "--secret", secret, "--timestamp", "now", bodyFile(compact)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('meetmeter: --timestamp must be a whole number of seconds, got "now".\n');
  });

  it("without a secret exits 2 naming WHEREBY_WEBHOOK_SECRET", async () => {
    const result = await runCli(["signature", "sign", bodyFile(compact)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("WHEREBY_WEBHOOK_SECRET");
  });
});

describe.concurrent("meetmeter signature verify", { timeout: 90_000 }, () => {
  for (const name of ["valid compact body", "tampered body", "timestamp too far in the future", "timestamp with trailing garbage"]) {
    it(`fixture "${name}"`, async () => {
      const known = vector(name);
      const result = await runCli(
        ["signature", "verify", "--secret", known.secrets.join(","), "--header", known.header ?? "", "--now", String(known.now), bodyFile(Buffer.from(known.body_base64, "base64"))],
      );
      const first = result.stdout.split("\n")[0];
      if (known.expect === "valid") {
        expect(first).toMatch(/^valid: a v1 matches the raw bytes; t is 0 s behind this clock/);
        expect(result.code).toBe(0);
      } else {
        expect(first).toMatch(new RegExp(`^invalid: ${known.expect}: `));
        expect(result.code).toBe(1);
      }
    });
  }

  it("says when only the compact JSON form matched", async () => {
    const known = vector("valid when the sender signed JSON.stringify of the parsed body (Whereby's own example does this)");
    const result = await verify(bodyFile(Buffer.from(known.body_base64, "base64")), known.header ?? "");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^valid: a v1 matches the compact JSON form of the body;/);
  });

  it("accepts any of several secrets", async () => {
    const result = await verify(bodyFile(compact), `t=${now},v1=${v1(compact)}`, ["--secret", `rotated-in,${secret}`]);
    expect(result.code).toBe(0);
  });

  it("shows the v1 expected for the raw bytes and a hint when no form matches", async () => {
    const result = await verify(bodyFile(compact), `t=${now},v1=${v1(compact, now, "another")}`);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`expected v1 for the raw bytes: ${v1(compact)}`);
    expect(result.stdout).toContain("body:        83 bytes, UTF-8, compact JSON, byte order mark: no, trailing newline: no");
    expect(result.stdout).toContain("hint: No form of this body matches");
    expect(result.stdout).not.toContain("compact JSON form:");
  });

  it("diagnoses a trailing newline added after signing", async () => {
    const pretty = JSON.stringify(JSON.parse(compact), null, 2);
    const result = await verify(bodyFile(`${pretty}\n`), `t=${now},v1=${v1(pretty)}`);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("trailing newline: yes");
    expect(result.stdout).toContain(`expected v1 for the body without its trailing newline: ${v1(pretty)}`);
    expect(result.stdout).toContain("hint: The file gained a trailing newline after signing");
    expect(result.stdout).not.toContain("hint: No form");
  });

  it("diagnoses a byte order mark added after signing", async () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(compact)]);
    const result = await verify(bodyFile(withBom), `t=${now},v1=${v1(compact)}`);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("byte order mark: yes");
    expect(result.stdout).toContain("hint: The file gained a byte order mark after signing");
  });

  it("describes a pretty-printed body and gives its compact form's v1", async () => {
    const pretty = `${JSON.stringify(JSON.parse(compact), null, 2)}\n`;
    const result = await verify(bodyFile(pretty), `t=${now},v1=${"0".repeat(64)}`);
    expect(result.stdout).toContain("pretty-printed JSON");
    expect(result.stdout).toContain(`expected v1 for the compact JSON form: ${v1(compact)}`);
  });

  it("reports the clock skew of a genuine but old signature", async () => {
    const result = await verify(bodyFile(compact), `t=${now - 400},v1=${v1(compact, now - 400)}`);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^invalid: timestamp_out_of_tolerance: /);
    expect(result.stdout).toContain("clock skew:  t is 400 s behind this clock, outside the tolerance of 300 s");
    expect(result.stdout).toContain("hint: The signature is genuine but old or early");
  });

  it("takes the tolerance from --tolerance, then WEBHOOK_TOLERANCE_SECONDS", async () => {
    const header = `t=${now - 400},v1=${v1(compact, now - 400)}`;
    const [byFlag, byVariable] = await Promise.all([
      verify(bodyFile(compact), header, ["--tolerance", "600"]),
      verify(bodyFile(compact), header, [], { WEBHOOK_TOLERANCE_SECONDS: "600" }),
    ]);
    expect(byFlag.stdout).toContain("t is 400 s behind this clock, within the tolerance of 600 s");
    expect(byVariable.code).toBe(0);
  });

  it("an empty header is a missing signature, exit 1", async () => {
    const result = await verify(bodyFile(compact), "");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^invalid: missing_signature: /);
  });

  it("a --tolerance that is not a number exits 2 with one line naming --tolerance", async () => {
    const result = await verify(bodyFile(compact), `t=${now},v1=${v1(compact)}`, ["--tolerance", "5m"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe('meetmeter: --tolerance must be a whole number of seconds, got "5m".\n');
  });

  it("a body file that cannot be read exits 2 naming it", async () => {
    const missing = path.join(folder, "missing.json");
    const result = await verify(missing, `t=${now},v1=${v1(compact)}`);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(missing);
  });
});
