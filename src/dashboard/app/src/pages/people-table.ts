/**
 * The attendance table of a session: one row per person, sortable by any column, each name linking to the person.
 */
import { el, figure } from "../dom.js";
import { formatDateTime, formatDuration, formatPercent } from "../format.js";
import { personHref } from "../router.js";
import type { Person } from "../types.js";
import { dataTable, type Column } from "../ui.js";

/**
 * How a person's metadata stands: verified, flagged, unsigned, or absent.
 *
 * @example
 * metadataStatus(person); // "verified"
 */
export function metadataStatus(person: Person): string {
  if (person.metadataProblem) return person.metadataProblem;
  if (person.metadataVerified === true) return "verified";
  if (person.metadata !== null && person.metadata !== undefined) return "unsigned";
  return "—";
}

const time = (iso: string | null) => (iso ? el("time", { attrs: { datetime: iso } }, formatDateTime(iso)) : "—");

/**
 * The table; `caption` names it ("Attendance", "Bots").
 *
 * @example
 * main.append(peopleTable("Attendance", session.participants));
 */
export function peopleTable(caption: string, people: Person[]): HTMLDivElement {
  const columns: Column<Person>[] = [
    {
      name: "displayName",
      label: "Name",
      sortValue: (p) => p.displayName ?? p.key,
      cell: (p) => el("a", { attrs: { href: personHref(p.key) } }, p.displayName ?? p.key),
    },
    { name: "key", label: "Key", sortValue: (p) => p.key, cell: (p) => el("code", {}, p.key) },
    { name: "roleName", label: "Role", sortValue: (p) => p.roleName, cell: (p) => p.roleName ?? "—" },
    { name: "firstJoinedAt", label: "First joined", sortValue: (p) => p.firstJoinedAt, cell: (p) => time(p.firstJoinedAt) },
    { name: "lastLeftAt", label: "Last left", sortValue: (p) => p.lastLeftAt, cell: (p) => time(p.lastLeftAt) },
    {
      name: "connectedSeconds",
      label: "Connected",
      numeric: true,
      sortValue: (p) => p.connectedSeconds,
      cell: (p) => figure(p.connectedSeconds, formatDuration(p.connectedSeconds)),
    },
    {
      name: "attendancePercent",
      label: "Attendance",
      numeric: true,
      sortValue: (p) => p.attendancePercent,
      cell: (p) => figure(p.attendancePercent, formatPercent(p.attendancePercent)),
    },
    {
      name: "waitedSeconds",
      label: "Waited",
      numeric: true,
      sortValue: (p) => p.waitedSeconds,
      cell: (p) => figure(p.waitedSeconds, formatDuration(p.waitedSeconds)),
    },
    {
      name: "connections",
      label: "Connections",
      numeric: true,
      sortValue: (p) => p.connections.length,
      cell: (p) => figure(p.connections.length, String(p.connections.length)),
    },
    { name: "metadata", label: "Metadata", sortValue: metadataStatus, cell: metadataStatus },
  ];
  return dataTable({ caption, columns, rows: people, rowKey: (p) => p.key });
}
