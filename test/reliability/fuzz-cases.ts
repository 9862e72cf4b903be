/**
 * Seeded generators of hostile input for the running server: requests through node:http (any method, path, header
 * and body a client library will still send) and raw byte streams for what no client library would send at all.
 * A case is plain data; the signature is computed only when it is sent, so that its timestamp is current.
 */
import fc from "fast-check";
import { fixtureEvents } from "../helpers/deliver.js";

/** How a case's Whereby-Signature header is made. */
export type SignatureKind =
  | "none"
  | "empty"
  | "valid"
  | "wrong-secret"
  | "old"
  | "future"
  | "no-v1"
  | "t-not-digits"
  | "many-v1"
  | "t-huge"
  | "latin1";

export type AuthKind = "none" | "token" | "lowercase-scheme" | "wrong" | "token-suffix" | "basic" | "empty-bearer";

export interface Body {
  /** What kind of body it is, to say what the answer must be and to read a failure. */
  kind: "none" | "random-bytes" | "text" | "event" | "weird-field" | "deep" | "invalid-utf8" | "proto" | "sized" | "oversized";
  bytes: Buffer;
}

export interface HttpCase {
  method: string;
  path: string;
  signature: SignatureKind;
  auth: AuthKind;
  contentType: string | null;
  headers: [string, string][];
  body: Body;
}

export interface RawCase {
  /** What was malformed, to read a failure. */
  label: string;
  /** The webhook body when the case is signed, so that the signature can be made at sending time. */
  signedBody: Buffer | null;
  /** Builds the bytes to write, given the Whereby-Signature value (empty when unsigned). */
  build(signature: string): Buffer[];
}

const EVENT_TYPES = Object.keys(fixtureEvents());

function percentEncode(bytes: Uint8Array): string {
  return [...bytes].map((b) => (/[A-Za-z0-9_-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, "0")}`)).join("");
}

const ROUTES = [
  "/",
  "/index.html",
  "/healthz",
  "/metrics",
  "/favicon.ico",
  "/webhooks/whereby",
  "/webhooks/whereby/",
  "/webhooks/whereby/joins_1",
  "/api/sessions",
  "/api/rooms",
  "/api/usage",
  "/api/events",
  "/api/quarantine",
  "/api",
  "/api/",
  "/assets/",
];

const TEMPLATES = [
  "/webhooks/whereby/:x",
  "/api/sessions/:x",
  "/api/sessions/:x/attendance.csv",
  "/api/people/:x",
  "/assets/:x",
  "/:x",
  "/api/:x",
];

/** Paths that try to leave the asset folder or confuse the router. */
export const TRAVERSALS = [
  "/assets/../../package.json",
  "/assets/..%2f..%2fpackage.json",
  "/assets/%2e%2e/%2e%2e/package.json",
  "/assets/%2e%2e%2f%2e%2e%2fsrc%2fserver.ts",
  "/assets/..%5c..%5cpackage.json",
  "/assets/..\\..\\package.json",
  "/assets/....//....//package.json",
  "/assets/%c0%ae%c0%ae/%c0%ae%c0%ae/package.json",
  "/assets/..%00/package.json",
  "/assets//etc/passwd",
  "/assets/%2fetc%2fpasswd",
  "//etc/passwd",
  "/../../../../etc/passwd",
  "/webhooks/whereby/../../api/sessions",
  "/webhooks/whereby/..%2f..%2fapi%2fsessions",
  "/api/sessions/..%2f..%2fhealthz",
  "/api/people/%2e%2e",
  "/index.html/../../package.json",
  "/dashboard/index.js",
  "/server.js",
];

const segment = fc.oneof(
  fc.constantFrom("x", "..", ".", "%2e%2e", "%2f", "%00", "%ff", "%c0%ae", "%", "%%", "%zz", "~", "*", "\\", "CON", "a".repeat(65), ";", "@"),
  fc.uint8Array({ maxLength: 80 }).map(percentEncode),
  fc.stringMatching(/^[\x21-\x22\x24-\x3e\x40-\x7e]{0,40}$/),
  fc.integer({ min: 100, max: 20_000 }).map((n) => "z".repeat(n)),
);

const queryValue = fc.oneof(
  fc.constantFrom("-1", "0", "1", "500", "501", "1e9", "abc", "", "true", "2026-13-45", "2026-03-02T00:00:00Z", "Europe/Oslo", "../../etc", "day", "month"),
  fc.uint8Array({ maxLength: 60 }).map(percentEncode),
  fc.integer({ min: 1000, max: 8000 }).map((n) => "q".repeat(n)),
);
const queryKey = fc.oneof(
  fc.constantFrom("limit", "cursor", "from", "to", "tz", "interval", "roomName", "type", "sessionId", "ongoing", "__proto__", "constructor", "limit[]", "a[b]"),
  fc.uint8Array({ minLength: 1, maxLength: 20 }).map(percentEncode),
);
const query = fc.oneof(
  { weight: 2, arbitrary: fc.constant("") },
  { weight: 3, arbitrary: fc.array(fc.tuple(queryKey, queryValue), { minLength: 1, maxLength: 5 }).map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`) },
  { weight: 1, arbitrary: fc.constantFrom("?", "?&&&", "?=", "?limit", "#frag", "?limit=1&limit=2") },
);

