/**
 * The API token lives in this tab's sessionStorage only: it is gone when the tab closes and never travels in a URL
 * that reaches the server. A link may carry it in the fragment (`/#token=…`), which browsers never send.
 */

const STORAGE_KEY = "meetmeter.token";

/**
 * The stored token, or null before sign-in.
 *
 * @example
 * if (!readToken()) showSignIn();
 */
export function readToken(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

/**
 * Keeps the token for this tab.
 *
 * @example
 * storeToken(form.token.value.trim());
 */
export function storeToken(token: string): void {
  sessionStorage.setItem(STORAGE_KEY, token);
}

/**
 * Forgets the token (sign-out, or the server refused it).
 *
 * @example
 * forgetToken();
 */
export function forgetToken(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/**
 * Takes a token from a `#token=…` link, stores it, and removes it from the address bar and history so that it is not
 * bookmarked or shared by accident. Returns whether there was one.
 *
 * @example
 * adoptTokenFromFragment(); // "/#token=abc" becomes "/" with the token in sessionStorage
 */
export function adoptTokenFromFragment(): boolean {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (!match?.[1]) return false;
  storeToken(decodeURIComponent(match[1]));
  history.replaceState(null, "", `${location.pathname}${location.search}`);
  return true;
}
