/**
 * Hash routes: `#/sessions`, `#/sessions/<id>`, `#/meetings`, `#/meetings/<id>`, `#/usage`, `#/rooms`, `#/people`,
 * `#/people/<key>`, `#/deliveries`, `#/live`.
 * Query values after `?` in the hash hold a page's filters, so back, forward and bookmarks keep them.
 */

export type RouteName =
  | "sessions"
  | "session"
  | "meetings"
  | "meeting"
  | "usage"
  | "rooms"
  | "people"
  | "person"
  | "deliveries"
  | "live"
  | "not-found";

export interface Route {
  name: RouteName;
  /** The session id or person key from the path, decoded. */
  id: string | null;
  query: URLSearchParams;
}

/**
 * Reads a location hash.
 *
 * @example
 * parseRoute("#/sessions/abc?x=1"); // { name: "session", id: "abc", query: x=1 }
 */
export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, "");
  const queryAt = text.indexOf("?");
  const path = queryAt < 0 ? text : text.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? "" : text.slice(queryAt + 1));
  const [section = "", id, ...rest] = path.replace(/^\//, "").split("/");
  if (rest.length > 0) return { name: "not-found", id: null, query };
  const decodedId = id ? decodeURIComponent(id) : null;
  switch (section) {
    case "":
    case "sessions":
      return { name: decodedId ? "session" : "sessions", id: decodedId, query };
    case "meetings":
      return { name: decodedId ? "meeting" : "meetings", id: decodedId, query };
    case "people":
      return { name: decodedId ? "person" : "people", id: decodedId, query };
    case "usage":
    case "rooms":
    case "deliveries":
    case "live":
      return { name: decodedId ? "not-found" : section, id: null, query };
    default:
      return { name: "not-found", id: null, query };
  }
}

/**
 * A link target inside the app.
 *
 * @example
 * href("sessions", "abc"); // "#/sessions/abc"
 * href("sessions", null, { roomName: "/math" }); // "#/sessions?roomName=%2Fmath"
 */
export function href(
  section: "sessions" | "meetings" | "usage" | "rooms" | "people" | "deliveries" | "live",
  id: string | null = null,
  query: Record<string, string | null | undefined> = {},
): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
  const search = params.toString();
  return `#/${section}${id ? `/${encodeURIComponent(id)}` : ""}${search ? `?${search}` : ""}`;
}

/**
 * The link to a person's page.
 *
 * @example
 * personHref("external:teacher-7"); // "#/people/external%3Ateacher-7"
 */
export function personHref(key: string): string {
  return href("people", key);
}
