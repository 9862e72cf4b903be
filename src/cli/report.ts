/** `meetmeter report sessions|session <id>|meeting <id>|usage`: the derived figures straight from the database. */
import { Option, type Command } from "commander";
import { attendanceCsv, meetingAttendanceCsv, toCsv } from "../api/csv.js";
import { ReadModel } from "../api/read-model.js";
import { rangeProblem } from "../api/time-range.js";
import { isTimeZone, usageBound, type UsageInterval } from "../api/usage.js";
import type { Attendance } from "../attendance/roster.js";
import type { SessionDetail, SessionSummary } from "../attendance/types.js";
import { ConfigError, type Config } from "../config.js";
import { ISO_INSTANT_HINT, parseIsoInstant } from "../iso-time.js";
import { meetingAnswer, MeetingResults, type DerivedMeeting } from "../projection/meeting-results.js";
import { Projector } from "../projection/projector.js";
import type { EventReads, Meetings, SessionQueries, SessionWrites } from "../store/event-store.js";
import { databaseOption, withExistingStore } from "./context.js";
import { formatDuration, formatTable, type Cell } from "./table.js";

type Format = "table" | "csv" | "json";

const formatOption = () =>
  new Option("--format <format>", "table, csv or json").choices(["table", "csv", "json"]).default("table");

/**
 * As the API reads `from` and `to`: a time of day needs its zone, and a date is its midnight UTC, or in `tz` when one
 * is given (as /api/usage takes it).
 */
function instant(name: string, value: string | undefined, tz?: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = tz === undefined ? parseIsoInstant(value, { dateOnly: true }) : usageBound(value, tz);
  if (ms === null) throw new ConfigError(`${name} must be a date or ${ISO_INSTANT_HINT}, got "${value}".`);
  return new Date(ms).toISOString();
}

/** As the API refuses it: a `--from` at or after `--to` is a usage error. */
function checkRange(from: string | null | undefined, to: string | null | undefined): void {
  if (rangeProblem(from, to) !== null) throw new ConfigError("--from must be before --to.");
}

/** Reads as the service answers them; a session that fell silent since it was saved is derived again here. */
function readModelOf(store: SessionQueries & EventReads & SessionWrites & Meetings, config: Config): ReadModel {
  return new ReadModel(store, new Projector(store, config.derive, { delayMs: 0 }));
}

const minutes = (seconds: number) => Math.round((seconds / 60) * 10) / 10;

const SESSION_HEADER = ["id", "room", "started", "duration", "peak", "people", "participant min", "billable min", "live"];

function sessionRows(results: readonly SessionSummary[], durations: "text" | "seconds"): Cell[][] {
  return results.map((s) => [
    s.id,
    s.roomName,
    s.startedAt,
    durations === "seconds" ? s.durationSeconds : formatDuration(s.durationSeconds),
    s.peakParticipants,
    s.uniqueParticipants,
    minutes(s.participantSeconds),
    s.billableParticipantMinutes,
    s.ongoing ? "live" : "",
  ]);
}

/** Sessions as a terminal table. */
export function sessionsTable(results: readonly SessionSummary[]): string {
  return results.length === 0 ? "No sessions yet." : formatTable(SESSION_HEADER, sessionRows(results, "text"));
}

/** One session's figures and its attendance, as a terminal text. */
export function sessionText(session: SessionDetail): string {
  const summary = [
    `Session ${session.id} in ${session.roomName ?? "(no room)"}${session.ongoing ? " (live)" : ""}`,
    `  started ${session.startedAt}, ended ${session.endedAt ?? "-"}, lasted ${formatDuration(session.durationSeconds)}`,
    `  ${session.uniqueParticipants} people, peak ${session.peakParticipants} in the room, ` +
      `${minutes(session.participantSeconds)} participant minutes (${session.billableParticipantMinutes} billable)`,
    `  knocks ${session.knocks}, cancelled ${session.knocksCancelled}, bots ${session.bots.length}`,
  ].join("\n");
  const attendance = formatTable(
    ["person", "name", "role", "connected", "attendance %", "waited", "connections", "metadata"],
    session.participants.map((p) => [
      p.key,
      p.displayName,
      p.roleName,
      formatDuration(p.connectedSeconds),
      p.attendancePercent,
      p.waitedSeconds === null ? null : formatDuration(p.waitedSeconds),
      p.connections.length,
      p.metadataProblem ?? (p.metadataVerified === true ? "verified" : ""),
    ]),
  );
  return `${summary}\n\n${attendance}`;
}

