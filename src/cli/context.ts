/** What the commands that work on the database share: the configured store, opened and migrated. */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { loadConfig, readEnvironment, type Config } from "../config.js";
import type { EventStore } from "../store/event-store.js";

export function databaseOption(command: Command): Command {
  return command.option("--database <url>", "sqlite:<path> or postgres://… (DATABASE_URL)");
}

/**
 * Runs `work` with the store of DATABASE_URL (or --database), closing it afterwards. A command that only reads what
 * is there (`existing`) fails on a SQLite file that does not exist rather than making an empty one: a mistyped path
 * must not look like an empty database.
 */
export async function withStore<T>(
  flags: { database?: string },
  work: (store: EventStore, config: Config) => Promise<T>,
  options: { existing?: boolean } = {},
): Promise<T> {
  const config = loadConfig(flags, readEnvironment());
  const { database } = config;
  if (options.existing && database.kind === "sqlite" && database.path !== ":memory:" && !existsSync(database.path)) {
    const setting = flags.database ? "--database" : "DATABASE_URL";
    throw new Error(`there is no database at ${database.path} (${setting}); serve, import or migrate makes one`);
  }
  // Loaded on use, so that commands which never touch the database start quickly.
  const { openStore } = await import("../store/open-store.js");
  const store = await openStore(database);
  try {
    await store.migrate();
    return await work(store, config);
  } finally {
    await store.close();
  }
}

/** {@link withStore} for a command that reads what is there: a SQLite file that does not exist is an error. */
export function withExistingStore<T>(flags: { database?: string }, work: (store: EventStore, config: Config) => Promise<T>) {
  return withStore(flags, work, { existing: true });
}

/**
 * A progress bar on a terminal; silent otherwise, so that pipes and logs stay clean. `update` takes the total too,
 * for work that learns its size only once it has begun: the bar shows from the first update that gives one.
 */
export async function progressBar(total: number, label: string) {
  if (!process.stderr.isTTY) return { update: (_n: number, _total?: number) => {}, stop: () => {} };
  const { default: progress } = await import("cli-progress");
  const bar = new progress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`, stream: process.stderr },
    progress.Presets.shades_classic,
  );
  let shown = total > 0;
  if (shown) bar.start(total, 0);
  return {
    update: (n: number, newTotal?: number) => {
      if (!shown && newTotal !== undefined) {
        bar.start(newTotal, n);
        shown = true;
      } else if (newTotal !== undefined) bar.setTotal(newTotal);
      bar.update(n);
    },
    stop: () => bar.stop(),
  };
}
