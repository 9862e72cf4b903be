/**
 * Sign-in: asks for the API token that `meetmeter serve` printed at start-up, checks it against the API, and keeps it
 * for this browser tab.
 */
import { getJson, UnauthorizedError } from "../api.js";
import { el, replaceChildren } from "../dom.js";
import { forgetToken, storeToken } from "../token.js";
import { pageHeading } from "../ui.js";

/**
 * Shows the sign-in form in `main`; calls `onSignedIn` once a token is accepted.
 *
 * @example
 * renderSignIn(main, { refused: false, onSignedIn: () => showRoute() });
 */
export function renderSignIn(
  main: HTMLElement,
  options: { refused: boolean; onSignedIn: () => void },
): void {
  const input = el("input", {
    attrs: { id: "token", name: "token", type: "password", required: true, autocomplete: "off", spellcheck: "false" },
  });
  const message = el("p", { className: "error", attrs: { role: "alert", id: "sign-in-message" } });
  if (options.refused) message.textContent = "That token was not accepted. Check it and try again.";
  else message.hidden = true;

  const form = el(
    "form",
    {
      className: "sign-in",
      attrs: { "aria-describedby": "sign-in-help" },
      on: {
        submit: (event) => {
          event.preventDefault();
          void signIn(input.value.trim());
        },
      },
    },
    el("label", { attrs: { for: "token" } }, "API token"),
    input,
    el("button", { attrs: { type: "submit" } }, "Sign in"),
  );

  async function signIn(token: string): Promise<void> {
    if (!token) return;
    storeToken(token);
    try {
      await getJson("/api/sessions?limit=1");
      options.onSignedIn();
    } catch (error) {
      forgetToken();
      message.hidden = false;
      message.textContent =
        error instanceof UnauthorizedError
          ? "That token was not accepted. Check it and try again."
          : `Could not reach the server: ${error instanceof Error ? error.message : String(error)}`;
      input.focus();
    }
  }

  replaceChildren(
    main,
    pageHeading("Sign in"),
    el(
      "p",
      { attrs: { id: "sign-in-help" } },
      "Enter the API token that meetmeter printed when it started (MEETMETER_API_TOKEN). ",
      "It is kept in this browser tab only and sent with each request, never in a web address.",
    ),
    form,
    message,
  );
  input.focus();
}