const path = fc
  .oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ROUTES) },
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...TEMPLATES), segment).map(([t, s]) => t.replace(":x", s)) },
    { weight: 2, arbitrary: fc.constantFrom(...TRAVERSALS) },
    { weight: 1, arbitrary: fc.array(segment, { maxLength: 6 }).map((s) => `/${s.join("/")}`) },
  )
  .chain((p) => query.map((q) => `${p}${q}`));

const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("GET", "POST") },
  { weight: 3, arbitrary: fc.constantFrom("HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "SEARCH", "QUERY") },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,10}$/) },
);

const latin1Value = fc
  .uint8Array({ maxLength: 200 })
  .map((bytes) => Buffer.from(bytes.filter((b) => b === 0x09 || (b >= 0x20 && b !== 0x7f))).toString("latin1"));

const extraHeader = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.stringMatching(/^[A-Za-z0-9-]{1,30}$/), latin1Value) },
  {
    weight: 3,
    arbitrary: fc.tuple(
      fc.constantFrom("origin", "x-forwarded-for", "x-forwarded-host", "forwarded", "host", "referer", "cookie", "accept-encoding", "accept", "range", "if-none-match", "expect", "x-http-method-override"),
      latin1Value,
    ),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constant("content-encoding"), fc.constantFrom("gzip", "br", "deflate", "identity", "zstd")) },
  { weight: 1, arbitrary: fc.tuple(fc.constant("x-huge"), fc.integer({ min: 4000, max: 20_000 }).map((n) => "h".repeat(n))) },
);

const contentType = fc.constantFrom(
  null,
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=utf-16",
  "text/plain",
  "text/html",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=----x",
  "application/octet-stream",
  "application/x-ndjson",
  "*/*",
  "json",
  ";;;",
  "application/json; charset=\u00ff",
);

/** A Whereby event of a random known type, with an id of the generator's choosing. */
const event = fc
  .record({ type: fc.constantFrom(...EVENT_TYPES), id: fc.uuid(), room: fc.integer({ min: 1, max: 20 }) })
  .map(({ type, id, room }) => {
    const base = fixtureEvents()[type]!;
    return { ...base, id: `fuzz-${id}`, data: { ...(base.data as object), roomName: `/fuzz-room-${room}` } };
  });

/** JSON values (as text) that parsers and schemas get wrong. */
const WEIRD_VALUES = [
  "1e400",
  "-1e400",
  "-0",
  "123456789012345678901234567890",
  "0.1e-400",
  "9007199254740993",
  "true",
  "null",
  "[]",
  "{}",
  '""',
  '"\\u0000"',
  '"\\ud800"',
  '"2026-02-30T25:61:61Z"',
  '"+275760-09-13T00:00:00.001Z"',
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  `"${"L".repeat(5000)}"`,
];

