/** `meetmeter serve`: the webhook receiver, the read API, the dashboard and /metrics on one port. */
import type { Command } from "commander";
import { ConfigError, loadConfig, readEnvironment, type ConfigFlags } from "../config.js";
import { databaseOption } from "./context.js";

export function register(program: Command): void {
  databaseOption(program.command("serve").description("receive Whereby webhooks and serve the API and dashboard"))
    .option("--secret <secrets>", "webhook secret(s), comma-separated (WHEREBY_WEBHOOK_SECRET)")
    .option("--port <port>", "port to listen on (PORT, default 8000)")
    .option("--host <host>", "address to listen on (HOST, default 127.0.0.1)")
    .option("--insecure-skip-verification", "accept unsigned webhooks (local experiments only)")
    .action(async (flags: ConfigFlags) => {
      const config = loadConfig(flags, readEnvironment());
      if (config.secrets.length === 0 && !config.insecureSkipVerification) {
        throw new ConfigError(
          "WHEREBY_WEBHOOK_SECRET is not set: give the secret from Whereby's webhook settings, e.g. " +
            "WHEREBY_WEBHOOK_SECRET=<secret> npm start (or --secret). To try meetmeter without one, run npm run demo.",
        );
      }
      // Loaded here so that other commands start without the server and its stores.
      const { createService } = await import("../server.js");
      const service = await createService(config);
      const shutdown = (signal: string) => {
        service.app.log.info({ signal }, "shutting down: finishing deliveries in flight");
        service.close().then(
          () => process.exit(0),
          (error: unknown) => {
            service.app.log.error({ err: error }, "shutdown failed");
            process.exit(1);
          },
        );
      };
      process.once("SIGTERM", () => shutdown("SIGTERM"));
      process.once("SIGINT", () => shutdown("SIGINT"));
      let address: string;
      try {
        address = await service.app.listen({ port: config.port, host: config.host });
      } catch (error) {
        // The port is taken, say: what was opened is closed, and the command fails.
        await service.close().catch(() => {});
        throw error;
      }
      const store = service.store.kind;
      console.log(
        [
          `meetmeter is listening on ${address} (store: ${store})`,
          `  webhook endpoint: ${address}/webhooks/whereby`,
          // A token the user configured is theirs to know; only one generated here needs showing.
          ...(config.apiToken === null
            ? [`  dashboard:        ${address}/#token=${service.token}`, `  API token:        ${service.token}`]
            : [`  dashboard:        ${address}/`, `  API token:        from MEETMETER_API_TOKEN`]),
          // Each process keeps a generated token in its own data folder: behind one balancer they would differ.
          ...(config.apiToken === null && store === "postgres"
            ? ["  (other processes on this PostgreSQL generate tokens of their own: set MEETMETER_API_TOKEN in each)"]
            : []),
        ].join("\n"),
      );
    });
}
