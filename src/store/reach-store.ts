/**
 * A store out of reach when the service starts: telling that apart from one that refuses us, and trying again until
 * it can be taken into use. Meanwhile the spool (ingest/spool.ts) keeps the events.
 */
import type { StoreAdmin } from "./event-store.js";

/** How often a store that could not be reached at start is tried again. */
const STORE_RETRY_MS = 2_000;

/** How often the same failure is logged again while it lasts. */
const FAILURE_REPEAT_MS = 60_000;

/** Network failures, and PostgreSQL not taking connections yet (SQLSTATE 57P03, classes 08): the store is away. */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "57P03",
]);

/**
 * Whether an error says the store could not be reached, rather than that it refused us: a wrong database name,
 * password or schema never mends by waiting, and must stop the start.
 */
export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, errors } = error as Error & { code?: unknown; errors?: unknown };
  if (typeof code === "string" && (UNREACHABLE_CODES.has(code) || code.startsWith("08"))) return true;
  if (Array.isArray(errors) && errors.some(isUnreachable)) return true;
  // pg's own connection timeout carries no code.
  return /^Connection terminated/.test(error.message);
}

export interface KeepTryingHandlers {
  /** Once the store is migrated and prepared. */
  onReady: () => void;
  /**
   * With a failed attempt: the first, then once a minute, or sooner when the reason changes. A store that answers but
   * cannot be migrated must be seen.
   */
  onFailure: (error: unknown) => void;
}

/**
 * Tries every {@link STORE_RETRY_MS} to migrate a store that could not be reached at start, and to `prepare` it.
 * Returns what stops trying.
 */
export function keepTrying(store: Pick<StoreAdmin, "migrate">, prepare: () => Promise<void>, handlers: KeepTryingHandlers): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let told = { message: "", at: 0 };
  const failed = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (message === told.message && Date.now() - told.at < FAILURE_REPEAT_MS) return;
    told = { message, at: Date.now() };
    handlers.onFailure(error);
  };
  const attempt = () => {
    timer = setTimeout(() => {
      store
        .migrate()
        .then(prepare)
        .then(
          () => !stopped && handlers.onReady(),
          (error: unknown) => {
            if (stopped) return;
            failed(error);
            attempt();
          },
        );
    }, STORE_RETRY_MS);
    timer.unref();
  };
  attempt();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
