/** The cursors of paged reads: what the last row of a page was ordered by, as opaque text. */
import { InvalidCursorError } from "../event-store.js";

export function encodeCursor(parts: unknown[]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

/** The parts of a cursor this store handed out, as `check` expects them; otherwise an InvalidCursorError. */
export function decodeCursor(cursor: string, check: (parts: unknown[]) => boolean): unknown[] {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    // A NUL is in no cursor handed out, and PostgreSQL refuses to compare text holding one.
    if (Array.isArray(parts) && check(parts) && !parts.some((p) => typeof p === "string" && p.includes("\0"))) return parts;
  } catch {
    // fall through to the error below
  }
  throw new InvalidCursorError();
}
