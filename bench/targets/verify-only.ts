/**
 * Benchmark target (b): verifies the signature, parses and checks the event, stores nothing. The limit for any
 * correct receiver.
 */
import { createServer } from "node:http";
import { parseEvent } from "../../src/whereby/events.js";
import { verifyWherebySignature } from "../../src/whereby/signature.js";

const secrets = (process.env.WHEREBY_WEBHOOK_SECRET ?? "").split(",");
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    try {
      const header = req.headers["whereby-signature"];
      verifyWherebySignature({ header: typeof header === "string" ? header : undefined, body, secrets });
      const parsed = parseEvent(JSON.parse(body.toString("utf8")));
      if (!parsed.ok) throw new Error(parsed.message);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, id: parsed.event.id, duplicate: false }));
    } catch {
      res.writeHead(400, { "content-type": "application/json" });
      res.end('{"error":"invalid"}');
    }
  });
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
