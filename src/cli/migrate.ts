/** `meetmeter migrate`: brings the database schema up to date (serve does it too). */
import type { Command } from "commander";
import { loadConfig, readEnvironment } from "../config.js";

export function register(program: Command): void {
  program
    .command("migrate")
    .description("bring the database schema up to date")
    .option("--database <url>", "sqlite:<path> or postgres://… (DATABASE_URL)")
    .action(async (flags: { database?: string }) => {
      const config = loadConfig(flags, readEnvironment());
      const { openStore } = await import("../store/open-store.js");
      const store = await openStore(config.database);
      try {
        await store.migrate();
        console.log(`The ${store.kind} schema is up to date.`);
      } finally {
        await store.close();
      }
    });
}
