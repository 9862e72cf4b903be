/**
 * Which endpoints need looking at (SPEC §10). An endpoint is failing when a delivery to it failed, or one still waits
 * after a try that failed; failing endpoints come first, so that a broken receiver is the first thing seen. The counts
 * are read from the deliveries API by endpoint and status, so they are the API's own.
 */
import { apiPath, getJson } from "../api.js";
import { el, figure, type Child } from "../dom.js";
import { formatCount } from "../format.js";
import { href } from "../router.js";
import type { Page as ApiPage, Delivery, DeliveryStatus, Endpoint } from "../types.js";
import { dataTable, link, numberColumn, timeText, type Column } from "../ui.js";

/** The most deliveries of one status counted per endpoint; beyond it the count reads "500+". */
const COUNTED = 500;

interface Counted {
  count: number;
  /** More than {@link COUNTED}: the API had another page. */
  more: boolean;
}

export interface EndpointHealth {
  endpoint: Endpoint;
  failed: Counted;
  pending: Counted;
  /** Pending deliveries whose last try failed: they will be tried again. */
  retrying: number;
  failing: boolean;
}

/**
 * Whether a delivery's last try failed: a pending delivery was then tried and will be again. One sent again after it
 * was delivered waits with a last try that succeeded.
 *
 * @example
 * lastTryFailed({ …delivery, attempts: [{ at, status: 500, error: null, durationMs: 12 }] }); // true
 */
export function lastTryFailed(delivery: Pick<Delivery, "attempts">): boolean {
  const last = delivery.attempts.at(-1);
  return last !== undefined && !(last.status !== null && last.status >= 200 && last.status < 300);
}

async function counted(endpoint: Endpoint, status: DeliveryStatus, signal: AbortSignal): Promise<ApiPage<Delivery>> {
  return getJson<ApiPage<Delivery>>(apiPath("/api/deliveries", { endpoint: endpoint.id, status, limit: COUNTED }), signal);
}

/**
 * Every endpoint with its failed and pending deliveries counted, failing ones first, otherwise oldest registered first.
 *
 * @example
 * const health = await loadEndpointHealth(signal);
 */
export async function loadEndpointHealth(signal: AbortSignal): Promise<EndpointHealth[]> {
  const endpoints = await getJson<ApiPage<Endpoint>>("/api/endpoints", signal);
  const health = await Promise.all(
    endpoints.results.map(async (endpoint): Promise<EndpointHealth> => {
      const [failed, pending] = await Promise.all([counted(endpoint, "failed", signal), counted(endpoint, "pending", signal)]);
      const retrying = pending.results.filter(lastTryFailed).length;
      const count = (page: ApiPage<Delivery>) => ({ count: page.results.length, more: page.cursor !== null });
      return { endpoint, failed: count(failed), pending: count(pending), retrying, failing: failed.results.length > 0 || retrying > 0 };
    }),
  );
  return [...health.filter((h) => h.failing), ...health.filter((h) => !h.failing)];
}

/**
 * An endpoint's state as a badge that says it in words, not only in colour.
 *
 * @example
 * cell.append(healthBadge(health)); // <span class="badge failing" data-status="failing">Failing</span>
 */
export function healthBadge(health: Pick<EndpointHealth, "failing">): HTMLElement {
  const [status, text] = health.failing ? ["failing", "Failing"] : ["healthy", "Healthy"];
  return el("span", { className: `badge ${status}`, attrs: { "data-status": status } }, text);
}

/** A count that links to the deliveries it counts. */
function countColumn(status: "failed" | "pending", label: string): Column<EndpointHealth> {
  return {
    name: status,
    label,
    numeric: true,
    cell: (h) => {
      const { count, more } = h[status];
      const shown = figure(count, `${formatCount(count)}${more ? "+" : ""}`);
      return count > 0 ? link(href("deliveries", null, { endpoint: h.endpoint.id, status }), shown) : shown;
    },
  };
}

function takes(endpoint: Endpoint): Child {
  const types = endpoint.types?.join(", ") ?? "every type";
  const rooms = endpoint.roomNamePrefix === null ? " from every room" : [" from rooms beginning ", el("code", {}, endpoint.roomNamePrefix)];
  return [types, rooms];
}

/**
 * The endpoints table; its order is the one given (failing first), so its headers do not sort.
 *
 * @example
 * main.append(endpointsTable(await loadEndpointHealth(signal)));
 */
export function endpointsTable(health: EndpointHealth[]): HTMLElement {
  return dataTable<EndpointHealth>({
    caption: "Endpoints, failing first",
    rowKey: (h) => h.endpoint.id,
    rows: health,
    columns: [
      {
        name: "url",
        label: "Endpoint",
        cell: (h) => [el("span", { className: "url" }, h.endpoint.url), el("br"), el("small", { className: "hint" }, h.endpoint.id)],
      },
      { name: "state", label: "State", cell: healthBadge },
      countColumn("failed", "Failed"),
      countColumn("pending", "Pending"),
      numberColumn("retrying", "Pending after a failed try", (h) => h.retrying, formatCount, false),
      { name: "takes", label: "Takes", cell: (h) => takes(h.endpoint) },
      { name: "createdAt", label: "Registered", cell: (h) => timeText(h.endpoint.createdAt) },
    ],
  });
}
