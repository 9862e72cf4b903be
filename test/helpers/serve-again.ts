/**
 * A service in this process on a store that outlives it: started, stopped and started again on the same SQLite file
 * or PostgreSQL schema, and the same port, as a restarted `meetmeter serve` would be; clients that hold its URL find it
 * again.
 */
import type { DatabaseConfig } from "../../src/config.js";
import { createService, type Service } from "../../src/server.js";
import { testConfig } from "./server.js";

export interface ServedAgain {
  url: string;
  port: number;
  service: Service;
  close(): Promise<void>;
}

/** Starts a service on `database` (opened and migrated by the service itself), on `port` or a free one. */
export async function serveOn(database: DatabaseConfig, options: { token: string; port?: number }): Promise<ServedAgain> {
  const service = await createService(testConfig({ database, apiToken: options.token }), { logger: false });
  const url = await service.app.listen({ port: options.port ?? 0, host: "127.0.0.1" });
  return { url, port: Number(new URL(url).port), service, close: () => service.close() };
}
