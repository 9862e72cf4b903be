/**
 * Rooms: every room with its sessions, people and minutes; each links to its sessions.
 */
import { apiPath, getJson } from "../api.js";
import { el, figure, replaceChildren } from "../dom.js";
import { formatCount, formatDateTime, formatMinutes } from "../format.js";
import { href } from "../router.js";
import type { Page as ApiPage, RoomSummary } from "../types.js";
import { dataTable, notice, pageHeading } from "../ui.js";
import type { Page } from "./page.js";

const time = (iso: string | null) => (iso ? el("time", { attrs: { datetime: iso } }, formatDateTime(iso)) : "—");

export const roomsPage: Page = async ({ main, route, signal }) => {
  const page = await getJson<ApiPage<RoomSummary>>(apiPath("/api/rooms", { cursor: route.query.get("cursor") }), signal);
  const heading = pageHeading("Rooms");
  if (page.results.length === 0) {
    replaceChildren(main, heading, notice("No rooms yet: they appear with their first webhook."));
    return;
  }
  replaceChildren(
    main,
    heading,
    dataTable<RoomSummary>({
      caption: "Rooms",
      rows: page.results,
      rowKey: (r) => r.roomName,
      sortBy: { name: "lastSessionStartedAt", direction: "descending" },
      columns: [
        { name: "roomName", label: "Room", sortValue: (r) => r.roomName, cell: (r) => el("a", { attrs: { href: href("sessions", null, { roomName: r.roomName }) } }, r.roomName) },
        { name: "totalSessions", label: "Sessions", numeric: true, sortValue: (r) => r.totalSessions, cell: (r) => figure(r.totalSessions, formatCount(r.totalSessions)) },
        { name: "firstSessionStartedAt", label: "First session", sortValue: (r) => r.firstSessionStartedAt, cell: (r) => time(r.firstSessionStartedAt) },
        { name: "lastSessionStartedAt", label: "Last session", sortValue: (r) => r.lastSessionStartedAt, cell: (r) => time(r.lastSessionStartedAt) },
        { name: "uniqueParticipants", label: "People", numeric: true, sortValue: (r) => r.uniqueParticipants, cell: (r) => figure(r.uniqueParticipants, formatCount(r.uniqueParticipants)) },
        { name: "participantSeconds", label: "Participant minutes", numeric: true, sortValue: (r) => r.participantSeconds, cell: (r) => figure(r.participantSeconds, formatMinutes(r.participantSeconds)) },
        { name: "billableParticipantMinutes", label: "Billable minutes", numeric: true, sortValue: (r) => r.billableParticipantMinutes, cell: (r) => figure(r.billableParticipantMinutes, formatCount(r.billableParticipantMinutes)) },
      ],
    }),
    page.cursor ? el("nav", { className: "paging", attrs: { "aria-label": "Pages" } }, el("a", { attrs: { href: href("rooms", null, { cursor: page.cursor }), rel: "next" } }, "More rooms →")) : null,
  );
};