const weirdField = fc
  .tuple(event, fc.constantFrom("id", "type", "createdAt", "apiVersion", "data", "numClients", "roleName", "metadata", "numClientsByRoleName", "roomSessionId", "participantId"), fc.constantFrom(...WEIRD_VALUES))
  .map(([e, field, value]) => {
    const marker = "__WEIRD_VALUE__";
    const onEnvelope = ["id", "type", "createdAt", "apiVersion", "data"].includes(field);
    const shaped = onEnvelope ? { ...e, [field]: marker } : { ...e, data: { ...(e.data as object), [field]: marker } };
    return Buffer.from(JSON.stringify(shaped).replace(`"${marker}"`, value));
  });

/** A valid event carrying an extra field nested `depth` levels deep: Whereby never sends one, anyone signing can. */
export function deeplyNested(e: object, depth: number, open = "[", close = "]"): Buffer {
  return Buffer.from(JSON.stringify(e).replace(/}$/, `,"extra":${open.repeat(depth)}${close.repeat(depth)}}`));
}

const deep = fc
  .tuple(event, fc.integer({ min: 1, max: 30_000 }), fc.constantFrom<[string, string]>(["[", "]"], ['{"a":', "}"]))
  .map(([e, depth, [open, close]]) => deeplyNested(e, depth, open, close));

const invalidUtf8 = fc
  .tuple(event, fc.constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80]))
  .map(([e, bad]) => {
    const text = JSON.stringify({ ...e, data: { ...(e.data as object), displayName: "@@" } });
    const [before, after] = text.split("@@") as [string, string];
    return Buffer.concat([Buffer.from(before), Buffer.from(bad), Buffer.from(after)]);
  });

