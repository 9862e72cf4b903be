/**
 * The outbound thread: the announcer and the sender (outbound.ts) on a connection of their own, so that their
 * writes (on SQLite a write waits for the writer thread's transaction) and their work never hold up the thread that
 * answers HTTP. Started and reached through outbound-thread.ts.
 */
import { workerData } from "node:worker_threads";
import { openStore } from "../store/open-store.js";
import { notify, serveCalls } from "../writer/threads.js";
import { OutboundLoop } from "./outbound.js";
import type { OutboundCalls, OutboundNotice, OutboundThreadSettings } from "./outbound-thread.js";

const settings = workerData as OutboundThreadSettings;
// What it writes is made again if a power cut takes it back (see openSqliteStore): it need not wait for the disk, nor
// hold SQLite's one write lock from the writer thread while it does.
const store = await openStore(settings.database, { relaxedCommits: true });
const loop = new OutboundLoop(store, {
  ...settings.outbound,
  rules: settings.rules,
  onError: (error) => notify<OutboundNotice>({ error: error instanceof Error ? error.message : String(error) }),
  onOutcome: (outcome) => notify<OutboundNotice>({ outcome }),
});

serveCalls<OutboundCalls>({
  poke: async () => loop.poke(),
  close: async () => {
    await loop.close();
    await store.close();
  },
});
loop.start();
