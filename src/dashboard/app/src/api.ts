/**
 * Calls to the read API (SPEC §4), always with the bearer token. A 401 anywhere means the token is no longer good,
 * which the app answers by going back to sign-in.
 */
import { readToken } from "./token.js";

/** Fired on `window` whenever the API refuses the token, so that whatever was open can return to sign-in. */
export const UNAUTHORIZED_EVENT = "meetmeter:unauthorized";

/** The server refused the token, or there is none. */
export class UnauthorizedError extends Error {
  constructor() {
    super("The API token was not accepted.");
    this.name = "UnauthorizedError";
  }
}

/** Any other answer that is not 2xx, with the API's own error code and sentence when it gave them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

/**
 * Builds `/api/...?...`, leaving out empty values.
 *
 * @example
 * apiPath("/api/sessions", { roomName: "/math", cursor: null }); // "/api/sessions?roomName=%2Fmath"
 */
export function apiPath(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === "") continue;
    params.set(name, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/**
 * A fetch to the API with the token. Throws {@link UnauthorizedError} on 401 and {@link ApiError} on other failures.
 *
 * @example
 * const response = await apiFetch("/api/sessions/abc/attendance.csv");
 */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const token = readToken();
  if (!token) throw new UnauthorizedError();
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token}`);
  const response = await fetch(path, { ...init, headers, cache: "no-store" });
  if (response.status === 401) {
    window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    throw new UnauthorizedError();
  }
  if (!response.ok) {
    let code: string | null = null;
    let message = `The server answered ${response.status} ${response.statusText}.`;
    try {
      const body = (await response.json()) as { error?: unknown; message?: unknown };
      if (typeof body.error === "string") code = body.error;
      if (typeof body.message === "string") message = body.message;
      else if (code === "not_found") message = "Nothing was found there.";
    } catch {
      // Not a JSON error body: the status line says enough.
    }
    throw new ApiError(response.status, code, message);
  }
  return response;
}

/**
 * GETs a JSON answer from the API.
 *
 * @example
 * const page = await getJson<Page<SessionSummary>>(apiPath("/api/sessions", { limit: 50 }));
 */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await apiFetch(path, { headers: { accept: "application/json" }, signal: signal ?? null });
  return (await response.json()) as T;
}
