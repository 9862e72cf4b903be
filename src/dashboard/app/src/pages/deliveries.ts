/**
 * Outbound deliveries (SPEC §10): the endpoints, failing ones first, then the deliveries newest first, filtered by
 * status and endpoint and paged with the API's cursor, each of which can be sent again. Whoever runs the receivers
 * sees here which one is broken and, once it is mended, sends what it missed.
 */
import { apiPath, getJson } from "../api.js";
import { el, replaceChildren } from "../dom.js";
import { pagingNav } from "../paging.js";
import { href } from "../router.js";
import type { Page as ApiPage, Delivery, Endpoint } from "../types.js";
import { field, link, notice, pageHeading } from "../ui.js";
import { deliveriesTable } from "./delivery-table.js";
import { endpointsTable, loadEndpointHealth, type EndpointHealth } from "./endpoint-health.js";
import type { Page } from "./page.js";

const STATUSES: Array<[value: string, label: string]> = [
  ["", "All"],
  ["failed", "Failed"],
  ["pending", "Pending"],
  ["delivered", "Delivered"],
];

function choice(id: string, options: Array<[value: string, label: string]>, chosen: string): HTMLSelectElement {
  return el(
    "select",
    { attrs: { id } },
    ...options.map(([value, label]) => el("option", { attrs: { value, selected: value === chosen } }, label)),
  );
}

function filterForm(query: URLSearchParams, endpoints: Endpoint[]): HTMLFormElement {
  const status = choice("filter-status", STATUSES, query.get("status") ?? "");
  const chosen = query.get("endpoint") ?? "";
  const known: Array<[string, string]> = endpoints.map((e) => [e.id, e.url]);
  // An endpoint since removed may still be asked for by its id; the menu then shows that id.
  if (chosen && !endpoints.some((e) => e.id === chosen)) known.push([chosen, `${chosen} (removed)`]);
  const endpoint = choice("filter-endpoint", [["", "All"], ...known], chosen);
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    location.hash = href("deliveries", null, { status: status.value, endpoint: endpoint.value, limit: query.get("limit") });
  };
  return el(
    "form",
    { className: "filters", attrs: { role: "search", "aria-label": "Filter deliveries" }, on: { submit } },
    field("Status", status),
    field("Endpoint", endpoint),
    el("div", { className: "field actions" }, el("button", { attrs: { type: "submit" } }, "Show"), link(href("deliveries"), "Clear")),
  );
}

function section(id: string, title: string, ...content: Array<HTMLElement | null>): HTMLElement {
  return el("section", { attrs: { "aria-labelledby": id } }, el("h2", { attrs: { id } }, title), ...content);
}

function endpointsContent(health: EndpointHealth[]): HTMLElement {
  return health.length > 0
    ? endpointsTable(health)
    : notice("No endpoints yet: register one with POST /api/endpoints to have results pushed to it.");
}

export const deliveriesPage: Page = async ({ main, route, signal }) => {
  const query = route.query;
  const listed = { status: query.get("status"), endpoint: query.get("endpoint"), limit: query.get("limit"), cursor: query.get("cursor") };
  const [health, page] = await Promise.all([
    loadEndpointHealth(signal),
    getJson<ApiPage<Delivery>>(apiPath("/api/deliveries", listed), signal),
  ]);
  const endpoints = health.map((h) => h.endpoint);
  const endpointsBox = el("div", {}, endpointsContent(health));
  const status = el("p", { className: "hint", attrs: { role: "status", id: "delivery-status" } });
  const table = deliveriesTable(page.results, {
    endpoints: new Map(endpoints.map((e) => [e.id, e])),
    signal,
    announce: (text) => (status.textContent = text),
    onSettled: () => {
      // The counts follow what sending again changed; a failure to reload them leaves the old ones.
      loadEndpointHealth(signal).then((fresh) => replaceChildren(endpointsBox, endpointsContent(fresh)), () => undefined);
    },
  });
  const filtered = query.has("status") || query.has("endpoint");
  const empty = query.get("cursor") ? "No more deliveries." : filtered ? "No deliveries match these filters." : "No deliveries yet.";
  replaceChildren(
    main,
    pageHeading("Deliveries"),
    section("endpoints-heading", "Endpoints", endpointsBox),
    section(
      "deliveries-heading",
      "Deliveries",
      filterForm(query, endpoints),
      status,
      page.results.length > 0 ? table : notice(empty),
      pagingNav("deliveries", query, page.cursor),
    ),
  );
};
