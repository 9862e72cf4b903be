/**
 * The deliveries table (SPEC §10): what each delivery is about, where it goes, how its tries went and when the next
 * one is, and a button that sends it again. A row sent again follows its delivery until the next try is recorded, so
 * the viewer sees what came of it without reloading.
 */
import { apiFetch, getJson, UnauthorizedError } from "../api.js";
import { el, figure, replaceChildren, type Child } from "../dom.js";
import { formatCount, formatDateTime } from "../format.js";
import { href } from "../router.js";
import type { Delivery, DeliveryStatus, Endpoint } from "../types.js";
import { dataTable, link, numberColumn, timeText, type Column } from "../ui.js";

const STATUS_LABELS: Record<DeliveryStatus, string> = { pending: "Pending", delivered: "Delivered", failed: "Failed" };

/** How long a row sent again follows its delivery, and how often it looks. */
const FOLLOW_MS = 30_000;
const FOLLOW_EVERY_MS = 500;

export interface DeliveryTableContext {
  /** Endpoints by id; a delivery whose endpoint is missing here had it removed. */
  endpoints: ReadonlyMap<string, Endpoint>;
  signal: AbortSignal;
  /** Says what came of sending again, in the page's status line. */
  announce: (text: string) => void;
  /** Called once a delivery sent again has a result, so that counts elsewhere can follow. */
  onSettled: () => void;
}

/**
 * A delivery's status as a badge.
 *
 * @example
 * cell.append(deliveryBadge("failed")); // <span class="badge failed" data-status="failed">Failed</span>
 */
export function deliveryBadge(status: DeliveryStatus): HTMLElement {
  return el("span", { className: `badge ${status}`, attrs: { "data-status": status } }, STATUS_LABELS[status]);
}

/** `session.*` deliveries are about a session, `meeting.*` ones about a scheduled meeting (SPEC §10). */
function subject(delivery: Delivery): Child {
  const section = delivery.type.startsWith("session.") ? "sessions" : delivery.type.startsWith("meeting.") ? "meetings" : null;
  const room = delivery.roomName ? [el("br"), el("small", { className: "hint" }, delivery.roomName)] : null;
  return [section ? link(href(section, delivery.subjectId), delivery.subjectId) : delivery.subjectId, room];
}

function lastTry(delivery: Delivery): Child {
  const last = delivery.attempts.at(-1);
  if (!last) return "Not tried yet";
  return [
    figure(last.status, last.status === null ? "No HTTP answer" : `HTTP ${last.status}`),
    last.error ? [el("br"), el("span", { className: "try-error" }, last.error)] : null,
    el("br"),
    el("small", { className: "hint" }, timeText(last.at), `, ${formatCount(last.durationMs)} ms`),
  ];
}

function outcome(delivery: Delivery, triesBefore: number): string {
  const last = delivery.attempts.at(-1);
  const answer = last ? (last.status === null ? (last.error ?? "no answer") : `HTTP ${last.status}`) : "";
  if (delivery.status === "delivered") return `Delivered: the endpoint answered ${answer}.`;
  if (delivery.status === "failed") return `Failed again: ${answer}.`;
  if (delivery.attempts.length > triesBefore) return `Not taken (${answer}); next try ${formatDateTime(delivery.nextAttemptAt)}.`;
  return "Waiting to be sent; reload the page to see what came of it.";
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

async function sendAgain(
  delivery: Delivery,
  button: HTMLButtonElement,
  context: DeliveryTableContext,
  refresh: (delivery: Delivery) => void,
): Promise<void> {
  // aria-disabled rather than disabled: a disabled button would drop the keyboard focus.
  if (button.getAttribute("aria-disabled") === "true") return;
  button.setAttribute("aria-disabled", "true");
  const { signal, announce } = context;
  const path = `/api/deliveries/${encodeURIComponent(delivery.id)}`;
  try {
    let current = (await (await apiFetch(`${path}/retry`, { method: "POST", signal })).json()) as Delivery;
    refresh(current);
    announce(`Sending ${delivery.type} about ${delivery.subjectId} again…`);
    const triesBefore = current.attempts.length;
    const until = Date.now() + FOLLOW_MS;
    while (current.status === "pending" && current.attempts.length === triesBefore && Date.now() < until) {
      await pause(FOLLOW_EVERY_MS, signal);
      if (signal.aborted) return;
      current = await getJson<Delivery>(path, signal);
      refresh(current);
    }
    announce(outcome(current, triesBefore));
    context.onSettled();
  } catch (error) {
    if (signal.aborted || error instanceof UnauthorizedError) return;
    announce(`Could not send it again: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    button.removeAttribute("aria-disabled");
  }
}

/**
 * The deliveries in the order given (the API's, newest first), so its headers do not sort.
 *
 * @example
 * main.append(deliveriesTable(page.results, { endpoints, signal, announce, onSettled }));
 */
export function deliveriesTable(deliveries: Delivery[], context: DeliveryTableContext): HTMLElement {
  const endpointOf = (d: Delivery): Child => {
    const endpoint = context.endpoints.get(d.endpointId);
    return endpoint ? el("span", { className: "url" }, endpoint.url) : ["Removed endpoint ", el("small", { className: "hint" }, d.endpointId)];
  };
  const columns: Column<Delivery>[] = [
    { name: "createdAt", label: "Created", cell: (d) => timeText(d.createdAt) },
    { name: "type", label: "Type", cell: (d) => el("code", {}, d.type) },
    { name: "subject", label: "About", cell: subject },
    { name: "endpoint", label: "Endpoint", cell: endpointOf },
    { name: "status", label: "Status", cell: (d) => deliveryBadge(d.status) },
    numberColumn("tries", "Tries", (d) => d.attempts.length, formatCount, false),
    { name: "lastTry", label: "Last try", cell: lastTry },
    { name: "nextAttemptAt", label: "Next try", cell: (d) => timeText(d.nextAttemptAt) },
  ];
  // The button stays the same element while its row changes around it, so focus stays on it.
  const action: Column<Delivery> = {
    name: "action",
    label: "Action",
    cell: (d) => {
      if (!context.endpoints.has(d.endpointId)) return "—";
      const label = `Send again: ${d.type} about ${d.subjectId}`;
      const button = el("button", { attrs: { type: "button", "aria-label": label } }, "Send again");
      button.addEventListener("click", () => void sendAgain(d, button, context, refresh));
      return button;
    },
  };
  const region = dataTable<Delivery>({ caption: "Deliveries, newest first", rowKey: (d) => d.id, rows: deliveries, columns: [...columns, action] });

  function refresh(delivery: Delivery): void {
    const row = region.querySelector(`tr[data-row="${CSS.escape(delivery.id)}"]`);
    for (const column of columns) {
      const cell = row?.querySelector(`td[data-column="${column.name}"]`);
      if (cell) replaceChildren(cell, column.cell(delivery));
    }
  }
  return region;
}
