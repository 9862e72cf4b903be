/** `meetmeter rebuild`: recomputes everything derived from the event log. */
import type { Command } from "commander";
import { DeriveThread } from "../writer/derive-thread.js";
import { MeetingResults } from "../projection/meeting-results.js";
import { rebuildAll } from "../projection/rebuild.js";
import { databaseOption, progressBar, withExistingStore } from "./context.js";

export function register(program: Command): void {
  databaseOption(program.command("rebuild").description("recompute every session from the stored events")).action(
    async (flags: { database?: string }) =>
      withExistingStore(flags, async (store, config) => {
        const bar = await progressBar(0, "rebuild");
        // Each round is derived on a thread of its own while this one saves the round before.
        const deriver = await DeriveThread.start({ database: config.database, metadata: config.derive, keepStates: false });
        const result = await rebuildAll(store, {
          ...config.derive,
          derive: (round, now) => deriver.derive(round, now),
          onProgress: (done, total) => bar.update(done, total),
        }).finally(() => deriver.close());
        bar.stop();
        const meetings = await new MeetingResults(store, config.meetingRules).refreshAll(Date.now());
        const rate = result.seconds > 0 ? Math.round(result.events / result.seconds) : result.events;
        console.log(
          `Rebuilt ${result.sessions} sessions from ${result.events} events in ${result.seconds.toFixed(1)} s ` +
            `(${rate} events/s), and the results of ${meetings} scheduled meetings.`,
        );
        for (const reason of result.refused) console.error(`meetmeter: ${reason}`);
        if (result.refused.length > 0) process.exitCode = 1;
      }),
  );
}
