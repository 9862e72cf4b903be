/**
 * The attendance table of a session: one row per person, sortable by any column, each name linking to the person.
 */
import { el } from "../dom.js";
import { formatDuration, formatPercent } from "../format.js";
import { personHref } from "../router.js";
import type { Person } from "../types.js";
import { dataTable, link, numberColumn, timeColumn } from "../ui.js";

/**
 * How a person's metadata stands: verified, flagged, unsigned, or absent.
 *
 * @example
 * metadataStatus(person); // "verified"
 */
export function metadataStatus(person: Person): string {
  if (person.metadataProblem) return person.metadataProblem;
  if (person.metadataVerified === true) return "verified";
  if (person.metadata !== null) return "unsigned";
  return "—";
}

/**
 * The table; `caption` names it ("Attendance, one row per person", "Bots").
 *
 * @example
 * main.append(peopleTable("Bots", session.bots));
 */
export function peopleTable(caption: string, people: Person[]): HTMLDivElement {
  return dataTable<Person>({
    caption,
    rows: people,
    rowKey: (p) => p.key,
    columns: [
      {
        name: "displayName",
        label: "Name",
        sortValue: (p) => p.displayName ?? p.key,
        cell: (p) => link(personHref(p.key), p.displayName ?? p.key),
      },
      { name: "key", label: "Key", sortValue: (p) => p.key, cell: (p) => el("code", {}, p.key) },
      { name: "roleName", label: "Role", sortValue: (p) => p.roleName, cell: (p) => p.roleName ?? "—" },
      timeColumn("firstJoinedAt", "First joined", (p) => p.firstJoinedAt),
      timeColumn("lastLeftAt", "Last left", (p) => p.lastLeftAt),
      numberColumn("connectedSeconds", "Connected", (p) => p.connectedSeconds, formatDuration),
      numberColumn("attendancePercent", "Attendance", (p) => p.attendancePercent, formatPercent),
      numberColumn("waitedSeconds", "Waited", (p) => p.waitedSeconds, formatDuration),
      numberColumn("connections", "Connections", (p) => p.connections.length, String),
      { name: "metadata", label: "Metadata", sortValue: metadataStatus, cell: metadataStatus },
    ],
  });
}
