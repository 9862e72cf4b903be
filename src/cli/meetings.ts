/**
 * `meetmeter meetings import <file.csv>`: a timetable export into the scheduled meetings (SPEC §9), with a progress
 * line and a summary; `meetmeter report meeting <id>` (see report.ts) prints one meeting's roster result.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import type { Command } from "commander";
import { ConfigError } from "../config.js";
import { MeetingResults } from "../projection/meeting-results.js";
import type { MeetingRules } from "../attendance/roster.js";
import { readTimetable, TimetableError, type Timetable } from "../schedule/timetable.js";
import type { Meetings } from "../store/event-store.js";
import { databaseOption, progressBar, withStore } from "./context.js";

/** Plans stored a transaction at a time, and results derived as many at a time. */
const MEETINGS_PER_BATCH = 1_000;

/** Refusals printed in full; past this many, how many more there were. */
const REFUSALS_SHOWN = 50;

/**
 * Reads a timetable file into the store and derives each meeting's result, printing a summary line; null (after one
 * line on stderr) when the file cannot be read as a timetable at all, and then nothing is imported.
 */
export async function importTimetable(store: Meetings, file: string, rules: MeetingRules): Promise<Timetable | null> {
  // On a terminal, a line that counts the rows read; pipes and logs get the summary alone.
  const counting = process.stderr.isTTY ? (rows: number) => rows % 10_000 === 0 && process.stderr.write(`\rread ${rows} rows`) : undefined;
  let timetable: Timetable;
  try {
    timetable = await readTimetable(createReadStream(file), counting);
  } catch (error) {
    if (!(error instanceof TimetableError)) throw error;
    console.error(`meetmeter: ${file}: ${error.message}; nothing was imported`);
    return null;
  } finally {
    if (counting) process.stderr.write("\r\x1b[K");
  }
  const { plans, refused, rows } = timetable;
  const bar = await progressBar(plans.length, "meetings");
  const results = new MeetingResults(store, rules);
  let replaced = 0;
  for (let i = 0; i < plans.length; i += MEETINGS_PER_BATCH) {
    const batch = plans.slice(i, i + MEETINGS_PER_BATCH);
    replaced += (await store.putMeetings(batch)).size;
    await results.refresh(batch.map((plan) => plan.meetingId), Date.now());
    bar.update(i + batch.length);
  }
  bar.stop();
  console.log(
    `imported ${plans.length} meetings from ${rows} rows of ${file}: ${plans.length - replaced} created, ${replaced} replaced, ` +
      `${refused.length} rows refused`,
  );
  return timetable;
}

export function register(program: Command): void {
  const meetings = program.command("meetings").description("scheduled meetings: the timetable that says who was expected");

  databaseOption(
    meetings
      .command("import")
      .description("create or replace meetings from a timetable CSV: meeting_id,title,room_name,scheduled_start,scheduled_end,key,display_name,role")
      .argument("<file.csv>"),
  ).action(async (file: string, flags: { database?: string }) => {
    if (!existsSync(file) || statSync(file).isDirectory()) throw new ConfigError(`<file.csv> must be a timetable file, and ${file} is none.`);
    await withStore(flags, async (store, config) => {
      const imported = await importTimetable(store, file, config.meetingRules);
      if (imported === null) {
        process.exitCode = 1;
        return;
      }
      for (const { line, reason } of imported.refused.slice(0, REFUSALS_SHOWN)) console.error(`line ${line}: ${reason}`);
      if (imported.refused.length > REFUSALS_SHOWN) console.error(`… and ${imported.refused.length - REFUSALS_SHOWN} more rows refused`);
      if (imported.refused.length > 0) process.exitCode = 1;
    });
  });
}
