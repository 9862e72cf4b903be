/**
 * Group commit's pacing, against an event log whose commits finish when the test says: how many batches are
 * committing at once, and what each waiting delivery is told. (The stores themselves are tested for real elsewhere.)
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { GroupCommitter, StoreTimeoutError } from "../../../src/ingest/group-commit.js";
import type { EventLog } from "../../../src/ingest/spool.js";
import { incomingEvent } from "../../helpers/stores.js";

/** A log that holds every commit open until `finish` is called for it; ids seen before are not new. */
function heldLog() {
  const seen = new Set<string>();
  const commits: { ids: string[]; finish: () => void; fail: (error: Error) => void }[] = [];
  const log: EventLog = {
    append: (events) =>
      new Promise((resolve, reject) => {
        commits.push({
          ids: events.map((e) => e.id),
          finish: () => resolve(events.map((e) => !seen.has(e.id) && Boolean(seen.add(e.id)))),
          fail: reject,
        });
      }),
  };
  return { log, commits };
}

describe("group commit", () => {
  it("gathers what arrives in one turn into one batch, and the next batch while that one commits", async () => {
    const { log, commits } = heldLog();
    const committer = new GroupCommitter(log);
    const first = [committer.submit(incomingEvent("a")), committer.submit(incomingEvent("b"))];
    await nextTurn();
    expect(commits.map((c) => c.ids)).toEqual([["a", "b"]]);

    const later = [committer.submit(incomingEvent("c")), committer.submit(incomingEvent("a"))];
    await nextTurn();
    expect(commits).toHaveLength(1); // one batch at a time by default
    commits[0]!.finish();
    expect(await Promise.all(first)).toEqual([{ stored: true }, { stored: true }]);
    await nextTurn();
    expect(commits.map((c) => c.ids)).toEqual([["a", "b"], ["c", "a"]]);
    commits[1]!.finish();
    expect(await Promise.all(later)).toEqual([{ stored: true }, { stored: false }]);
  });

  it("commits up to commitsInFlight batches at once, each answered when its own commit ends", async () => {
    const { log, commits } = heldLog();
    const committer = new GroupCommitter(log, { commitsInFlight: 2 });
    const outcomes: string[] = [];
    const track = (id: string) => committer.submit(incomingEvent(id)).then(() => outcomes.push(id));
    const a = track("a");
    await nextTurn();
    const b = track("b");
    await nextTurn();
    const c = track("c");
    await nextTurn();
    expect(commits.map((commit) => commit.ids)).toEqual([["a"], ["b"]]);

    commits[1]!.finish();
    await b;
    expect(outcomes).toEqual(["b"]);
    await nextTurn();
    expect(commits.map((commit) => commit.ids)).toEqual([["a"], ["b"], ["c"]]);
    commits[2]!.fail(new Error("disk full"));
    await expect(c).rejects.toThrow("disk full");
    commits[0]!.finish();
    await a;
    await committer.flushed();
    expect(outcomes).toEqual(["b", "a"]);
  });

  it("flushed() waits for every batch in flight", async () => {
    const { log, commits } = heldLog();
    const committer = new GroupCommitter(log, { commitsInFlight: 3 });
    void committer.submit(incomingEvent("a"));
    await nextTurn();
    void committer.submit(incomingEvent("b"));
    let flushed = false;
    const flushing = committer.flushed().then(() => (flushed = true));
    await nextTurn();
    commits[0]!.finish();
    await nextTurn();
    expect(flushed).toBe(false);
    commits[1]!.finish();
    await flushing;
    expect(commits.map((commit) => commit.ids)).toEqual([["a"], ["b"]]);
  });
  it("gives up on deliveries whose commit has not come by the deadline, committing or still queued", async () => {
    const { log, commits } = heldLog();
    const committer = new GroupCommitter(log, { deadlineMs: 150 });
    const committing = committer.submit(incomingEvent("slow-1"));
    await nextTurn();
    const queued = committer.submit(incomingEvent("slow-2"));
    const outcomes = Promise.allSettled([committing, queued]);
    const started = Date.now();
    const [first, second] = await outcomes;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(first).toMatchObject({ status: "rejected", reason: expect.any(StoreTimeoutError) });
    expect(second).toMatchObject({ status: "rejected", reason: expect.any(StoreTimeoutError) });
    // The batch being committed may still commit; the one given up while queued is never sent.
    commits[0]!.finish();
    await new Promise((done) => setTimeout(done, 20));
    expect(commits.map((c) => c.ids)).toEqual([["slow-1"]]);
    // A delivery that commits in time is answered as usual.
    const quick = committer.submit(incomingEvent("quick"));
    await nextTurn();
    commits[1]!.finish();
    expect(await quick).toEqual({ stored: true });
    committer.close();
  });
});
