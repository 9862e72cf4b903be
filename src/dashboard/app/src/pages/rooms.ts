/**
 * Rooms: every room with its sessions, people and minutes; each links to its sessions.
 */
import { apiPath, getJson } from "../api.js";
import { replaceChildren } from "../dom.js";
import { formatCount, formatMinutes } from "../format.js";
import { href } from "../router.js";
import type { Page as ApiPage, RoomSummary } from "../types.js";
import { dataTable, link, notice, numberColumn, pageHeading, timeColumn } from "../ui.js";
import type { Page } from "./page.js";

function roomsTable(rooms: RoomSummary[]): HTMLDivElement {
  return dataTable<RoomSummary>({
    caption: "Rooms",
    rows: rooms,
    rowKey: (r) => r.roomName,
    sortBy: { name: "lastSessionStartedAt", direction: "descending" },
    columns: [
      {
        name: "roomName",
        label: "Room",
        sortValue: (r) => r.roomName,
        cell: (r) => link(href("sessions", null, { roomName: r.roomName }), r.roomName),
      },
      numberColumn("totalSessions", "Sessions", (r) => r.totalSessions, formatCount),
      timeColumn("firstSessionStartedAt", "First session", (r) => r.firstSessionStartedAt),
      timeColumn("lastSessionStartedAt", "Last session", (r) => r.lastSessionStartedAt),
      numberColumn("uniqueParticipants", "People", (r) => r.uniqueParticipants, formatCount),
      numberColumn("participantSeconds", "Participant minutes", (r) => r.participantSeconds, formatMinutes),
      numberColumn("billableParticipantMinutes", "Billable minutes", (r) => r.billableParticipantMinutes, formatCount),
    ],
  });
}

export const roomsPage: Page = async ({ main, route, signal }) => {
  const path = apiPath("/api/rooms", { cursor: route.query.get("cursor") });
  const page = await getJson<ApiPage<RoomSummary>>(path, signal);
  const more = page.cursor ? link(href("rooms", null, { cursor: page.cursor }), "More rooms →") : null;
  replaceChildren(
    main,
    pageHeading("Rooms"),
    page.results.length > 0 ? roomsTable(page.results) : notice("No rooms yet: they appear with their first webhook."),
    more,
  );
};
