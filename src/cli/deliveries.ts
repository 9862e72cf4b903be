/**
 * `meetmeter deliveries retry --since <time>`: every failed outbound delivery created since then is made due again,
 * and a running `serve` sends it (SPEC §10); the retry schedule starts over for each.
 */
import type { Command } from "commander";
import { ConfigError } from "../config.js";
import { ISO_INSTANT_HINT, parseIsoInstant } from "../iso-time.js";
import { databaseOption, withExistingStore } from "./context.js";

function instant(value: string): string {
  const at = parseIsoInstant(value.trim());
  if (at === null) throw new ConfigError(`--since must be ${ISO_INSTANT_HINT}, got "${value}".`);
  return new Date(at).toISOString();
}

export function register(program: Command): void {
  const deliveries = program.command("deliveries").description("outbound deliveries to the endpoints registered (SPEC §10)");
  databaseOption(
    deliveries
      .command("retry")
      .description("send again every failed delivery created since a time; a running serve sends them")
      .requiredOption("--since <time>", `the earliest creation time of the deliveries to send again: ${ISO_INSTANT_HINT}`, instant),
  ).action(async (flags: { since: string; database?: string }) =>
    withExistingStore(flags, async (store) => {
      const count = await store.retryFailedSince(flags.since, new Date().toISOString());
      const what = count === 1 ? "1 failed delivery is" : `${count} failed deliveries are`;
      console.log(`${what} due again; a running meetmeter serve sends ${count === 1 ? "it" : "them"}.`);
    }),
  );
}