/** One meeting's roster result, as a terminal text. */
export function meetingText({ plan, result }: DerivedMeeting): string {
  const late = (seconds: number | null) => (seconds === null ? "-" : formatDuration(seconds));
  const summary = [
    `Meeting ${plan.meetingId}${plan.title ? ` "${plan.title}"` : ""}${plan.roomName ? ` in ${plan.roomName}` : ""}: ${result.status}`,
    `  scheduled ${plan.scheduledStart} to ${plan.scheduledEnd}; started late by ${late(result.startedLateSeconds)}, ` +
      `host late by ${late(result.hostLateSeconds)}, overran by ${late(result.overranSeconds)}`,
    `  sessions: ${result.sessions.length === 0 ? "none" : result.sessions.join(", ")}`,
  ].join("\n");
  const header = ["person", "name", "role", "status", "late", "left early", "connected", "outside", "attendance %", "waited"];
  const row = (p: Attendance, status: string): Cell[] => [
    p.key,
    p.displayName,
    p.role,
    status,
    p.lateSeconds === null ? null : formatDuration(p.lateSeconds),
    p.leftEarlySeconds === null ? null : formatDuration(p.leftEarlySeconds),
    formatDuration(p.connectedSeconds),
    formatDuration(p.connectedOutsideSeconds),
    p.attendancePercent,
    p.waitedSeconds === null ? null : formatDuration(p.waitedSeconds),
  ];
  const rows = [...result.roster.map((entry) => row(entry, entry.status)), ...result.unexpected.map((p) => row(p, "unexpected"))];
  return rows.length === 0 ? `${summary}\n\nNobody expected, nobody came.` : `${summary}\n\n${formatTable(header, rows)}`;
}

export function register(program: Command): void {
  const report = program.command("report").description("print derived figures from DATABASE_URL");

  databaseOption(report.command("sessions").description("sessions, newest first"))
    .addOption(formatOption())
    .option("--room <roomName>", "only this room")
    .option("--from <time>", "started at or after")
    .option("--to <time>", "started before")
    .option("--limit <n>", "most sessions to list", "50")
    .action(async (flags: { database?: string; format: Format; room?: string; from?: string; to?: string; limit: string }) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new ConfigError("--limit must be 1 to 10000.");
      const filter = { roomName: flags.room, from: instant("--from", flags.from), to: instant("--to", flags.to) };
      checkRange(filter.from, filter.to);
      await withExistingStore(flags, async (store, config) => {
        const { results } = await readModelOf(store, config).listSessions(filter, limit, null);
        if (flags.format === "json") return console.log(JSON.stringify(results, null, 2));
        if (flags.format === "csv") return process.stdout.write(toCsv([SESSION_HEADER, ...sessionRows(results, "seconds")]));
        console.log(sessionsTable(results));
      });
    });

  databaseOption(report.command("session").description("one session with its attendance").argument("<id>"))
    .addOption(formatOption())
    .action(async (id: string, flags: { database?: string; format: Format }) => {
      await withExistingStore(flags, async (store, config) => {
        const session = await readModelOf(store, config).session(id);
        if (!session) {
          console.error(`meetmeter: no session with id ${id}`);
          process.exitCode = 1;
          return;
        }
        if (flags.format === "json") return console.log(JSON.stringify(session, null, 2));
        if (flags.format === "csv") return process.stdout.write(attendanceCsv(session));
        console.log(sessionText(session));
      });
    });

  databaseOption(report.command("meeting").description("one scheduled meeting: who was expected, who came, who was late").argument("<meetingId>"))
    .addOption(formatOption())
    .action(async (meetingId: string, flags: { database?: string; format: Format }) => {
      await withExistingStore(flags, async (store, config) => {
        await readModelOf(store, config).current();
        const meeting = await new MeetingResults(store, config.meetingRules).derive(meetingId, Date.now());
        if (!meeting) {
          console.error(`meetmeter: no meeting is scheduled with id ${meetingId}`);
          process.exitCode = 1;
          return;
        }
        if (flags.format === "json") return console.log(JSON.stringify(meetingAnswer(meeting, config.meetingRules), null, 2));
        if (flags.format === "csv") return process.stdout.write(meetingAttendanceCsv(meeting.plan, meeting.result));
        console.log(meetingText(meeting));
      });
    });

  databaseOption(report.command("usage").description("participant minutes per day or month"))
    .addOption(formatOption())
    .addOption(new Option("--interval <interval>", "day or month").choices(["day", "month"]).default("day"))
    .option("--tz <zone>", "IANA time zone of the buckets", "UTC")
    .option("--from <time>", "sessions started at or after")
    .option("--to <time>", "sessions started before")
    .action(
      async (flags: { database?: string; format: Format; interval: UsageInterval; tz: string; from?: string; to?: string }) => {
        if (!isTimeZone(flags.tz)) throw new ConfigError(`--tz must be an IANA time zone, got "${flags.tz}".`);
        const from = instant("--from", flags.from, flags.tz) ?? null;
        const to = instant("--to", flags.to, flags.tz) ?? null;
        checkRange(from, to);
        await withExistingStore(flags, async (store, config) => {
          const usage = await readModelOf(store, config).usage({ from, to, interval: flags.interval, tz: flags.tz });
          if (flags.format === "json") return console.log(JSON.stringify(usage, null, 2));
          const header = ["start", "sessions", "participant min", "billable min"];
          const rows = usage.buckets.map((b) => [b.start, b.sessions, minutes(b.participantSeconds), b.billableParticipantMinutes]);
          const total = ["total", usage.total.sessions, minutes(usage.total.participantSeconds), usage.total.billableParticipantMinutes];
          if (flags.format === "csv") return process.stdout.write(toCsv([header, ...rows, total]));
          console.log(formatTable(header, [...rows, total]));
        });
      },
    );
}
