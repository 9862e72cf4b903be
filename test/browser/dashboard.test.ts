/**
 * The dashboard in a real headless Chromium against a real server fed signed, simulated traffic: each page's numbers
 * must equal the API's, links and the CSV download must work, webhook text must stay text, and without the token the
 * pages must ask for it.
 */
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { ensureDashboardBuilt } from "./build-dashboard.js";
import { describeInChromium, launchChromium } from "./chromium.js";
import { screenshot, watchPage, type PageWatch } from "./page-watch.js";
import { rowKeys, table, tableValues } from "./tables.js";
import { deliverEvent, deliverTraffic, MARKUP_NAME, type PlannedEvent } from "./traffic.js";

/** Far from UTC, so that a day in the viewer's zone is not a UTC day, and the usage buckets show it. */
const VIEWER_ZONE = "Pacific/Auckland";
const CLASSROOM = "sess-math-1";
const ONGOING = "sess-standup-now";

interface Summary {
  id: string;
  roomName: string;
  ongoing: boolean;
  startedAt: string;
  [figure: string]: unknown;
}

let server: TestServer;
let browser: Browser;
let traffic: PlannedEvent[];
const contexts: BrowserContext[] = [];

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.token}` } });
  expect(response.status, `${path} answered ${response.status}`).toBe(200);
  return (await response.json()) as T;
}

async function open(width = 1280): Promise<{ page: Page; watch: PageWatch }> {
  const context = await browser.newContext({
    viewport: { width, height: 900 },
    timezoneId: VIEWER_ZONE,
    // Charts then draw at once (the app honours the setting), so screenshots show them whole.
    reducedMotion: "reduce",
    locale: "en-US",
    acceptDownloads: true,
  });
  contexts.push(context);
  const page = await context.newPage();
  return { page, watch: watchPage(page) };
}

async function signedIn(hash = "#/sessions", width = 1280): Promise<{ page: Page; watch: PageWatch }> {
  const opened = await open(width);
  await opened.page.goto(`${server.url}/#token=${encodeURIComponent(server.token)}`);
  await opened.page.getByRole("heading", { level: 1, name: "Sessions" }).waitFor();
  if (hash !== "#/sessions") await opened.page.evaluate((target) => (location.hash = target), hash);
  return opened;
}

/** The exact value behind a summary figure. */
async function figureValue(page: Page, name: string): Promise<string | undefined> {
  return (await page.locator(`[data-figure="${name}"] dd data`).getAttribute("value")) ?? undefined;
}

/** A figure equals the API's; figures of an ongoing session move with the clock, so they only need to be close. */
function expectSame(shown: string | undefined, expected: unknown, moving = false, what = ""): void {
  if (moving && typeof expected === "number") {
    expect(Math.abs(Number(shown) - expected), `${what}: ${shown} vs ${expected}`).toBeLessThanOrEqual(180);
  } else {
    expect(shown, what).toBe(expected === null ? "" : String(expected));
  }
}

const SUMMARY_FIGURES = [
  "durationSeconds",
  "peakParticipants",
  "uniqueParticipants",
  "participantSeconds",
  "billableParticipantMinutes",
];
const SESSIONS = "Sessions, newest first";
const ATTENDANCE = "Attendance, one row per person";

async function expectSessionRows(page: Page, expected: Summary[]): Promise<void> {
  const shown = await tableValues(page, SESSIONS);
  expect([...shown.keys()]).toEqual(expected.map((s) => s.id));
  for (const session of expected) {
    const row = shown.get(session.id);
    for (const name of SUMMARY_FIGURES) {
      expectSame(row?.[name], session[name], session.ongoing, `${session.id} ${name}`);
    }
  }
}

/**
 * What a chart's canvas shows, read from its pixels: the rows of the timeline's connection bars (runs of the
 * "Connected" blue), whether anything is drawn left of the time axis in each of those rows (its name), and how many
 * pixels carry the first series colour (the occupancy chart's first stacked role).
 */
