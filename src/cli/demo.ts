/**
 * `meetmeter demo`: the whole product at once. A fresh SQLite file, a generated secret, a day of simulated classes,
 * appointments and a webinar sent signed through the real endpoint, the report, and the dashboard's address.
 */
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { ConfigError, loadConfig, readEnvironment, type Config } from "../config.js";
import { PRIVATE_FILE_MODE } from "../private-files.js";

/** What the demo keeps in its folder: the database with its WAL, the API token, and the day's timetable. */
const DEMO_FILES = ["meetmeter.db", "meetmeter.db-wal", "meetmeter.db-shm", "api-token", "timetable.csv"];

/** The day the demo plays: yesterday from 08:00 UTC, so every meeting in it has ended. */
function demoDay(): string {
  const day = new Date(Date.now() - 86_400_000);
  day.setUTCHours(8, 0, 0, 0);
  return day.toISOString();
}

export function register(program: Command): void {
  program
    .command("demo")
    .description("serve a fresh SQLite store filled with a day of simulated meetings, and print the report")
    .option("--exit", "stop after printing the report")
    .option("--port <port>", "port to listen on (PORT, default 8000; another free port if it is taken)")
    .option("--data <folder>", "folder for the demo's database (its own files there are replaced)", "./data/demo")
    .option("--seed <n>", "seed of the simulated day", "2026")
    .action(async (flags: { exit?: boolean; port?: string; data: string; seed: string }) => {
      const seed = Number(flags.seed);
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new ConfigError("--seed must be a whole number.");
      // A fresh database, and nothing else touched: the folder may hold what is not the demo's.
      for (const file of DEMO_FILES) rmSync(join(flags.data, file), { force: true });
      const secret = `whsec_demo_${randomBytes(12).toString("hex")}`;
      const metadataSecret = randomBytes(16).toString("hex");
      const base = loadConfig({ port: flags.port }, readEnvironment());
      const config: Config = {
        ...base,
        secrets: [secret],
        database: { kind: "sqlite", path: join(flags.data, "meetmeter.db") },
        derive: { ...base.derive, metadataSecrets: [metadataSecret] },
        apiToken: null,
        logLevel: "warn",
      };
      const [{ createService }, { generateTraffic, sendEvents, timetableCsv }, { meetingText, sessionsTable, sessionText }, { importTimetable }, { MeetingResults }] =
        await Promise.all([
          import("../server.js"),
          import("../simulate/index.js"),
          import("./report.js"),
          import("./meetings.js"),
          import("../projection/meeting-results.js"),
        ]);
      const service = await createService(config);
      let address: string;
      try {
        address = await service.app.listen({ port: config.port, host: config.host });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
        address = await service.app.listen({ port: 0, host: config.host });
      }
      console.log(`meetmeter demo: listening on ${address}, storing in ${join(flags.data, "meetmeter.db")}`);

      const start = demoDay();
      const day = [
        generateTraffic({ scenario: "classroom", sessions: 4, seed, start, metadataSecret }),
        generateTraffic({ scenario: "telehealth", sessions: 6, seed: seed + 1, start, metadataSecret }),
        generateTraffic({ scenario: "webinar", sessions: 1, seed: seed + 2, start, metadataSecret }),
      ];
      const events = day.flatMap((traffic) => traffic.events);
      console.log(`Sending ${events.length} signed webhooks for ${day.reduce((n, t) => n + t.truth.sessions.length, 0)} sessions…`);
      const sent = await sendEvents(events, { url: `${address}/webhooks/whereby`, secret, concurrency: 16 });
      console.log(
        `  ${sent.acknowledged} acknowledged (${sent.duplicates} duplicates), ${Object.values(sent.rejected).reduce((a, b) => a + b, 0)} rejected, ` +
          `${sent.failed} failed, in ${(sent.elapsedMs / 1000).toFixed(1)} s (p99 ${sent.latencyMs.p99.toFixed(1)} ms)\n`,
      );

      // The school's and the clinic's timetable for the day, as they would export it: who was expected when.
      const timetable = join(flags.data, "timetable.csv");
      writeFileSync(timetable, timetableCsv(day.flatMap((traffic) => traffic.schedule)), { mode: PRIVATE_FILE_MODE });
      await importTimetable(service.store, timetable, config.meetingRules);

      const { readModel } = service;
      const { results } = await readModel.listSessions({}, 50, null);
      console.log(sessionsTable(results));
      const classId = day[0]?.truth.sessions[0]?.id;
      const firstClass = classId ? await readModel.session(classId) : null;
      if (firstClass) console.log(`\n${sessionText(firstClass)}`);
      const usage = await readModel.usage({ from: null, to: null, interval: "day", tz: "UTC" });
      console.log(
        `\nUsage: ${usage.total.sessions} sessions, ${Math.round(usage.total.participantSeconds / 60)} participant minutes, ` +
          `${usage.total.billableParticipantMinutes} billable.`,
      );
      // The class the most went amiss in: its absentees, late arrivals and early leavers.
      const meetings = new MeetingResults(service.store, config.meetingRules);
      const classes = await Promise.all((day[0]?.schedule ?? []).map((m) => meetings.derive(m.meetingId, Date.now())));
      const amiss = (m: (typeof classes)[number]) => m?.result.roster.filter((entry) => entry.status !== "present").length ?? -1;
      const worst = classes.reduce((a, b) => (amiss(b) > amiss(a) ? b : a), null);
      if (worst) console.log(`\n${meetingText(worst)}`);
      const all = await Promise.all(day.flatMap((t) => t.schedule).map((m) => meetings.derive(m.meetingId, Date.now())));
      const noShows = all.filter((m) => m?.result.status === "no_show").length;
      console.log(`\nMeetings: ${all.length} scheduled, ${noShows} of them a no-show.`);
      console.log(
        [
          "",
          `Dashboard: ${address}/#token=${service.token}`,
          `Meetings:  ${address}/#/meetings (the timetable is in ${timetable})`,
          `API:       curl -H 'Authorization: Bearer ${service.token}' ${address}/api/sessions`,
          `Simulate more traffic: npx meetmeter simulate --url ${address}/webhooks/whereby --secret ${secret}`,
        ].join("\n"),
      );

      if (flags.exit) {
        await service.close();
        return;
      }
      console.log("\nServing until Ctrl-C.");
      await new Promise<void>((resolve) => {
        const stop = () => void service.close().then(resolve);
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
