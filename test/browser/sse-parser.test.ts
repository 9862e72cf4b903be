/**
 * The live page's Server-Sent Events parser (it reads a fetch body, since EventSource cannot send the token).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SseParser, type SseMessage } from "../../src/dashboard/app/src/sse.js";

function parseAll(chunks: string[]): SseMessage[] {
  const parser = new SseParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
}

describe("SseParser", () => {
  it("reads the server's frames, unnamed with their place as id, and skips comments, keep-alives and retry", () => {
    const stream = [
      ": meetmeter live events\nretry: 2000\n\n",
      'id: 41\ndata: {"id":"a","seq":41}\n\n',
      ": keep-alive\n\n",
      'id: 42\ndata: {"id":"b","seq":42}\n\n',
    ].join("");
    expect(parseAll([stream])).toEqual([
      { event: "message", data: '{"id":"a","seq":41}', id: "41" },
      { event: "message", data: '{"id":"b","seq":42}', id: "42" },
    ]);
  });

  it("joins data lines, defaults the event name, keeps the last id, and accepts CRLF and CR", () => {
    expect(parseAll(["id: 7\r\ndata: one\r\ndata:two\r\n\r\n", "data: three\r\r\n"])).toEqual([
      { event: "message", data: "one\ntwo", id: "7" },
      { event: "message", data: "three", id: "7" },
    ]);
  });

  it("holds an unfinished frame until its blank line arrives", () => {
    const parser = new SseParser();
    expect(parser.push("id: 3\ndata: {\"id\"")).toEqual([]);
    expect(parser.push(':"x"}\n')).toEqual([]);
    expect(parser.push("\n")).toEqual([{ event: "message", data: '{"id":"x"}', id: "3" }]);
  });

  it("gives the same messages however the stream is cut into chunks", () => {
    const stream = [
      'id: 1\r\ndata: {"id":"a","displayName":"<img src=x onerror=alert(1)>"}\r\n\r\n',
      ": ping\n\n",
      'id: 2\ndata: {"id":"b"}\n\n',
      // A named event (none the server sends), kept apart by its name.
      'event: other\nid: 3\ndata: {"id":"c"}\n\n',
    ].join("");
    const whole = parseAll([stream]);
    expect(whole.map((message) => [message.event, message.id])).toEqual([
      ["message", "1"],
      ["message", "2"],
      ["other", "3"],
    ]);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
        const chunks = points.slice(1).map((end, i) => stream.slice(points[i], end));
        expect(parseAll(chunks)).toEqual(whole);
      }),
    );
  });
});
