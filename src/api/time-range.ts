/** The one rule for a `from`/`to` pair, wherever one is read: the API's session list and usage, and `report`. */

/**
 * Why a range of ISO times cannot be answered, or null when it can: `from` must come before `to` (either may be
 * left out), since [from, to) with `from` at or after `to` holds nothing.
 *
 * @example
 * rangeProblem("2026-03-02T00:00:00.000Z", "2026-03-01T00:00:00.000Z"); // "from must be before to"
 */
export function rangeProblem(from: string | null | undefined, to: string | null | undefined): string | null {
  if (!from || !to) return null;
  return Date.parse(from) < Date.parse(to) ? null : "from must be before to";
}
