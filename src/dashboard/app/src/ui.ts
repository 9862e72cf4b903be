/**
 * Pieces every page uses: headings, notices, figure lists and tables whose headers sort.
 */
import { el, figure, replaceChildren, type Child } from "./dom.js";
import { formatDateTime } from "./format.js";

/**
 * The page's h1, focused after navigation so that keyboard and screen-reader users land on the new content.
 *
 * @example
 * main.append(pageHeading("Sessions"));
 */
export function pageHeading(text: string, ...extra: Child[]): HTMLHeadingElement {
  document.title = `${text} · meetmeter`;
  const heading = el("h1", { attrs: { tabindex: -1 } }, text, ...extra);
  requestAnimationFrame(() => {
    // Only when focus was lost with the old page (or sits in the menu): never steal it from a field.
    const active = document.activeElement;
    const focusLost = !active || active === document.body || active.closest("nav") !== null;
    if (heading.isConnected && focusLost) heading.focus({ preventScroll: true });
  });
  return heading;
}

/**
 * A polite status line ("Loading…", "No sessions yet").
 *
 * @example
 * main.append(notice("Loading sessions…"));
 */
export function notice(text: string): HTMLParagraphElement {
  return el("p", { className: "notice", attrs: { role: "status" } }, text);
}

/**
 * An error shown in place of the page's content.
 *
 * @example
 * replaceChildren(main, errorNotice("Could not load the session.", error));
 */
export function errorNotice(text: string, detail?: string): HTMLDivElement {
  const paragraphs = [el("p", {}, text), detail ? el("p", {}, detail) : null];
  return el("div", { className: "error", attrs: { role: "alert" } }, ...paragraphs);
}

/**
 * A timestamp for people, with the exact instant in `datetime`; a dash when there is none.
 *
 * @example
 * cell.append(timeText(person.firstJoinedAt));
 */
export function timeText(iso: string | null): Child {
  return iso ? el("time", { attrs: { datetime: iso } }, formatDateTime(iso)) : "—";
}

/**
 * A link inside the app.
 *
 * @example
 * link(href("sessions", session.id), "Open")
 */
export function link(target: string, ...children: Child[]): HTMLAnchorElement {
  return el("a", { attrs: { href: target } }, ...children);
}

/**
 * A labelled form control stacked over its label.
 *
 * @example
 * field("Room", el("input", { attrs: { id: "filter-room" } }))
 */
export function field(label: string, control: HTMLElement): HTMLDivElement {
  return el("div", { className: "field" }, el("label", { attrs: { for: control.id } }, label), control);
}

export interface FigureItem {
  label: string;
  value: Child;
  /** Names the figure for tests and scripts: `data-figure` on the item. */
  name: string;
}

/**
 * Summary figures as a description list of cards.
 *
 * @example
 * figureList([{ name: "peakParticipants", label: "Peak participants", value: figure(4, "4") }]);
 */
export function figureList(items: FigureItem[]): HTMLDListElement {
  return el(
    "dl",
    { className: "figures" },
    ...items.map((item) =>
      el("div", { attrs: { "data-figure": item.name } }, el("dt", {}, item.label), el("dd", {}, item.value)),
    ),
  );
}

export interface Column<Row> {
  label: string;
  /** Names the column for tests and scripts: `data-column` on its cells. */
  name: string;
  /** What the column sorts by; leave out for columns that do not sort. */
  sortValue?: (row: Row) => number | string | null;
  cell: (row: Row) => Child;
  numeric?: boolean;
}

export interface TableOptions<Row> {
  caption: string;
  columns: Column<Row>[];
  rows: Row[];
  /** The column sorted at first; without one, rows stay in the order given. */
  sortBy?: { name: string; direction: "ascending" | "descending" };
  footer?: Child[];
  /** `data-row` on each row, for tests and scripts. */
  rowKey?: (row: Row) => string;
}

/**
 * A column of figures: each cell shows `format(value)` and keeps the exact value in `<data>`; it sorts by the value
 * unless `sortable` is false.
 *
 * @example
 * numberColumn("peakParticipants", "Peak", (s) => s.peakParticipants, formatCount)
 */
export function numberColumn<Row>(
  name: string,
  label: string,
  value: (row: Row) => number | null,
  format: (value: number) => string,
  sortable = true,
): Column<Row> {
  return {
    name,
    label,
    numeric: true,
    sortValue: sortable ? value : undefined,
    cell: (row) => {
      const v = value(row);
      return figure(v, v === null ? "—" : format(v));
    },
  };
}

/**
 * A column of timestamps, sorting by time.
 *
 * @example
 * timeColumn("firstJoinedAt", "First joined", (p) => p.firstJoinedAt)
 */
export function timeColumn<Row>(name: string, label: string, value: (row: Row) => string | null): Column<Row> {
  return { name, label, sortValue: value, cell: (row) => timeText(value(row)) };
}

function compare(a: number | string | null, b: number | string | null): number {
  // Missing values go last whichever way the column sorts, so they never hide the figures that matter.
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: "base" });
}

/**
 * A table in a horizontally scrollable region; headers of sortable columns are buttons.
 *
 * @example
 * dataTable({ caption: "Rooms", columns, rows: rooms, sortBy: { name: "roomName", direction: "ascending" } });
 */
export function dataTable<Row>(options: TableOptions<Row>): HTMLDivElement {
  let sort = options.sortBy ?? null;
  const tbody = el("tbody");
  const headerCells = options.columns.map((column) => {
    const th = el("th", {
      attrs: { scope: "col", "data-column": column.name },
      className: column.numeric ? "numeric" : "",
    });
    if (column.sortValue) {
      const button = el("button", { attrs: { type: "button" }, on: { click: () => sortBy(column) } }, column.label);
      th.append(button);
    } else {
      th.append(column.label);
    }
    return th;
  });

  function sortBy(column: Column<Row>): void {
    const direction = sort?.name === column.name && sort.direction === "ascending" ? "descending" : "ascending";
    sort = { name: column.name, direction };
    render();
  }

  function render(): void {
    let rows = options.rows;
    const column = sort && options.columns.find((c) => c.name === sort?.name);
    if (sort && column?.sortValue) {
      const value = column.sortValue;
      const sign = sort.direction === "ascending" ? 1 : -1;
      rows = [...rows].sort((a, b) => {
        const va = value(a);
        const vb = value(b);
        if (va === null || vb === null) return compare(va, vb);
        return sign * compare(va, vb);
      });
    }
    options.columns.forEach((c, index) => {
      const th = headerCells[index];
      if (!th || !c.sortValue) return;
      if (sort?.name === c.name) th.setAttribute("aria-sort", sort.direction);
      else th.removeAttribute("aria-sort");
    });
    replaceChildren(
      tbody,
      ...rows.map((row) =>
        el(
          "tr",
          { attrs: { "data-row": options.rowKey?.(row) } },
          ...options.columns.map((c) =>
            el("td", { className: c.numeric ? "numeric" : "", attrs: { "data-column": c.name } }, c.cell(row)),
          ),
        ),
      ),
    );
  }

  render();
  const table = el(
    "table",
    {},
    el("caption", {}, options.caption),
    el("thead", {}, el("tr", {}, ...headerCells)),
    tbody,
    options.footer ? el("tfoot", {}, el("tr", {}, ...options.footer)) : null,
  );
  // A focusable, labelled region lets keyboard users scroll a wide table on a narrow screen.
  const region = { role: "region", "aria-label": options.caption, tabindex: 0 };
  return el("div", { className: "table-scroll", attrs: region }, table);
}
