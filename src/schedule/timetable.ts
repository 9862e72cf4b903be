/**
 * A timetable export (SPEC §9): one CSV row per expected person,
 * `meeting_id,title,room_name,scheduled_start,scheduled_end,key,display_name,role`, read into one plan per meeting.
 * A row that cannot be used is refused with its line number and the rest go on; a meeting whose rows disagree on its
 * times is refused whole, since no one of them can be trusted over the others.
 */
import type { Readable } from "node:stream";
import { parse } from "csv-parse";
import { InvalidMeeting, readMeeting, type MeetingPlan } from "./meeting-input.js";

export const TIMETABLE_COLUMNS = ["meeting_id", "title", "room_name", "scheduled_start", "scheduled_end", "key", "display_name", "role"] as const;
/** The timetable's column for a field of the meeting. */
const COLUMN_OF: Record<string, string> = {
  title: "title", roomName: "room_name", scheduledStart: "scheduled_start", scheduledEnd: "scheduled_end",
  key: "key", displayName: "display_name", role: "role",
};
const REQUIRED = ["meeting_id", "scheduled_start", "scheduled_end"] as const;

export interface RefusedRow {
  /** The line the row begins on, the header being line 1. */
  line: number;
  reason: string;
}

export interface Timetable {
  plans: MeetingPlan[];
  refused: RefusedRow[];
  rows: number;
}

/** A timetable that cannot be read at all: no header, a missing column, broken CSV. */
export class TimetableError extends Error {}

type Row = Partial<Record<(typeof TIMETABLE_COLUMNS)[number], string>>;

interface Gathering {
  first: { line: number; row: Row };
  people: Array<{ line: number; row: Row }>;
  /** The lines whose person was refused: the meeting is read without them. */
  without?: ReadonlySet<number>;
}

const blankToNull = (value: string | undefined) => (value === undefined || value.trim() === "" ? null : value.trim());

function planOf(meetingId: string, gathering: Gathering, refused: RefusedRow[]): MeetingPlan | null {
  const { first } = gathering;
  const agree = (row: Row) =>
    (["title", "room_name", "scheduled_start", "scheduled_end"] as const).every((column) => blankToNull(row[column]) === blankToNull(first.row[column]));
  const disagreeing = gathering.people.filter(({ row }) => !agree(row));
  if (disagreeing.length > 0) {
    const lines = disagreeing.map((p) => p.line).join(", ");
    const reason = `meeting ${meetingId}: its title, room or times differ from line ${first.line}'s on line ${lines}`;
    for (const { line } of [first, ...gathering.people.filter(({ row }) => agree(row))]) refused.push({ line, reason });
    for (const { line } of disagreeing) refused.push({ line, reason });
    return null;
  }
  const expected = [first, ...gathering.people].filter(({ line, row }) => blankToNull(row.key) !== null && !gathering.without?.has(line));
  try {
    return readMeeting(meetingId, {
      title: blankToNull(first.row.title),
      roomName: blankToNull(first.row.room_name),
      scheduledStart: first.row.scheduled_start?.trim(),
      scheduledEnd: first.row.scheduled_end?.trim(),
      expected: expected.map(({ row }) => ({ key: blankToNull(row.key), displayName: blankToNull(row.display_name), role: blankToNull(row.role) })),
    });
  } catch (error) {
    if (!(error instanceof InvalidMeeting)) throw error;
    const person = /^expected\[(\d+)\]/.exec(error.field);
    const lines = person ? [expected[Number(person[1])]!.line] : [first, ...gathering.people].map((p) => p.line);
    const field = error.field.replace(/^expected\[\d+\]\./, "");
    for (const line of lines) refused.push({ line, reason: `meeting ${meetingId}: ${COLUMN_OF[field] ?? field} ${error.problem}` });
    if (!person) return null;
    return planOf(meetingId, { ...gathering, without: new Set([...(gathering.without ?? []), lines[0]!]) }, refused);
  }
}

/**
 * Reads a timetable from CSV text (a byte order mark and CRLF line ends are taken as spreadsheets write them).
 * `onRow` hears of each row read, for a progress line.
 */
export async function readTimetable(input: Readable | string, onRow?: (rows: number) => void): Promise<Timetable> {
  // Records as arrays, blank lines as [""], lines counted here: csv-parse's `columns` and `info` made reading a
  // 600,000-row timetable take 7 s instead of 4.
  const parser = parse({ bom: true, relax_column_count: true });
  const gathered = new Map<string, Gathering>();
  const refused: RefusedRow[] = [];
  let columns: string[] | null = null;
  let rows = 0;
  let nextLine = 1;
  if (typeof input === "string") parser.end(input);
  else input.pipe(parser);
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      const line = nextLine;
      nextLine += 1 + fields.reduce((lines, field) => lines + lineBreaksIn(field), 0);
      if (fields.length === 1 && fields[0] === "") continue;
      if (columns === null) {
        columns = checkedHeader(fields);
        continue;
      }
      rows += 1;
      onRow?.(rows);
      const record: Row = {};
      for (const [i, name] of columns.entries()) if (i < fields.length) record[name as keyof Row] = fields[i];
      const meetingId = blankToNull(record.meeting_id);
      if (meetingId === null) {
        refused.push({ line, reason: "meeting_id is empty" });
        continue;
      }
      const gathering = gathered.get(meetingId);
      if (gathering) gathering.people.push({ line, row: record });
      else gathered.set(meetingId, { first: { line, row: record }, people: [] });
    }
  } catch (error) {
    if (error instanceof TimetableError) throw error;
    throw new TimetableError(`the file is not CSV a timetable can be read from: ${(error as Error).message}`);
  }
  const headed = columns !== null;
  if (!headed) throw new TimetableError(`the file is empty: it needs the header ${TIMETABLE_COLUMNS.join(",")}`);
  const plans: MeetingPlan[] = [];
  for (const [meetingId, gathering] of gathered) {
    const plan = planOf(meetingId, gathering, refused);
    if (plan !== null) plans.push(plan);
  }
  refused.sort((a, b) => a.line - b.line);
  return { plans, refused, rows };
}

/** The line breaks within a quoted field: CRLF, CR or LF, each one line. */
function lineBreaksIn(field: string): number {
  if (!field.includes("\n") && !field.includes("\r")) return 0;
  return field.match(/\r\n|\r|\n/g)!.length;
}

function checkedHeader(header: string[]): string[] {
  const names = header.map((name) => name.trim().toLowerCase());
  const missing = REQUIRED.filter((column) => !names.includes(column));
  if (missing.length > 0) {
    throw new TimetableError(`the header must name the columns ${TIMETABLE_COLUMNS.join(",")}; ${missing.join(", ")} is missing`);
  }
  return names;
}
