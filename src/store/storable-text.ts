/**
 * What the store's text columns hold. PostgreSQL's text cannot hold U+0000 (NUL) at all, and SQLite's text functions
 * (lower, like, length) stop at one; yet a validly signed event may carry NUL in any string. The body keeps the
 * event byte for byte, so the columns that index it (ids, types, room names, partition and person keys, display
 * names) hold NUL as U+2400 (␀, the symbol for null) on both stores, and every value the store is asked to find is
 * written the same way. The mapping is applied twice without harm, so a value read back from a column (a spooled
 * event being drained) finds itself; the same id with a NUL is the same id. The cost: a NUL and a ␀ in the same place
 * are the same text to the columns.
 */

/** The symbol that stands for NUL in the store's text columns. */
export const NUL_STANDS_FOR = "\u2400";

/** `text` as the store's text columns hold it. */
export function storable(text: string): string;
export function storable(text: string | null): string | null;
export function storable(text: string | null): string | null {
  return text === null || !text.includes("\u0000") ? text : text.replaceAll("\u0000", NUL_STANDS_FOR);
}