const proto = event.map((e) =>
  Buffer.from(
    JSON.stringify(e).replace(
      /^{/,
      '{"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}},',
    ),
  ),
);

/** A valid event padded to exactly `size` bytes. */
export function eventOfSize(e: { data: object }, size: number): Buffer {
  const bare = Buffer.byteLength(JSON.stringify({ ...e, data: { ...e.data, displayName: "" } }));
  return Buffer.from(JSON.stringify({ ...e, data: { ...e.data, displayName: "p".repeat(Math.max(0, size - bare)) } }));
}

function body(maxBody: number): fc.Arbitrary<Body> {
  const of = (kind: Body["kind"], arbitrary: fc.Arbitrary<Buffer | Uint8Array>) =>
    arbitrary.map((bytes): Body => ({ kind, bytes: Buffer.from(bytes) }));
  return fc.oneof(
    { weight: 2, arbitrary: of("none", fc.constant(Buffer.alloc(0))) },
    { weight: 2, arbitrary: of("random-bytes", fc.uint8Array({ maxLength: 3000 })) },
    { weight: 1, arbitrary: of("text", fc.string({ unit: "binary", maxLength: 500 }).map((s) => Buffer.from(s))) },
    { weight: 4, arbitrary: of("event", event.map((e) => Buffer.from(JSON.stringify(e)))) },
    { weight: 3, arbitrary: of("weird-field", weirdField) },
    { weight: 2, arbitrary: of("deep", deep) },
    { weight: 1, arbitrary: of("invalid-utf8", invalidUtf8) },
    { weight: 1, arbitrary: of("proto", proto) },
    {
      weight: 2,
      arbitrary: of("sized", fc.tuple(event, fc.integer({ min: maxBody - 3, max: maxBody })).map(([e, size]) => eventOfSize(e, size))),
    },
    {
      weight: 2,
      arbitrary: of(
        "oversized",
        fc.tuple(event, fc.integer({ min: maxBody + 1, max: maxBody * 3 })).map(([e, size]) => eventOfSize(e, size)),
      ),
    },
  );
}

const signatureKind = fc.oneof(
  { weight: 3, arbitrary: fc.constant<SignatureKind>("valid") },
  {
    weight: 2,
    arbitrary: fc.constantFrom<SignatureKind>("none", "empty", "wrong-secret", "old", "future", "no-v1", "t-not-digits", "many-v1", "t-huge", "latin1"),
  },
);

/** Requests a client library will still send: most of them deliveries to the webhook endpoint, the rest anywhere. */
export function httpCases(maxBody: number): fc.Arbitrary<HttpCase> {
  const delivery = fc.record({
    method: fc.oneof({ weight: 9, arbitrary: fc.constant("POST") }, { weight: 1, arbitrary: method }),
    path: fc.constantFrom("/webhooks/whereby", "/webhooks/whereby/joins_1", "/webhooks/whereby/a-b_C-9"),
  });
  const anywhere = fc.record({ method, path });
  return fc
    .tuple(fc.oneof({ weight: 3, arbitrary: delivery }, { weight: 2, arbitrary: anywhere }), body(maxBody))
    .chain(([target, payload]) =>
      fc.record({
        method: fc.constant(target.method),
        path: fc.constant(target.path),
        signature: signatureKind,
        auth: fc.constantFrom<AuthKind>("none", "token", "token", "lowercase-scheme", "wrong", "token-suffix", "basic", "empty-bearer"),
        contentType: fc.oneof({ weight: 3, arbitrary: fc.constant("application/json") }, { weight: 1, arbitrary: contentType }),
        headers: fc.array(extraHeader, { maxLength: 3 }),
        body: fc.constant(payload),
      }),
    );
}

const CRLF = "\r\n";

/** Byte streams that break HTTP/1.1 framing in every way we know of, aimed at the webhook endpoint. */
export function rawCases(maxBody: number): fc.Arbitrary<RawCase> {
  const requestLine = fc.oneof(
    { weight: 6, arbitrary: fc.constant("POST /webhooks/whereby HTTP/1.1") },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          fc.constantFrom("GET", "POST", "HEAD", "PUT", "OPTIONS", "CONNECT", "TRACE", "PRI", "G ET", "", "post", "DELETE"),
          fc.constantFrom("/webhooks/whereby", "/api/sessions", "/healthz", "*", "http://evil.example/", "//", "/a b", "/\u0000", "/%", "/assets/../../package.json", "/x?" + "y".repeat(20_000)),
          fc.constantFrom("HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/1.1x", "http/1.1", "", "HTTP/1.10", "HTTP/11"),
        )
        .map((parts) => parts.join(" ")),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 120 }).map((b) => Buffer.from(b).toString("latin1")) },
  );
  const badHeader = fc.oneof(
    fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.uint8Array({ maxLength: 60 })).map(([n, v]) => `${Buffer.from(n).toString("latin1")}: ${Buffer.from(v).toString("latin1")}`),
    fc.constantFrom(
      "NoColonHere",
      ": empty-name",
      " leading-space: x",
      "X-Folded: a\r\n continued",
      "X-Null: a\u0000b",
      "X-Bare-CR: a\rb",
      "Host: a\r\nHost: b",
      "Connection: upgrade\r\nUpgrade: websocket",
      "Expect: 100-continue",
      "Expect: something-else",
      "Content-Type: application/json\r\nContent-Type: text/plain",
      "Authorization: Bearer \u00ff\u00fe",
      "X-Big: " + "b".repeat(20_000),
      Array.from({ length: 200 }, (_, i) => `X-Many-${i}: ${i}`).join(CRLF),
    ),
  );
  const framing = fc.constantFrom(
    "cl-exact",
    "cl-exact",
    "cl-more",
    "cl-less",
    "cl-negative",
    "cl-not-a-number",
    "cl-duplicate-different",
    "cl-huge",
    "cl-with-spaces",
    "none",
    "te-chunked",
    "te-chunked",
    "te-chunked-bad-size",
    "te-chunked-no-end",
    "te-chunked-huge-size",
    "te-and-cl",
    "te-gzip",
    "te-chunked-twice",
    "te-chunked-long-extension",
    "te-chunked-bare-lf",
  );
  const rawBody = fc.oneof(
    event.map((e) => Buffer.from(JSON.stringify(e))),
    fc.uint8Array({ maxLength: 500 }).map((b) => Buffer.from(b)),
    fc.integer({ min: maxBody - 2, max: maxBody + 2 }).chain((size) => event.map((e) => eventOfSize(e, size))),
  );
  return fc
    .record({
      requestLine,
      eol: fc.constantFrom(CRLF, CRLF, CRLF, "\n", "\r"),
      headers: fc.array(badHeader, { maxLength: 3 }),
      framing,
      body: rawBody,
      signed: fc.boolean(),
      endOfHeaders: fc.constantFrom(true, true, true, false),
      pipelined: fc.boolean(),
      split: fc.integer({ min: 1, max: 4 }),
    })
    .map((c): RawCase => ({
      label: `${JSON.stringify(c.requestLine.slice(0, 60))} framing=${c.framing} headers=${JSON.stringify(c.headers.map((h) => h.slice(0, 40)))} eol=${JSON.stringify(c.eol)} end=${c.endOfHeaders} pipelined=${c.pipelined} body=${c.body.length}B`,
      signedBody: c.signed ? c.body : null,
      build(signature) {
        const lines = [c.requestLine, "Host: 127.0.0.1", "Content-Type: application/json", ...c.headers];
        if (signature) lines.push(`Whereby-Signature: ${signature}`);
        let payload = c.body;
        const chunked = (parts: Buffer[], sizeOf = (b: Buffer) => b.length.toString(16)) =>
          Buffer.concat([...parts.flatMap((p) => [Buffer.from(`${sizeOf(p)}${CRLF}`), p, Buffer.from(CRLF)]), Buffer.from(`0${CRLF}${CRLF}`)]);
        const halves = [c.body.subarray(0, c.body.length >> 1), c.body.subarray(c.body.length >> 1)];
        switch (c.framing) {
          case "cl-exact": lines.push(`Content-Length: ${c.body.length}`); break;
          case "cl-more": lines.push(`Content-Length: ${c.body.length + 1 + (c.body.length >> 1)}`); break;
          case "cl-less": lines.push(`Content-Length: ${c.body.length >> 1}`); break;
          case "cl-negative": lines.push("Content-Length: -1"); break;
          case "cl-not-a-number": lines.push("Content-Length: 12abc"); break;
          case "cl-duplicate-different": lines.push(`Content-Length: ${c.body.length}`, `Content-Length: ${c.body.length + 1}`); break;
          case "cl-huge": lines.push("Content-Length: 99999999999999999999999"); break;
          case "cl-with-spaces": lines.push(`Content-Length:   ${c.body.length}   `); break;
          case "none": break;
          case "te-chunked": lines.push("Transfer-Encoding: chunked"); payload = chunked(halves); break;
          case "te-chunked-bad-size": lines.push("Transfer-Encoding: chunked"); payload = chunked(halves, () => "zz"); break;
          case "te-chunked-no-end": lines.push("Transfer-Encoding: chunked"); payload = chunked(halves).subarray(0, -5); break;
          case "te-chunked-huge-size": lines.push("Transfer-Encoding: chunked"); payload = chunked(halves, () => "ffffffffffffffffff"); break;
          case "te-and-cl": lines.push("Transfer-Encoding: chunked", `Content-Length: ${c.body.length}`); payload = chunked(halves); break;
          case "te-gzip": lines.push("Transfer-Encoding: gzip, chunked"); payload = chunked(halves); break;
          case "te-chunked-twice": lines.push("Transfer-Encoding: chunked", "Transfer-Encoding: chunked"); payload = chunked(halves); break;
          case "te-chunked-long-extension":
            lines.push("Transfer-Encoding: chunked");
            payload = chunked(halves, (b) => `${b.length.toString(16)};ext=${"e".repeat(20_000)}`);
            break;
          case "te-chunked-bare-lf":
            lines.push("Transfer-Encoding: chunked");
            payload = Buffer.from(chunked(halves).toString("latin1").replaceAll(CRLF, "\n"), "latin1");
            break;
        }
        const head = lines.join(c.eol) + (c.endOfHeaders ? c.eol + c.eol : "");
        const bytes = Buffer.concat([
          Buffer.from(head, "latin1"),
          c.endOfHeaders ? payload : Buffer.alloc(0),
          c.pipelined ? Buffer.from(`GET /healthz HTTP/1.1${CRLF}Host: x${CRLF}${CRLF}`) : Buffer.alloc(0),
        ]);
        const size = Math.ceil(bytes.length / c.split);
        return Array.from({ length: c.split }, (_, i) => bytes.subarray(i * size, (i + 1) * size)).filter((b) => b.length > 0);
      },
    }));
}
