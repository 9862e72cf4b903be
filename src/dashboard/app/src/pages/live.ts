/**
 * Live: each webhook as it is stored, pretty-printed, newest on top; the quickest way to see that Whereby's
 * deliveries arrive. Reconnects by itself when the stream drops, and resumes after the last event it showed
 * (Last-Event-ID), so that nothing stored meanwhile is missed.
 */
import { apiFetch, UnauthorizedError } from "../api.js";
import { el, replaceChildren } from "../dom.js";
import { formatDateTime } from "../format.js";
import { readSse } from "../sse.js";
import type { StoredEvent } from "../types.js";
import { pageHeading } from "../ui.js";
import type { Page } from "./page.js";

/** Older events drop off the bottom so that a busy stream cannot grow the page without end. */
export const LIVE_EVENT_LIMIT = 200;

function roomOf(event: StoredEvent): string | null {
  const body = event.body as { data?: { roomName?: unknown } } | null;
  return typeof body?.data?.roomName === "string" ? body.data.roomName : null;
}

function eventItem(event: StoredEvent): HTMLLIElement {
  const room = roomOf(event);
  return el(
    "li",
    { className: "live-event", attrs: { "data-event-id": event.id } },
    el(
      "p",
      { className: "live-event-head" },
      el("strong", { className: "event-type" }, event.type),
      " · ",
      el("time", { attrs: { datetime: event.createdAt } }, formatDateTime(event.createdAt)),
      room ? ` · ${room}` : null,
      event.channel ? ` · channel ${event.channel}` : null,
    ),
    el("pre", { attrs: { tabindex: 0, "aria-label": `${event.type} ${event.id}` } }, JSON.stringify(event, null, 2)),
  );
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

export const livePage: Page = async ({ main, signal }) => {
  const status = el("p", { className: "live-status", attrs: { role: "status", id: "live-status" } }, "Connecting…");
  const count = el("span", { attrs: { id: "live-count" } }, "0");
  const list = el("ol", { className: "live-events", attrs: { "aria-label": "Events, newest first" } });
  let received = 0;
  const clear = el(
    "button",
    {
      attrs: { type: "button" },
      on: {
        click: () => {
          list.replaceChildren();
          received = 0;
          count.textContent = "0";
        },
      },
    },
    "Clear",
  );
  replaceChildren(
    main,
    pageHeading("Live"),
    el(
      "p",
      { className: "hint" },
      `Webhooks appear here the moment they are stored, newest first (the last ${LIVE_EVENT_LIMIT} are kept).`,
    ),
    el("div", { className: "toolbar" }, status, el("span", { className: "hint" }, "Received: ", count), clear),
    list,
  );

  let backoffMs = 1000;
  /** The `id:` of the last event shown: its place in the log, where a new connection resumes. */
  let lastEventId: string | null = null;
  while (!signal.aborted) {
    try {
      const headers: Record<string, string> = { accept: "text/event-stream" };
      if (lastEventId !== null) headers["last-event-id"] = lastEventId;
      const response = await apiFetch("/api/events/stream", { headers, signal });
      if (!response.body) throw new Error("The stream has no body.");
      status.textContent = "Connected: waiting for events.";
      status.dataset.state = "connected";
      backoffMs = 1000;
      for await (const message of readSse(response.body)) {
        // The stream's events are unnamed ("message"); any other name is not one this page knows.
        if (message.event !== "message") continue;
        if (message.id !== null) lastEventId = message.id;
        const event = JSON.parse(message.data) as StoredEvent;
        list.prepend(eventItem(event));
        while (list.childElementCount > LIVE_EVENT_LIMIT) list.lastElementChild?.remove();
        received += 1;
        count.textContent = String(received);
      }
    } catch (error) {
      if (signal.aborted || error instanceof UnauthorizedError) return;
    }
    if (signal.aborted) return;
    status.dataset.state = "reconnecting";
    status.textContent = `Disconnected; reconnecting in ${Math.round(backoffMs / 1000)} s…`;
    await wait(backoffMs, signal);
    backoffMs = Math.min(backoffMs * 2, 15_000);
  }
};
