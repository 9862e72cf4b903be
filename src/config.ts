/**
 * One typed configuration from the environment (a `.env` file in the working directory included) and flags.
 * Flags win over the environment. A bad value is a {@link ConfigError}: the command exits 2 with one line.
 */
import { existsSync, readFileSync } from "node:fs";
import { parse as parseDotenv } from "dotenv";
import type { DeriveOptions } from "./attendance/index.js";
import { DEFAULT_MEETING_RULES, type MeetingRules } from "./attendance/roster.js";
import { DEFAULT_METADATA_MAX_AGE_SECONDS } from "./whereby/metadata.js";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export interface Config {
  /** Accepted webhook secrets, newest first; empty only with insecureSkipVerification. */
  secrets: string[];
  insecureSkipVerification: boolean;
  database: DatabaseConfig;
  port: number;
  host: string;
  /** null: generated at first start and kept in the data folder. */
  apiToken: string | null;
  toleranceSeconds: number;
  derive: DeriveConfig;
  maxBodyBytes: number;
  /** Origins allowed to read the API from a browser; none by default. */
  corsOrigins: string[];
  /** The local SQLite file that takes events while PostgreSQL is unreachable; null with SQLite as the store. */
  spoolPath: string | null;
  logLevel: string;
  /** A request whose headers and body have not all arrived by then is cut off: slow clients hold nothing long. */
  requestTimeoutMs: number;
  /** Most subscribers of the live stream at once. */
  streamMaxClients: number;
  /** The rules of a scheduled meeting that does not give its own (SPEC §9). */
  meetingRules: MeetingRules;
  /** Deliveries to the endpoints users register (SPEC §10). */
  outbound: OutboundConfig;
}

/** How ended sessions and meetings' attendance are pushed out (SPEC §10). */
export interface OutboundConfig {
  /** How long an ended session waits for its late events before it is final and sent. */
  finalAfterSeconds: number;
  /** Seconds before each try: the first is the first try's, and after the last a delivery is failed. */
  retrySchedule: number[];
  /** A try that has no answer within this is a failed try. */
  timeoutSeconds: number;
  /** Refuses endpoints on private, loopback and link-local addresses, when registered and when each is sent to. */
  denyPrivateAddresses: boolean;
}

/** Immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (SPEC §10). */
export const DEFAULT_RETRY_SCHEDULE = [0, 5, 300, 1800, 7200, 18_000, 36_000, 36_000];

/**
 * Where events and sessions are kept: a SQLite file (`:memory:` for none), or a PostgreSQL database, in a schema of its
 * own when one is named (null: the connection's default).
 */
export type DatabaseConfig = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string; schema: string | null };

/** What deriving sessions takes besides the events and the time: how signed participant metadata is read (SPEC §5). */
export type DeriveConfig = Required<Pick<DeriveOptions, "metadataSecrets" | "metadataMaxAgeSeconds">>;

export const DEFAULT_DATABASE_URL = "sqlite:./data/meetmeter.db";

/** Flags as commander gives them (camelCase). */
export interface ConfigFlags {
  secret?: string;
  database?: string;
  port?: string;
  host?: string;
  insecureSkipVerification?: boolean;
}

type Env = Record<string, string | undefined>;

