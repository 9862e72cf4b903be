/**
 * The dashboard's entry: takes a token from a `#token=` link, then shows the page the hash names, or sign-in.
 */
import "./charts/setup.js";
import { UNAUTHORIZED_EVENT, UnauthorizedError } from "./api.js";
import { replaceChildren } from "./dom.js";
import { deliveriesPage } from "./pages/deliveries.js";
import { livePage } from "./pages/live.js";
import { meetingPage } from "./pages/meeting.js";
import { meetingsPage } from "./pages/meetings.js";
import type { Page } from "./pages/page.js";
import { peoplePage, personPage } from "./pages/people.js";
import { roomsPage } from "./pages/rooms.js";
import { sessionPage } from "./pages/session.js";
import { sessionsPage } from "./pages/sessions.js";
import { renderSignIn } from "./pages/sign-in.js";
import { usagePage } from "./pages/usage.js";
import { parseRoute, type RouteName } from "./router.js";
import { adoptTokenFromFragment, forgetToken, readToken } from "./token.js";
import { errorNotice, notice, pageHeading } from "./ui.js";

const main = document.getElementById("main") as HTMLElement;
const nav = document.getElementById("nav") as HTMLElement;

const notFoundPage: Page = async ({ main }) => {
  replaceChildren(main, pageHeading("Not found"), notice("There is no page at this address."));
};

const pages: Record<RouteName, Page> = {
  sessions: sessionsPage,
  session: sessionPage,
  meetings: meetingsPage,
  meeting: meetingPage,
  usage: usagePage,
  rooms: roomsPage,
  people: peoplePage,
  person: personPage,
  deliveries: deliveriesPage,
  live: livePage,
  "not-found": notFoundPage,
};

/** Aborts the open page's fetches, stream and charts when another page opens. */
let leavePage = new AbortController();

function showSignIn(refused: boolean): void {
  leavePage.abort();
  nav.hidden = true;
  renderSignIn(main, { refused, onSignedIn: () => void showRoute() });
}

async function showRoute(): Promise<void> {
  leavePage.abort();
  if (!readToken()) {
    showSignIn(false);
    return;
  }
  leavePage = new AbortController();
  const { signal } = leavePage;
  const route = parseRoute(location.hash);
  nav.hidden = false;
  const sections: Partial<Record<RouteName, RouteName>> = { session: "sessions", meeting: "meetings", person: "people" };
  const section = sections[route.name] ?? route.name;
  for (const link of nav.querySelectorAll<HTMLAnchorElement>("a[data-nav]")) {
    if (link.dataset.nav === section) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  replaceChildren(main, notice("Loading…"));
  try {
    await pages[route.name]({ main, route, signal });
  } catch (error) {
    // A refused token is handled by the sign-in listener below; an abort means the viewer already left.
    if (signal.aborted || error instanceof UnauthorizedError) return;
    const detail = error instanceof Error ? error.message : String(error);
    replaceChildren(main, errorNotice("This page could not be loaded.", detail));
  }
}

window.addEventListener(UNAUTHORIZED_EVENT, () => {
  forgetToken();
  showSignIn(true);
});
window.addEventListener("hashchange", () => {
  if (adoptTokenFromFragment()) location.hash = "#/sessions";
  else void showRoute();
});
document.getElementById("sign-out")?.addEventListener("click", () => {
  forgetToken();
  history.replaceState(null, "", location.pathname);
  showSignIn(false);
});

adoptTokenFromFragment();
void showRoute();
