/**
 * The links between pages of a list the API pages with a cursor. The cursor only ever points forward, so a list
 * offers its next page and a way back to its first, keeping the filters in the address either way.
 */
import { el } from "./dom.js";
import { href } from "./router.js";
import { link } from "./ui.js";

/**
 * "← First page" when past the first, "Next page →" when the API gave a cursor; null when there is neither.
 *
 * @example
 * replaceChildren(main, table, pagingNav("sessions", route.query, page.cursor));
 */
export function pagingNav(
  section: "sessions" | "deliveries",
  query: URLSearchParams,
  next: string | null,
): HTMLElement | null {
  const filters = Object.fromEntries([...query.entries()].filter(([name]) => name !== "cursor"));
  const nav = el("nav", { className: "paging", attrs: { "aria-label": "Pages" } });
  if (query.get("cursor")) nav.append(link(href(section, null, filters), "← First page"));
  if (next) {
    const nextLink = link(href(section, null, { ...filters, cursor: next }), "Next page →");
    nextLink.rel = "next";
    nav.append(nextLink);
  }
  return nav.childElementCount > 0 ? nav : null;
}
