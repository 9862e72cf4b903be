/**
 * The headers every dashboard response carries. The app has no inline script or style and talks only to its own
 * origin, so the policy can forbid everything else; a webhook value that slipped into markup could then run nothing.
 *
 * @example
 * reply.headers(SECURITY_HEADERS);
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; "),
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};
