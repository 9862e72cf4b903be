/**
 * HTTP below the level of fetch: requests a well-behaved client would never send, written byte for byte on a socket,
 * and plain node:http requests for methods and headers that fetch refuses.
 */
import http from "node:http";
import net from "node:net";

export interface RawAnswer {
  /** Everything the server sent back. */
  bytes: Buffer;
  /** The status of every response in it (pipelined requests can get more than one). */
  statuses: number[];
  /** false when the server neither answered nor closed within the time given. */
  settled: boolean;
  /** Milliseconds from connecting to the server closing the connection (or to giving up). */
  elapsedMs: number;
}

export function statusesOf(bytes: Buffer): number[] {
  return [...bytes.toString("latin1").matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/**
 * Writes the chunks on a fresh connection (waiting `gapMs` between them), half-closes it unless `keepOpen`, and
 * collects the answer until the server closes the connection or `timeoutMs` passes.
 *
 * @example
 * const answer = await sendRaw(server.url, [Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n")]);
 * answer.statuses; // [200]
 */
export function sendRaw(
  url: string,
  chunks: readonly Buffer[],
  options: { timeoutMs?: number; gapMs?: number; keepOpen?: boolean } = {},
): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    const socket = net.connect({ host: "127.0.0.1", port: portOf(url) });
    let timer: NodeJS.Timeout | null = null;
    let gap: NodeJS.Timeout | null = null;
    const finish = (settled: boolean) => {
      if (timer) clearTimeout(timer);
      if (gap) clearTimeout(gap);
      socket.destroy();
      const bytes = Buffer.concat(received);
      resolve({ bytes, statuses: statusesOf(bytes), settled, elapsedMs: Date.now() - started });
    };
    timer = setTimeout(() => finish(false), options.timeoutMs ?? 5000);
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    // A reset after the answer is the server's way of refusing more; what was received still counts.
    socket.on("error", () => finish(true));
    socket.on("close", () => finish(true));
    socket.once("connect", () => {
      let next = 0;
      const writeNext = () => {
        if (socket.destroyed) return;
        if (next < chunks.length) {
          socket.write(chunks[next++]!);
          gap = setTimeout(writeNext, next < chunks.length ? (options.gapMs ?? 0) : 0);
        } else if (!options.keepOpen) socket.end();
      };
      writeNext();
    });
  });
}

export interface PlainRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | null;
}

export interface PlainAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One request with node:http on a connection of its own; resolves with status 0 when the server cut it off or its
 * answer could not be read.
 *
 * @example
 * const answer = await plainRequest(server.url, { method: "PROPFIND", path: "/api/rooms", headers: {}, body: null });
 */
export function plainRequest(url: string, request: PlainRequest, timeoutMs = 10_000): Promise<PlainAnswer> {
  // Node sends no length with a GET's body unless told, and the server would read that body as the next request.
  const length = request.body ? { "content-length": String(request.body.length) } : {};
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port: portOf(url), method: request.method, path: request.path, headers: { ...request.headers, ...length }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (error: NodeJS.ErrnoException) => {
      // The server may answer (413, 431) and close before the whole body is written; its early answer to a HEAD
      // carries a body the client does not expect, which it reads as a broken second response.
      if (error.code === "ECONNRESET" || error.code === "EPIPE" || error.code?.startsWith("HPE_")) resolve({ status: 0, headers: {}, body: Buffer.alloc(0) });
      else reject(error);
    });
    req.end(request.body ?? undefined);
  });
}
