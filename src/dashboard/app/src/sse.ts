/**
 * Server-Sent Events read from a fetch body. EventSource cannot send an Authorization header, and a token in the URL
 * would reach the server's logs, so the stream is fetched with the header and its frames are parsed here.
 */

export interface SseMessage {
  event: string;
  data: string;
  id: string | null;
}

/**
 * Turns text chunks, split anywhere, into complete messages, following the HTML standard's parsing rules.
 *
 * @example
 * const parser = new SseParser();
 * parser.push("id: 7\ndata: {\"id\"");
 * parser.push(":1}\n\n"); // [{ event: "message", data: "{\"id\":1}", id: "7" }]
 */
export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];
  private id: string | null = null;

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const messages: SseMessage[] = [];
    // A lone \r at the very end may be the first half of \r\n, so it waits for the next chunk.
    const lines = this.buffer.split(/\r\n|\r(?!$)|\n/);
    this.buffer = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "") {
        if (this.data.length > 0) {
          messages.push({ event: this.event || "message", data: this.data.join("\n"), id: this.id });
        }
        this.event = "";
        this.data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") this.event = value;
      else if (field === "data") this.data.push(value);
      else if (field === "id" && !value.includes("\0")) this.id = value;
    }
    return messages;
  }
}

/**
 * Yields each message of an event stream body until it ends.
 *
 * @example
 * for await (const message of readSse(response.body)) show(JSON.parse(message.data));
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      // stream: true keeps a character split across chunks whole.
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    reader.releaseLock();
  }
}
