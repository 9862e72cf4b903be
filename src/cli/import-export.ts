/**
 * `meetmeter export [--out file]` and `meetmeter import <file.jsonl>`: the event log as JSON lines.
 * An exported line keeps the raw body as text: `{"id","type","createdAt","receivedAt","channel","body":"<raw>"}`.
 * Import also takes plain Whereby events, one per line (what `meetmeter simulate --out` writes).
 */
import { createReadStream, createWriteStream } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { Command } from "commander";
import { toIncomingEvent } from "../ingest/receive.js";
import { PRIVATE_FILE_MODE } from "../private-files.js";
import { MeetingResults } from "../projection/meeting-results.js";
import { Projector } from "../projection/projector.js";
import type { IncomingEvent } from "../store/event-store.js";
import { parseEvent } from "../whereby/events.js";
import { databaseOption, progressBar, withExistingStore, withStore } from "./context.js";
import { checkWritableFile, readableFileSize } from "./files.js";

const BATCH = 1000;

/** One line of a file as an event to append, or the reason it cannot be one. */
export function lineToEvent(line: string, receivedAt: string): IncomingEvent | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "not JSON";
  }
  const record = value as { body?: unknown; receivedAt?: unknown; channel?: unknown };
  const exported = typeof value === "object" && value !== null && typeof record.body === "string";
  const raw = exported ? (record.body as string) : line;
  let parsedBody: unknown;
  try {
    parsedBody = exported ? JSON.parse(raw) : value;
  } catch {
    return "body is not JSON";
  }
  const parsed = parseEvent(parsedBody);
  if (!parsed.ok) return parsed.message;
  return toIncomingEvent(parsed.event, {
    receivedAt: exported && typeof record.receivedAt === "string" ? record.receivedAt : receivedAt,
    channel: exported && typeof record.channel === "string" ? record.channel : null,
    body: Buffer.from(raw, "utf8"),
  });
}

export function register(program: Command): void {
  databaseOption(program.command("export").description("write every stored event as JSON lines"))
    .option("--out <file>", "write to this file instead of standard output")
    .action(async (flags: { database?: string; out?: string }) => {
      if (flags.out) checkWritableFile("--out", flags.out);
      return withExistingStore(flags, async (store) => {
        const out = flags.out ? createWriteStream(flags.out, { mode: PRIVATE_FILE_MODE }) : process.stdout;
        const total = await store.countEvents();
        const bar = flags.out ? await progressBar(total, "export") : { update: () => {}, stop: () => {} };
        let after = 0;
        let written = 0;
        for (;;) {
          const rows = await store.scanEvents(after, BATCH);
          if (rows.length === 0) break;
          for (const row of rows) {
            const line = JSON.stringify({
              id: row.id,
              type: row.type,
              createdAt: row.createdAt,
              receivedAt: row.receivedAt,
              channel: row.channel,
              body: row.body.toString("utf8"),
            });
            if (!out.write(`${line}\n`)) await once(out, "drain");
          }
          written += rows.length;
          after = rows.at(-1)!.seq;
          bar.update(written);
        }
        bar.stop();
        if (flags.out) {
          out.end();
          await once(out, "finish");
          console.error(`Exported ${written} events to ${flags.out}.`);
        }
      });
    });

  databaseOption(program.command("import").description("append events from a JSON lines file (deduplicated)"))
    .argument("<file>", "a .jsonl file: exported events or plain Whereby events")
    .action(async (file: string, flags: { database?: string }) => {
      const size = readableFileSize("the file to import", file);
      return withStore(flags, async (store, config) => {
        const bar = await progressBar(size, "import");
        const projector = new Projector(store, config.derive, { meetings: new MeetingResults(store, config.meetingRules) });
        const receivedAt = new Date().toISOString();
        const counts = { stored: 0, duplicates: 0, rejected: 0 };
        let batch: IncomingEvent[] = [];
        let batchLines: number[] = [];
        let bytes = 0;
        let lineNumber = 0;
        const flush = async () => {
          if (batch.length === 0) return;
          const flags = await store.append(batch);
          flags.forEach((flag, i) => {
            if (flag === true) counts.stored += 1;
            else if (flag === false) counts.duplicates += 1;
            else {
              counts.rejected += 1;
              console.error(`line ${batchLines[i]}: skipped, the store cannot keep it: ${flag.refused}`);
            }
          });
          projector.markDirty(batch.filter((_, i) => flags[i] === true).map((e) => e.partitionKey));
          batch = [];
          batchLines = [];
          bar.update(bytes);
        };
        for await (const read of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
          lineNumber += 1;
          // Editors and Windows tools begin UTF-8 files with a byte order mark; the webhook endpoint takes one too.
          const line = lineNumber === 1 && read.startsWith("\uFEFF") ? read.slice(1) : read;
          bytes += Buffer.byteLength(read) + 1;
          if (line.trim() === "") continue;
          const event = lineToEvent(line, receivedAt);
          if (typeof event === "string") {
            counts.rejected += 1;
            console.error(`line ${lineNumber}: skipped, ${event}`);
            continue;
          }
          batch.push(event);
          batchLines.push(lineNumber);
          if (batch.length >= BATCH) await flush();
        }
        await flush();
        await projector.idle();
        bar.stop();
        console.log(`Imported ${counts.stored} events (${counts.duplicates} already stored, ${counts.rejected} skipped).`);
        if (counts.rejected > 0) process.exitCode = 1;
      });
    });
}