async function canvasInk(page: Page, label: string) {
  return page.locator(`canvas[aria-label^="${label}"]`).evaluate((element) => {
    const canvas = element as HTMLCanvasElement;
    const { width, height } = canvas;
    const pixels = canvas.getContext("2d")!.getImageData(0, 0, width, height).data;
    const at = (x: number, y: number) => pixels.subarray((y * width + x) * 4, (y * width + x) * 4 + 4);
    // #0072B2, drawn opaque by the bars and at 40 % over white by the occupancy fill.
    const blue = (x: number, y: number) => {
      const [r = 0, g = 0, b = 0, a = 0] = at(x, y);
      return a > 0 && b > 150 && r < 170 && g > 100 && g < 200 && b - r > 60;
    };
    const bands: { top: number; bottom: number; left: number }[] = [];
    let bluePixels = 0;
    for (let y = 0; y < height; y += 1) {
      let count = 0;
      let left = width;
      for (let x = 0; x < width; x += 1) {
        if (blue(x, y)) {
          count += 1;
          left = Math.min(left, x);
        }
      }
      bluePixels += count;
      const band = bands.at(-1);
      // Wider than the legend's 40 px swatches.
      if (count < 100) continue;
      if (band && band.bottom === y - 1) {
        band.bottom = y;
        band.left = Math.min(band.left, left);
      } else bands.push({ top: y, bottom: y, left });
    }
    // The earliest join starts the time axis: left of its bar is the names' column.
    const plotLeft = Math.min(...bands.map((band) => band.left));
    const named = bands.map(({ top, bottom }) => {
      let ink = 0;
      for (let y = top; y <= bottom; y += 1) for (let x = 0; x < plotLeft - 8; x += 1) if ((at(x, y)[3] ?? 0) > 0) ink += 1;
      return ink > 10;
    });
    return { rows: bands.length, named, bluePixels };
  });
}

