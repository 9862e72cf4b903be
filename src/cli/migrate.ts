/** `meetmeter migrate`: brings the database schema up to date (serve does it too). */
import type { Command } from "commander";
import { databaseOption, withStore } from "./context.js";

export function register(program: Command): void {
  databaseOption(program.command("migrate").description("bring the database schema up to date")).action(
    async (flags: { database?: string }) =>
      withStore(flags, async (store) => console.log(`The ${store.kind} schema is up to date.`)),
  );
}
