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
  it("reads the server's frames and skips comments and keep-alives", () => {
    const stream = [
      ": meetmeter live events\n\n",
      'event: webhook\ndata: {"id":"a"}\n\n',
      ": keep-alive\n\n",
      'event: webhook\ndata: {"id":"b"}\n\n',
    ].join("");
    expect(parseAll([stream])).toEqual([
      { event: "webhook", data: '{"id":"a"}', id: null },
      { event: "webhook", data: '{"id":"b"}', id: null },
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
    expect(parser.push("event: webhook\ndata: {\"id\"")).toEqual([]);
    expect(parser.push(':"x"}\n')).toEqual([]);
    expect(parser.push("\n")).toEqual([{ event: "webhook", data: '{"id":"x"}', id: null }]);
  });

  it("gives the same messages however the stream is cut into chunks", () => {
    const stream = [
      'event: webhook\r\ndata: {"id":"a","displayName":"<img src=x onerror=alert(1)>"}\r\n\r\n',
      ": ping\n\n",
      'event: webhook\ndata: {"id":"b"}\n\n',
    ].join("");
    const whole = parseAll([stream]);
    expect(whole).toHaveLength(2);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
        const chunks = points.slice(1).map((end, i) => stream.slice(points[i], end));
        expect(parseAll(chunks)).toEqual(whole);
      }),
    );
  });
});