/** process.env over the `.env` file of the working directory, as dotenv does it: the real environment wins. */
export function readEnvironment(cwd = process.cwd(), env: Env = process.env): Env {
  const file = `${cwd}/.env`;
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...env };
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function integer(name: string, value: string | undefined, fallback: number, min: number, max: number, unit?: string): number {
  if (value === undefined || value.trim() === "") return fallback;
  if (!/^\d+$/.test(value.trim())) {
    throw new ConfigError(`${name} must be a whole number${unit ? ` of ${unit}` : ""}, got "${value}".`);
  }
  const number = Number(value);
  if (number < min || number > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${number}.`);
  return number;
}

/** A PostgreSQL schema meetmeter will create and use: a plain lower-case identifier, never quoted. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A database URL as an error message may show it: without its password, which would otherwise reach terminals, logs
 * and CI output. Written for URLs that did not parse, so by text: everything between the user's colon and the last
 * `@` before the host, and any `password=` parameter.
 */
export function withoutPassword(url: string): string {
  return url
    .replace(/^([^:/?#]*:\/\/[^:/?#@]*:)[^]*@/, "$1***@")
    .replace(/([?&]password=)[^&#]*/gi, "$1***");
}

/**
 * Reads a DATABASE_URL: `sqlite:<path>`, or `postgres://…` (or `postgresql://…`) with an optional `?schema=<name>`,
 * which is taken out of the URL the driver connects with. `name` is the setting an error names.
 *
 * @example
 * parseDatabaseUrl("postgres://db.example/meetmeter?schema=tenant_a");
 * // { kind: "postgres", url: "postgres://db.example/meetmeter", schema: "tenant_a" }
 */
export function parseDatabaseUrl(url: string, name = "DATABASE_URL"): DatabaseConfig {
  if (/^sqlite:.+/.test(url)) return { kind: "sqlite", path: url.slice("sqlite:".length) };
  if (/^postgres(ql)?:\/\/.+/.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(`${name} is not a valid postgres:// URL: "${withoutPassword(url)}".`);
    }
    const schema = parsed.searchParams.get("schema");
    if (schema !== null && !SCHEMA_NAME.test(schema)) {
      throw new ConfigError(`${name}'s schema must be lower-case letters, digits and _ (at most 63), got "${schema}".`);
    }
    parsed.searchParams.delete("schema");
    return { kind: "postgres", url: parsed.toString(), schema };
  }
  throw new ConfigError(`${name} must be sqlite:<path> or postgres://…, got "${withoutPassword(url)}".`);
}

/**
 * The derive options alone, for the commands that need nothing else from the configuration (metadata verify, link,
 * simulate). `secret` is a --secret flag, which wins over MEETMETER_METADATA_SECRET.
 */
export function loadDeriveConfig(env: Env = readEnvironment(), secret?: string): DeriveConfig {
  return {
    metadataSecrets: list(secret ?? env.MEETMETER_METADATA_SECRET),
    metadataMaxAgeSeconds: integer(
      "METADATA_MAX_AGE_SECONDS",
      env.METADATA_MAX_AGE_SECONDS,
      DEFAULT_METADATA_MAX_AGE_SECONDS,
      1,
      2 ** 31,
      "seconds",
    ),
  };
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function logLevel(value: string | undefined): string {
  if (value === undefined || value.trim() === "") return "info";
  const level = value.trim().toLowerCase();
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${value}".`);
  return level;
}

/**
 * Builds the configuration.
 *
 * @example
 * const config = loadConfig({ port: "9000" }, readEnvironment());
 */
export function loadConfig(flags: ConfigFlags = {}, env: Env = readEnvironment()): Config {
  const secrets = list(flags.secret ?? env.WHEREBY_WEBHOOK_SECRET);
  const host = flags.host ?? env.HOST ?? "127.0.0.1";
  if (host.trim() === "") throw new ConfigError("HOST must not be empty.");
  const token = env.MEETMETER_API_TOKEN?.trim() || null;
  if (token !== null && token.length < 16) {
    throw new ConfigError("MEETMETER_API_TOKEN must be at least 16 characters long.");
  }
  return {
    secrets,
    insecureSkipVerification: flags.insecureSkipVerification ?? false,
    database: parseDatabaseUrl(
      flags.database ?? env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
      flags.database ? "--database" : "DATABASE_URL",
    ),
    port: integer(flags.port ? "--port" : "PORT", flags.port ?? env.PORT, 8000, 0, 65535),
    host,
    apiToken: token,
    toleranceSeconds: integer("WEBHOOK_TOLERANCE_SECONDS", env.WEBHOOK_TOLERANCE_SECONDS, 300, 1, 86_400 * 365),
    derive: loadDeriveConfig(env),
    maxBodyBytes: integer("MAX_BODY_BYTES", env.MAX_BODY_BYTES, 262_144, 1, 64 * 1024 * 1024),
    corsOrigins: list(env.MEETMETER_CORS_ORIGINS),
    spoolPath: env.MEETMETER_SPOOL_PATH?.trim() || null,
    logLevel: logLevel(env.LOG_LEVEL),
    requestTimeoutMs: integer("MEETMETER_REQUEST_TIMEOUT_MS", env.MEETMETER_REQUEST_TIMEOUT_MS, 10_000, 100, 600_000),
    streamMaxClients: integer("MEETMETER_STREAM_MAX_CLIENTS", env.MEETMETER_STREAM_MAX_CLIENTS, 100, 1, 10_000),
    meetingRules: loadMeetingRules(env),
    outbound: loadOutboundConfig(env),
  };
}

/** A list of seconds, whole or not: the retry schedule. */
function seconds(name: string, value: string | undefined, fallback: number[]): number[] {
  if (value === undefined || value.trim() === "") return fallback;
  const parts = value.split(",").map((part) => part.trim());
  if (!parts.every((part) => /^\d+(\.\d+)?$/.test(part) && Number(part) <= 86_400 * 7)) {
    throw new ConfigError(`${name} must be a comma-separated list of seconds (each at most a week), got "${value}".`);
  }
  return parts.map(Number);
}

function flag(name: string, value: string | undefined): boolean {
  const text = value?.trim().toLowerCase() ?? "";
  if (text === "" || text === "false" || text === "0" || text === "no") return false;
  if (text === "true" || text === "1" || text === "yes") return true;
  throw new ConfigError(`${name} must be true or false, got "${value}".`);
}

/** SPEC §10's settings, each overridden by its MEETMETER_ variable. */
export function loadOutboundConfig(env: Env = readEnvironment()): OutboundConfig {
  return {
    finalAfterSeconds: integer("MEETMETER_FINAL_AFTER_SECONDS", env.MEETMETER_FINAL_AFTER_SECONDS, 120, 0, 86_400, "seconds"),
    retrySchedule: seconds("MEETMETER_RETRY_SCHEDULE", env.MEETMETER_RETRY_SCHEDULE, DEFAULT_RETRY_SCHEDULE),
    timeoutSeconds: integer("MEETMETER_DELIVERY_TIMEOUT_SECONDS", env.MEETMETER_DELIVERY_TIMEOUT_SECONDS, 15, 1, 600, "seconds"),
    denyPrivateAddresses: flag("MEETMETER_DENY_PRIVATE_ENDPOINTS", env.MEETMETER_DENY_PRIVATE_ENDPOINTS),
  };
}

/** The meeting rules of SPEC §9, each overridden by its MEETMETER_ variable. */
export function loadMeetingRules(env: Env = readEnvironment()): MeetingRules {
  const d = DEFAULT_MEETING_RULES;
  const week = 7 * 86_400;
  return {
    lateAfterSeconds: integer("MEETMETER_LATE_AFTER_SECONDS", env.MEETMETER_LATE_AFTER_SECONDS, d.lateAfterSeconds, 0, week, "seconds"),
    leftEarlyBeforeSeconds: integer("MEETMETER_LEFT_EARLY_BEFORE_SECONDS", env.MEETMETER_LEFT_EARLY_BEFORE_SECONDS, d.leftEarlyBeforeSeconds, 0, week, "seconds"),
    presentAtPercent: integer("MEETMETER_PRESENT_AT_PERCENT", env.MEETMETER_PRESENT_AT_PERCENT, d.presentAtPercent, 0, 100),
    noShowAfterSeconds: integer("MEETMETER_NO_SHOW_AFTER_SECONDS", env.MEETMETER_NO_SHOW_AFTER_SECONDS, d.noShowAfterSeconds, 0, week, "seconds"),
  };
}
