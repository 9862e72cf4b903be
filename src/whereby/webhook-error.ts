/** Every reason a webhook delivery is refused, with the HTTP status it is answered with (SPEC §2). */
export const WEBHOOK_ERROR_STATUS = {
  payload_too_large: 413,
  missing_signature: 401,
  malformed_signature: 401,
  invalid_signature: 401,
  timestamp_out_of_tolerance: 401,
  invalid_json: 400,
  invalid_event: 400,
  store_unavailable: 503,
} as const;

export type WebhookErrorCode = keyof typeof WEBHOOK_ERROR_STATUS;

/**
 * The one error type of webhook handling: thrown where the problem is found, turned into an answer in one place.
 *
 * @example
 * throw new WebhookError("invalid_json", "The body is not valid JSON.");
 */
export class WebhookError extends Error {
  readonly code: WebhookErrorCode;
  readonly status: number;

  constructor(code: WebhookErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WebhookError";
    this.code = code;
    this.status = WEBHOOK_ERROR_STATUS[code];
  }

  /** The JSON body of the answer: `{"error": "<code>", "message": "<sentence>"}`. */
  toJSON(): { error: WebhookErrorCode; message: string } {
    return { error: this.code, message: this.message };
  }
}
