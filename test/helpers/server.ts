/**
 * A real meetmeter server for tests: in this process (startTestServer) or as its own process (startServerProcess),
 * on a fresh SQLite file or PostgreSQL schema, listening on a free loopback port.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { loadConfig, type Config } from "../../src/config.js";
import { createService, type Service } from "../../src/server.js";
import { CLI } from "./cli.js";
import { REPO_ROOT } from "./repo.js";
import { openTestStore, tempDir, type StoreKind, type TestStore } from "./stores.js";


export interface TestServer {
  url: string;
  secret: string;
  token: string;
  service: Service;
  testStore: TestStore;
  close(): Promise<void>;
}

export interface TestServerOptions {
  store?: StoreKind;
  secrets?: string[];
  metadataSecrets?: string[];
  config?: Partial<Config>;
  /** How often ongoing sessions' saved figures are brought up to now. */
  ongoingRefreshMs?: number;
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({}, {}),
    secrets: ["whsec_test_secret"],
    apiToken: `token-${randomBytes(12).toString("hex")}`,
    port: 0,
    logLevel: "silent",
    // Each server its own spool, never the working directory's data folder.
    spoolPath: join(tempDir("meetmeter-spool-"), "spool.db"),
    ...overrides,
  };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const testStore = await openTestStore(options.store ?? "sqlite");
  const config = testConfig({
    database: testStore.database,
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.metadataSecrets ? { derive: { ...loadConfig({}, {}).derive, metadataSecrets: options.metadataSecrets } } : {}),
    ...options.config,
  });
  const service = await createService(config, {
    store: testStore.store,
    logger: false,
    ongoingRefreshMs: options.ongoingRefreshMs,
  });
  const address = await service.app.listen({ port: 0, host: "127.0.0.1" });
  return {
    url: address,
    secret: config.secrets[0] ?? "",
    token: service.token,
    service,
    testStore,
    async close() {
      await service.close();
      await testStore.cleanup();
    },
  };
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `meetmeter serve` as a user would, and resolves once it listens. */
export async function startServerProcess(env: Record<string, string>, args: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...CLI, "serve", "--port", "0", ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: "warn", MEETMETER_SPOOL_PATH: join(tempDir("meetmeter-spool-"), "spool.db"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("exit", (code, signal) => done({ code, signal })),
  );
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const look = () => {
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout!.on("data", look);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening:\n${output}`));
    });
  });
  return { url, child, output: () => output, exited };
}
