/** How a write that failed is told apart: for what its rows hold, or for a deadlock another writer caused. */

/** PostgreSQL's SQLSTATE for a transaction it ended to break a deadlock. */
export const DEADLOCK_DETECTED = "40P01";

/**
 * Whether a write failed for what its rows hold rather than for the database's state: PostgreSQL's data exceptions
 * (22…) and program limits (54…, an index row too large), SQLite's value too big. A retry of such a row fails again.
 */
export function refusedForItsValues(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (/^(22|54)[0-9A-Z]{3}$/.test(code) || code === "SQLITE_TOOBIG");
}