describeInChromium("the dashboard in Chromium", () => {
  beforeAll(async () => {
    browser = await launchChromium();
    await ensureDashboardBuilt();
    server = await startTestServer();
    traffic = await deliverTraffic(server.url, server.secret, Date.now());
  }, 180_000);

  afterAll(async () => {
    // Pages first: the live page holds a stream open that would keep the server from closing.
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  it("serves the app with its security headers", async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("connect-src 'self'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const script = /<script[^>]*src="([^"]+)"/.exec(html)?.[1];
    const asset = await fetch(`${server.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-security-policy")).toBe(csp);
  });

  it("asks for the token without one, while the API answers 401", async () => {
    const { page, watch } = await open();
    await page.goto(`${server.url}/#/sessions/${CLASSROOM}`);
    await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    expect(await page.getByRole("navigation", { name: "Main" }).isVisible()).toBe(false);
    await screenshot(page, "sign-in-1280");

    const bare = await page.evaluate(async () => {
      const response = await fetch("/api/sessions");
      return { status: response.status, body: await response.json() };
    });
    expect(bare).toMatchObject({ status: 401, body: { error: "unauthorized" } });
    const csv = await fetch(`${server.url}/api/sessions/${CLASSROOM}/attendance.csv`);
    expect(csv.status).toBe(401);

    await page.getByLabel("API token").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("not accepted");
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    await page.getByLabel("API token").fill(server.token);
    await page.getByRole("button", { name: "Sign in" }).click();
    // Signing in lands on the page that was asked for.
    await page.getByRole("heading", { level: 1, name: "/math-101" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "/math-101" }).waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    watch.expectClean();
  });

  it("takes the token from a #token= link and removes it from the address", async () => {
    const { page, watch } = await open();
    await page.goto(`${server.url}/#token=${encodeURIComponent(server.token)}`);
    await page.getByRole("heading", { level: 1, name: "Sessions" }).waitFor();
    expect(page.url()).not.toContain(server.token);
    expect(page.url()).not.toContain("token");
    expect(await page.evaluate(() => Object.values({ ...sessionStorage }))).toEqual([server.token]);
    watch.expectClean();
  });

  it("returns to sign-in when the server refuses the stored token", async () => {
    const { page, watch } = await open();
    await page.goto(`${server.url}/#token=stale-token`);
    await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    expect(await page.getByRole("alert").textContent()).toContain("not accepted");
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    watch.expectClean();
  });

  it("lists sessions as the API does: newest first, live marked, filtered and paged", async () => {
    const { page, watch } = await signedIn();
    const all = await api<{ results: Summary[]; cursor: string | null }>("/api/sessions");
    expect(all.results.length).toBe(7);
    await expectSessionRows(page, all.results);
    const live = page.locator(`tr[data-row="${ONGOING}"] [data-status="live"]`);
    expect(await live.textContent()).toBe("Live");
    expect(await page.locator('[data-status="live"]').count()).toBe(all.results.filter((s) => s.ongoing).length);
    await screenshot(page, "sessions-1280");

    await page.getByLabel("Room").fill("/clinic-3");
    await page.getByRole("button", { name: "Show" }).click();
    await expect.poll(() => rowKeys(page, SESSIONS)).toEqual(["sess-clinic-2", "sess-clinic-1"]);
    await expectSessionRows(page, (await api<{ results: Summary[] }>("/api/sessions?roomName=%2Fclinic-3")).results);

    // Days are the viewer's: 3 to 9 March in Auckland is [2 March 11:00 UTC, 9 March 11:00 UTC).
    await page.getByLabel("Room").fill("");
    await page.getByLabel("From").fill("2026-03-03");
    await page.getByLabel("Until (inclusive)").fill("2026-03-09");
    await page.getByRole("button", { name: "Show" }).click();
    const inDays = ["sess-math-short-1", "sess-clinic-2", "sess-clinic-1"];
    await expect.poll(() => rowKeys(page, SESSIONS)).toEqual(inDays);
    const byDays = await api<{ results: Summary[] }>(
      "/api/sessions?from=2026-03-02T11:00:00.000Z&to=2026-03-09T11:00:00.000Z",
    );
    await expectSessionRows(page, byDays.results);

    await page.getByLabel("Status").selectOption("true");
    await page.getByLabel("From").fill("");
    await page.getByLabel("Until (inclusive)").fill("");
    await page.getByRole("button", { name: "Show" }).click();
    await expect.poll(() => rowKeys(page, SESSIONS)).toEqual([ONGOING]);

    await page.evaluate(() => (location.hash = "#/sessions?limit=3"));
    const first = await api<{ results: Summary[]; cursor: string }>("/api/sessions?limit=3");
    await expect.poll(() => rowKeys(page, SESSIONS)).toEqual(first.results.map((s) => s.id));
    await page.getByRole("link", { name: "Next page →" }).click();
    const after = (cursor: string) => `/api/sessions?limit=3&cursor=${encodeURIComponent(cursor)}`;
    const second = await api<{ results: Summary[]; cursor: string }>(after(first.cursor));
    await expect.poll(() => rowKeys(page, SESSIONS)).toEqual(second.results.map((s) => s.id));
    await page.getByRole("link", { name: "Next page →" }).click();
    const third = await api<{ results: Summary[]; cursor: string | null }>(after(second.cursor));
    await expect.poll(() => rowKeys(page, SESSIONS)).toEqual(third.results.map((s) => s.id));
    expect(third.cursor).toBeNull();
    expect(await page.getByRole("link", { name: "Next page →" }).count()).toBe(0);
    await page.getByRole("link", { name: "← First page" }).click();
    await expect.poll(() => rowKeys(page, SESSIONS)).toEqual(first.results.map((s) => s.id));
    watch.expectClean();
  });

  it("shows a session as the API does, with charts, a sortable table, people links and the CSV", async () => {
    const { page, watch } = await signedIn();
    await page.locator(`tr[data-row="${CLASSROOM}"] a`).first().click();
    await page.getByRole("heading", { level: 1, name: "/math-101" }).waitFor();
    expect(page.url()).toContain(`#/sessions/${CLASSROOM}`);
    type Detail = Record<string, unknown> & {
      participants: Array<Record<string, unknown>>;
      bots: Array<{ key: string }>;
    };
    const session = await api<Detail>(`/api/sessions/${CLASSROOM}`);

    for (const name of [...SUMMARY_FIGURES, "knocks", "knocksCancelled"]) {
      expectSame(await figureValue(page, name), session[name], false, name);
    }
    // The words beside the exact values say the same thing.
    const participantSeconds = session.participantSeconds as number;
    expect(participantSeconds % 1, "the traffic has fractional seconds, so rounding would show").not.toBe(0);
    const shownText = (name: string) => page.locator(`[data-figure="${name}"] dd`).textContent();
    expect(await shownText("participantSeconds")).toBe((participantSeconds / 60).toFixed(1));
    expect(await shownText("durationSeconds")).toBe("49 min 30 s");
    expect(await shownText("billableParticipantMinutes")).toBe(String(session.billableParticipantMinutes));
    expect(await page.locator('[data-figure="endedAt"] time').first().getAttribute("datetime")).toBe(session.endedAt);
    expect(await page.locator('[data-figure="endedAt"]').textContent()).toContain("Whereby reported the end");

    // Both charts drew something.
    const inked = await page.locator("canvas").evaluateAll((canvases) =>
      canvases.map((canvas) => {
        const c = canvas as HTMLCanvasElement;
        const pixels = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
        let count = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) count += 1;
        return count;
      }),
    );
    expect(inked).toHaveLength(2);
    for (const count of inked) expect(count).toBeGreaterThan(1000);

    const caption = ATTENDANCE;
    const rows = await tableValues(page, caption);
    expect([...rows.keys()]).toEqual(session.participants.map((p) => p.key));
    for (const person of session.participants) {
      const row = rows.get(person.key as string);
      for (const name of ["connectedSeconds", "attendancePercent", "waitedSeconds"]) {
        expectSame(row?.[name], person[name], false, `${person.key} ${name}`);
      }
      expectSame(row?.connections, (person.connections as unknown[]).length, false, `${person.key} connections`);
    }
    expect(await rowKeys(page, "Bots")).toEqual(session.bots.map((b) => b.key));
    expect(session.bots.map((b) => b.key)).not.toEqual([]);

    const byConnected = (direction: 1 | -1) =>
      [...session.participants]
        .sort((a, b) => direction * ((a.connectedSeconds as number) - (b.connectedSeconds as number)))
        .map((p) => p.key);
    const header = table(page, caption).locator('th[data-column="connectedSeconds"]');
    await header.getByRole("button").click();
    expect(await header.getAttribute("aria-sort")).toBe("ascending");
    expect(await rowKeys(page, caption)).toEqual(byConnected(1));
    await header.getByRole("button").click();
    expect(await header.getAttribute("aria-sort")).toBe("descending");
    expect(await rowKeys(page, caption)).toEqual(byConnected(-1));

    // The name that is markup shows as text and runs nothing.
    const markupCell = page.locator('tr[data-row="external:student-13"] td[data-column="displayName"]');
    expect(await markupCell.textContent()).toBe(MARKUP_NAME);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(watch.dialogs).toEqual([]);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`attendance-${CLASSROOM}.csv`);
    const csvResponse = await fetch(`${server.url}/api/sessions/${CLASSROOM}/attendance.csv`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    const saved = readFileSync(await download.path(), "utf8");
    expect(saved).toBe(await csvResponse.text());
    expect(saved.split(/\r?\n/)[0]).toMatch(/^session_id,room_name,key,display_name,/);
    await page.getByRole("status").filter({ hasText: "Downloaded." }).waitFor();
    await screenshot(page, "session-1280");

    await page.getByRole("link", { name: "Late Student" }).click();
    await page.getByRole("heading", { level: 1, name: "Late Student" }).waitFor();
    type History = {
      sessions: Array<{ sessionId: string; connectedSeconds: number }>;
      totals: Record<string, unknown>;
    };
    const person = await api<History>("/api/people/external%3Astudent-9");
    for (const name of ["sessions", "connectedSeconds", "averageAttendancePercent"]) {
      expectSame(await figureValue(page, name), person.totals[name], false, name);
    }
    const history = await tableValues(page, "Attendance history");
    expect([...history.keys()]).toEqual(person.sessions.map((s) => s.sessionId));
    for (const s of person.sessions) expectSame(history.get(s.sessionId)?.connectedSeconds, s.connectedSeconds);
    watch.expectClean();
  });

  it("can be used by keyboard: tab to a sortable header, sort it, see where focus is", async () => {
    const { page, watch } = await signedIn(`#/sessions/${CLASSROOM}`);
    await page.getByRole("heading", { level: 1, name: "/math-101" }).waitFor();
    let reached = false;
    for (let press = 0; press < 80 && !reached; press += 1) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate((caption) => {
        const active = document.activeElement;
        return (
          active?.tagName === "BUTTON" &&
          active.closest("th")?.dataset.column === "attendancePercent" &&
          active.closest("table")?.caption?.textContent === caption
        );
      }, ATTENDANCE);
    }
    expect(reached, "the Attendance header button is reachable by Tab").toBe(true);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    expect(outline).not.toBe("none");
    await page.keyboard.press("Enter");
    const header = table(page, ATTENDANCE).locator('th[data-column="attendancePercent"]');
    expect(await header.getAttribute("aria-sort")).toBe("ascending");
    await screenshot(page, "keyboard-focus-1280");
    watch.expectClean();
  });

  it("shows usage as the API does, in the viewer's time zone, per day and per month", async () => {
    type Figures = { sessions: number; participantSeconds: number; billableParticipantMinutes: number };
    type Usage = { tz: string; buckets: Array<Figures & { start: string }>; total: Figures };
    const { page, watch } = await signedIn("#/usage");
    await page.getByRole("heading", { level: 1, name: "Usage" }).waitFor();
    await page.locator("table").waitFor();
    expect(await page.locator("main").textContent()).toContain(VIEWER_ZONE);

    const check = async (interval: "day" | "month", showEmpty: boolean) => {
      const usage = await api<Usage>(`/api/usage?interval=${interval}&tz=${encodeURIComponent(VIEWER_ZONE)}`);
      expect(usage.tz).toBe(VIEWER_ZONE);
      const expected = showEmpty ? usage.buckets : usage.buckets.filter((b) => b.sessions > 0);
      const caption = `Participant minutes per ${interval}`;
      await expect.poll(() => rowKeys(page, caption)).toEqual(expected.map((b) => b.start));
      const rows = await tableValues(page, caption);
      // Figures of the bucket holding the ongoing session move with the clock.
      const moving = (start: string) => start === usage.buckets.at(-1)?.start;
      for (const bucket of expected) {
        for (const name of ["sessions", "participantSeconds", "billableParticipantMinutes"] as const) {
          const moves = moving(bucket.start) && name !== "sessions";
          expectSame(rows.get(bucket.start)?.[name], bucket[name], moves, `${bucket.start} ${name}`);
        }
      }
      for (const name of ["sessions", "participantSeconds", "billableParticipantMinutes"] as const) {
        const shown = await page.locator(`tfoot td[data-column="${name}"] data`).getAttribute("value");
        expectSame(shown ?? undefined, usage.total[name], name !== "sessions", `total ${name}`);
      }
      return usage;
    };

    const days = await check("day", false);
    // 2 March 09:00 UTC is already 2 March 22:00 in Auckland; 3 March 14:03 UTC is 4 March there.
    expect(days.buckets.filter((b) => b.sessions > 0).slice(0, 3).map((b) => b.start)).toEqual([
      "2026-03-02T00:00:00+13:00",
      "2026-03-04T00:00:00+13:00",
      "2026-03-06T00:00:00+13:00",
    ]);
    await screenshot(page, "usage-day-1280");

    // Sorting the table by minutes finds the busiest days.
    const billable = table(page, "Participant minutes per day").locator('th[data-column="billableParticipantMinutes"]');
    await billable.getByRole("button").click();
    await billable.getByRole("button").click();
    expect(await billable.getAttribute("aria-sort")).toBe("descending");
    const busiest = days.buckets
      .filter((b) => b.sessions > 0)
      .sort((a, b) => b.billableParticipantMinutes - a.billableParticipantMinutes)
      .map((b) => b.start);
    expect(await rowKeys(page, "Participant minutes per day")).toEqual(busiest);

    await page.getByLabel("Per", { exact: true }).selectOption("month");
    await page.getByLabel("List periods without sessions").check();
    await page.getByRole("button", { name: "Show" }).click();
    const months = await check("month", true);
    expect(months.buckets[0]?.start).toBe("2026-03-01T00:00:00+13:00");
    await screenshot(page, "usage-month-1280");
    watch.expectClean();
  });

  it("lists rooms as the API does, each linking to its sessions", async () => {
    type Room = { roomName: string; [figure: string]: unknown };
    const { page, watch } = await signedIn("#/rooms");
    await page.getByRole("heading", { level: 1, name: "Rooms" }).waitFor();
    const rooms = await api<{ results: Room[] }>("/api/rooms");
    const rows = await tableValues(page, "Rooms");
    expect([...rows.keys()].sort()).toEqual(rooms.results.map((r) => r.roomName).sort());
    for (const room of rooms.results) {
      for (const name of ["totalSessions", "uniqueParticipants", "participantSeconds", "billableParticipantMinutes"]) {
        // The room of the ongoing session gains minutes as the clock runs.
        const moves = room.roomName === "/standup" && name !== "totalSessions" && name !== "uniqueParticipants";
        expectSame(rows.get(room.roomName)?.[name], room[name], moves, `${room.roomName} ${name}`);
      }
    }
    await screenshot(page, "rooms-1280");
    await page.getByRole("link", { name: "/clinic-3" }).click();
    await expect.poll(() => rowKeys(page, SESSIONS)).toEqual(["sess-clinic-2", "sess-clinic-1"]);
    expect(await page.getByLabel("Room").inputValue()).toBe("/clinic-3");
    watch.expectClean();
  });

  it("lists scheduled meetings with their status, and shows a meeting's roster with absentees marked and the CSV", async () => {
    const put = (id: string, body: object) =>
      fetch(`${server.url}/api/meetings/${id}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const lesson = {
      title: "Maths 101",
      roomName: "/math-101",
      scheduledStart: "2026-03-02T09:00:00Z",
      scheduledEnd: "2026-03-02T09:50:00Z",
      expected: [
        { key: "external:teacher-7", displayName: "Ms. Rivera", role: "teacher" },
        { key: "metadata:student-1", displayName: "Ada", role: "student" },
        { key: "external:student-13", displayName: "Markup", role: "student" },
        { key: "external:student-99", displayName: "Absent Student", role: "student" },
      ],
    };
    expect((await put("87385993", lesson)).status).toBe(200);
    const missed = { title: "Check-up", scheduledStart: "2026-03-01T10:00:00Z", scheduledEnd: "2026-03-01T10:20:00Z", expected: [{ key: "metadata:patient-77", role: "patient" }] };
    expect((await put("appointment-77", missed)).status).toBe(200);

    type Listed = { meetingId: string; status: string; counts: Record<string, number> };
    const { page, watch } = await signedIn("#/meetings");
    await page.getByRole("heading", { level: 1, name: "Meetings" }).waitFor();
    const listed = await api<{ results: Listed[] }>("/api/meetings");
    const rows = await tableValues(page, "Meetings, latest scheduled first");
    expect([...rows.keys()]).toEqual(listed.results.map((m) => m.meetingId));
    for (const meeting of listed.results) {
      expect(await page.locator(`tr[data-row="${meeting.meetingId}"] [data-status]`).getAttribute("data-status")).toBe(meeting.status);
      for (const name of ["expected", "present", "late", "absent", "unexpected"]) {
        expectSame(rows.get(meeting.meetingId)?.[name], meeting.counts[name], false, `${meeting.meetingId} ${name}`);
      }
    }
    expect(listed.results.find((m) => m.meetingId === "appointment-77")?.status).toBe("no_show");
    expect(await page.locator('tr[data-row="appointment-77"] [data-status]').textContent()).toBe("No-show");
    await screenshot(page, "meetings-1280");

    await page.getByRole("link", { name: "Maths 101" }).click();
    await page.getByRole("heading", { level: 1, name: /Maths 101/ }).waitFor();
    type Meeting = { status: string; roster: Array<{ key: string; status: string; attendancePercent: number }>; unexpected: Array<{ key: string }> };
    const meeting = await api<Meeting>("/api/meetings/87385993");
    const caption = "Expected people, in the order of the roster";
    expect(await rowKeys(page, caption)).toEqual(meeting.roster.map((r) => r.key));
    for (const entry of meeting.roster) {
      expect(await table(page, caption).locator(`tr[data-row="${entry.key}"] [data-status]`).getAttribute("data-status")).toBe(entry.status);
      expectSame((await tableValues(page, caption)).get(entry.key)?.attendancePercent, entry.attendancePercent, false, entry.key);
    }
    expect(await table(page, caption).locator('tr[data-row="external:student-99"] [data-status]').textContent()).toBe("Absent");
    expect(await rowKeys(page, "Came without being expected")).toEqual(meeting.unexpected.map((u) => u.key));
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
    expect(download.suggestedFilename()).toBe("meeting-87385993.csv");
    const saved = readFileSync(await download.path(), "utf8");
    expect(saved).toBe(await (await fetch(`${server.url}/api/meetings/87385993/attendance.csv`, { headers: { authorization: `Bearer ${server.token}` } })).text());
    await screenshot(page, "meeting-1280");

    await page.evaluate(() => (location.hash = "#/meetings/nothing-here"));
    await page.getByRole("heading", { level: 1, name: "Meeting not found" }).waitFor();
    watch.expectClean();
  });

  it("finds a person by external id and shows their history", async () => {
    const { page, watch } = await signedIn("#/people");
    await page.getByRole("heading", { level: 1, name: "People" }).waitFor();
    await page.getByRole("searchbox").fill("teacher-7");
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByRole("heading", { level: 1, name: "Ms. Rivera" }).waitFor();
    expect(page.url()).toContain("#/people/external%3Ateacher-7");
    type History = {
      sessions: Array<{ sessionId: string; attendancePercent: number | null }>;
      totals: Record<string, unknown>;
    };
    const person = await api<History>("/api/people/external%3Ateacher-7");
    const history = await tableValues(page, "Attendance history");
    expect([...history.keys()]).toEqual(person.sessions.map((s) => s.sessionId));
    for (const s of person.sessions) {
      expectSame(history.get(s.sessionId)?.attendancePercent, s.attendancePercent, false, s.sessionId);
    }
    expectSame(await figureValue(page, "sessions"), person.totals.sessions);
    await screenshot(page, "person-1280");

    await page.getByRole("searchbox").fill("nobody-by-this-id");
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByText("Nobody found for nobody-by-this-id.").waitFor();
    watch.expectClean();
  });

  it("finds people by part of a name, lists them as the API does, and opens one", async () => {
    type Match = { key: string; displayName: string | null; sessions: number; lastSessionStartedAt: string };
    type History = { key: string; sessions: Array<{ sessionId: string }>; totals: Record<string, unknown> };
    const { page, watch } = await signedIn("#/people");
    await page.getByRole("heading", { level: 1, name: "People" }).waitFor();
    const search = page.getByRole("searchbox");
    await search.fill("STUDENT");
    await search.press("Enter");
    const found = await api<{ results: Match[] }>("/api/people?q=STUDENT");
    // Names and keys alike: "Late Student" by name, the marked-up name by its key external:student-13.
    const keys = found.results.map((m) => m.key);
    expect(keys).toEqual(expect.arrayContaining(["external:student-9", "external:student-13"]));
    await expect.poll(() => rowKeys(page, "People found")).toEqual(keys);
    const rows = await tableValues(page, "People found");
    for (const match of found.results) {
      expectSame(rows.get(match.key)?.sessions, match.sessions, false, `${match.key} sessions`);
      expectSame(rows.get(match.key)?.displayName, match.displayName, false, `${match.key} name`);
    }
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await screenshot(page, "people-found-1280");

    // By keyboard: focus the person's link and follow it.
    const lateStudent = page.getByRole("link", { name: "Late Student", exact: true });
    await lateStudent.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Late Student" }).waitFor();
    expect(page.url()).toContain("#/people/external%3Astudent-9");
    const person = await api<History>("/api/people/external%3Astudent-9");
    for (const name of ["sessions", "connectedSeconds", "averageAttendancePercent"]) {
      expectSame(await figureValue(page, name), person.totals[name], false, name);
    }
    expect(await rowKeys(page, "Attendance history")).toEqual(person.sessions.map((s) => s.sessionId));

    // A full key still opens its person straight away.
    await page.getByRole("searchbox").fill("external:doctor-1");
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByRole("heading", { level: 1, name: "Dr. Okafor" }).waitFor();
    expect(page.url()).toContain("#/people/external%3Adoctor-1");
    watch.expectClean();
  });

  it("shows each new event live, pretty-printed, newest on top, markup as text", async () => {
    const { page, watch } = await signedIn("#/live");
    await page.locator('#live-status[data-state="connected"]').waitFor();
    const base = traffic.find((e) => e.id.startsWith(`dash-${ONGOING}`) && e.type === "room.client.joined");
    const arriving: PlannedEvent[] = ["p-live-1", "p-live-2"].map((participantId, index) => ({
      id: `dash-live-${participantId}`,
      type: "room.client.joined",
      createdAt: new Date().toISOString(),
      data: {
        ...base?.data,
        participantId,
        displayName: index === 1 ? MARKUP_NAME : "Live Visitor",
        numClients: 3 + index,
      },
    }));
    for (const event of arriving) await deliverEvent(server.url, server.secret, event);

    await expect.poll(() => page.locator("#live-count").textContent()).toBe("2");
    const shown = await page
      .locator(".live-event")
      .evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.eventId));
    expect(shown).toEqual(["dash-live-p-live-2", "dash-live-p-live-1"]);
    const newest = (await page.locator(".live-event pre").first().textContent()) ?? "";
    const printed = JSON.parse(newest) as { body: { data: { displayName: string } } };
    expect(printed.body.data.displayName).toBe(MARKUP_NAME);
    expect(newest).toContain('\n  "type": "room.client.joined"');
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await screenshot(page, "live-1280");
    watch.expectClean();
  });

  it("names both people of a two-person session, and draws its headcount when no roles are reported", async () => {
    // A call whose events give numClients but no numClientsByRoleName, or an empty one.
    const at = (time: string) => `2026-02-20T${time}Z`;
    const base = { roomName: "/two-people", roomSessionId: "sess-two-people", meetingId: "31", isDialIn: false };
    const pair = [
      ["room.client.joined", at("15:00:00"), { participantId: "p-tutor", displayName: "Tutor", roleName: "host", numClients: 1 }],
      ["room.client.joined", at("15:01:00"), { participantId: "p-pupil", displayName: "Pupil", roleName: "visitor", numClients: 2, numClientsByRoleName: {} }],
      ["room.session.started", at("15:01:00.100"), {}],
      ["room.client.left", at("15:40:00"), { participantId: "p-pupil", displayName: "Pupil", roleName: "visitor", numClients: 1 }],
      ["room.client.left", at("15:41:00"), { participantId: "p-tutor", displayName: "Tutor", roleName: "host", numClients: 0, numClientsByRoleName: {} }],
      ["room.session.ended", at("15:42:00"), {}],
    ] as const;
    for (const [index, [type, createdAt, data]] of pair.entries()) {
      await deliverEvent(server.url, server.secret, { id: `two-people-${index}`, type, createdAt, data: { ...base, ...data } });
    }
    const { page, watch } = await signedIn("#/sessions/sess-two-people");
    await page.getByRole("heading", { level: 1, name: "/two-people" }).waitFor();
    await page.waitForLoadState("networkidle").catch(() => undefined);
    await screenshot(page, "session-two-people-1280");

    const timeline = await canvasInk(page, "Timeline of");
    expect(timeline.rows, "one bar row a person").toBe(2);
    expect(timeline.named, "a name beside each row").toEqual([true, true]);
    const occupancy = await canvasInk(page, "Number of participants");
    expect(occupancy.bluePixels, "the headcount's area is drawn").toBeGreaterThan(5000);
    watch.expectClean();
  });

  it("reads at 390 px wide without the page itself scrolling sideways", async () => {
    const { page, watch } = await signedIn("#/sessions", 390);
    for (const [hash, heading, name] of [
      ["#/sessions", "Sessions", "sessions-390"],
      [`#/sessions/${CLASSROOM}`, "/math-101", "session-390"],
      ["#/usage", "Usage", "usage-390"],
      ["#/rooms", "Rooms", "rooms-390"],
      ["#/people/external%3Ateacher-7", "Ms. Rivera", "person-390"],
      ["#/live", "Live", "live-390"],
    ] as const) {
      await page.evaluate((target) => (location.hash = target), hash);
      await page.getByRole("heading", { level: 1, name: heading }).waitFor();
      await page.waitForLoadState("networkidle").catch(() => undefined);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, `${hash} is wider than the screen`).toBeLessThanOrEqual(0);
      await screenshot(page, name);
    }
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    await screenshot(page, "sign-in-390");
    watch.expectClean();
  });
});
