/**
 * An endpoint for outbound deliveries, on a loopback port: it keeps every request it gets and answers each as the test
 * says (a status, or never).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  headers: Record<string, string>;
  body: string;
  at: number;
}

/** What to answer the nth request (from 1): a status, or "hang" to never answer. */
export type Answerer = (request: Received, n: number) => number | "hang";

export interface Receiver {
  url: string;
  received: Received[];
  /** Changes how requests are answered from now on. */
  answer(answerer: Answerer): void;
  /** Resolves once `count` requests came, or rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(answerer: Answerer = () => 200): Promise<Receiver> {
  let answer = answerer;
  const received: Received[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
      const got = { headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() };
      received.push(got);
      const status = answer(got, received.length);
      if (status === "hang") {
        hanging.add(response);
        return;
      }
      response.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    answer: (next) => (answer = next),
    async waitFor(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`the receiver got ${received.length} requests, not ${count}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return received;
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
