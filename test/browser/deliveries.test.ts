/**
 * The deliveries page in a real headless Chromium against a real server pushing to two loopback receivers, one of
 * which answers 500: the failing endpoint comes first with the API's counts, its failed deliveries show their tries,
 * and "Send again", once the receiver answers 200, ends with the delivery shown delivered. Endpoint URLs and room
 * names are markup here, and must stay text.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Delivery, Endpoint } from "../../src/store/event-store.js";
import { deliver } from "../helpers/deliver.js";
import { clientData, wherebyEvent } from "../helpers/events.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { ensureDashboardBuilt } from "./build-dashboard.js";
import { describeInChromium, launchChromium } from "./chromium.js";
import { screenshot, watchPage, type PageWatch } from "./page-watch.js";
import { rowKeys, table, tableValues } from "./tables.js";
import { MARKUP_NAME } from "./traffic.js";

const MEETING = "deliveries-class";
const SESSION = "rs-deliveries-class";
const ROOM = `/deliveries-${MARKUP_NAME}`;
const ENDPOINTS = "Endpoints, failing first";
const DELIVERIES = "Deliveries, newest first";

let server: TestServer;
let browser: Browser;
let healthy: Receiver;
let failing: Receiver;
const ids = { healthy: "", failing: "" };
const contexts: BrowserContext[] = [];

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { authorization: `Bearer ${server.token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as T };
}

const listed = async (query: string) => (await call<{ results: Delivery[]; cursor: string | null }>("GET", `/api/deliveries${query}`)).body;

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the deliveries to settle");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A 45-minute class that ended 43 minutes ago, planned as a meeting: a session.ended and a meeting.attendance. */
async function holdClass(): Promise<void> {
  const start = Date.now() - 90 * 60_000;
  const room = { roomName: ROOM, meetingId: MEETING, subdomain: "school", roomSessionId: SESSION };
  const person = (id: string, name: string, role: string, count: number) => clientData(`p-${id}`, name, role, count, { externalId: id });
  let n = 0;
  const event = (type: string, minute: number, data: Record<string, unknown> = {}) =>
    wherebyEvent(`deliveries-${(n += 1)}`, type, start + minute * 60_000, { ...room, ...data });
  const plan = {
    title: "Maths 7B",
    roomName: ROOM,
    scheduledStart: new Date(start).toISOString(),
    scheduledEnd: new Date(start + 45 * 60_000).toISOString(),
    expected: [
      { key: "external:teacher", displayName: "Ms Berg", role: "teacher" },
      { key: "external:ada", displayName: "Ada", role: "student" },
    ],
  };
  expect((await call("PUT", `/api/meetings/${MEETING}`, plan)).status).toBe(200);
  for (const body of [
    event("room.client.joined", 0, person("teacher", "Ms Berg", "host", 1)),
    event("room.client.joined", 0.5, person("ada", "Ada", "visitor", 2)),
    event("room.session.started", 0.5),
    event("room.client.left", 45, person("ada", "Ada", "visitor", 1)),
    event("room.client.left", 46, person("teacher", "Ms Berg", "host", 0)),
    event("room.session.ended", 47),
  ]) {
    expect((await deliver(server.url, body, { secret: server.secret })).status).toBe(200);
  }
}

async function signedIn(hash = "#/deliveries", width = 1280): Promise<{ page: Page; watch: PageWatch }> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: "en-US", reducedMotion: "reduce" });
  contexts.push(context);
  const page = await context.newPage();
  const watch = watchPage(page);
  await page.goto(`${server.url}/#token=${encodeURIComponent(server.token)}`);
  await page.getByRole("heading", { level: 1, name: "Sessions" }).waitFor();
  await page.evaluate((target) => (location.hash = target), hash);
  await page.getByRole("heading", { level: 1, name: "Deliveries" }).waitFor();
  return { page, watch };
}

/** The endpoints table's counts equal the API's, endpoint by endpoint, failing ones first. */
async function expectEndpointCounts(page: Page): Promise<void> {
  const endpoints = (await call<{ results: Endpoint[] }>("GET", "/api/endpoints")).body.results;
  const expected = await Promise.all(
    endpoints.map(async (endpoint) => {
      const failed = (await listed(`?endpoint=${endpoint.id}&status=failed&limit=500`)).results;
      const pending = (await listed(`?endpoint=${endpoint.id}&status=pending&limit=500`)).results;
      const lastFailed = (d: Delivery) => {
        const last = d.attempts.at(-1);
        return last !== undefined && !(last.status !== null && last.status >= 200 && last.status < 300);
      };
      const retrying = pending.filter(lastFailed).length;
      return { id: endpoint.id, failed: failed.length, pending: pending.length, retrying, failing: failed.length + retrying > 0 };
    }),
  );
  const order = [...expected.filter((e) => e.failing), ...expected.filter((e) => !e.failing)].map((e) => e.id);
  await expect.poll(() => rowKeys(page, ENDPOINTS)).toEqual(order);
  await expect
    .poll(async () => {
      const rows = await tableValues(page, ENDPOINTS);
      return expected.map((e) => ({ ...rows.get(e.id) }));
    })
    .toEqual(
      expected.map((e) =>
        expect.objectContaining({
          failed: String(e.failed),
          pending: String(e.pending),
          retrying: String(e.retrying),
          state: e.failing ? "Failing" : "Healthy",
        }),
      ),
    );
}

/** Each delivery row shows what the API has: status, number of tries, the last try's HTTP status. */
async function expectDeliveryRows(page: Page, deliveries: Delivery[]): Promise<void> {
  await expect.poll(() => rowKeys(page, DELIVERIES)).toEqual(deliveries.map((d) => d.id));
  const rows = await tableValues(page, DELIVERIES);
  for (const delivery of deliveries) {
    const row = table(page, DELIVERIES).locator(`tr[data-row="${delivery.id}"]`);
    expect(await row.locator("[data-status]").getAttribute("data-status")).toBe(delivery.status);
    expect(rows.get(delivery.id)?.tries).toBe(String(delivery.attempts.length));
    expect(rows.get(delivery.id)?.lastTry).toBe(String(delivery.attempts.at(-1)?.status ?? ""));
    expect(rows.get(delivery.id)?.type).toBe(delivery.type);
    const subject = delivery.type.startsWith("session.") ? `#/sessions/${SESSION}` : `#/meetings/${MEETING}`;
    expect(await row.locator('td[data-column="subject"] a').getAttribute("href")).toBe(subject);
  }
}

describeInChromium("the deliveries page in Chromium", () => {
  beforeAll(async () => {
    browser = await launchChromium();
    await ensureDashboardBuilt();
    server = await startTestServer({
      config: { outbound: { finalAfterSeconds: 0, retrySchedule: [0], timeoutSeconds: 1, denyPrivateAddresses: false } },
    });
    healthy = await startReceiver(() => 200);
    failing = await startReceiver(() => 500);
    // The healthy endpoint is registered first, so that the API lists it first and the page must reorder.
    ids.healthy = (await call<{ id: string }>("POST", "/api/endpoints", { url: healthy.url, types: ["session.ended"] })).body.id;
    const markupUrl = `${failing.url}?site=${MARKUP_NAME}`;
    ids.failing = (await call<{ id: string }>("POST", "/api/endpoints", { url: markupUrl, roomNamePrefix: "/deliveries-" })).body.id;
    await holdClass();
    await until(async () => (await listed("?status=failed")).results.length === 2 && (await listed("?status=delivered")).results.length === 1);
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    await healthy?.close();
    await failing?.close();
  });

  it("lists the failing endpoint first, marked, with the API's counts, its URL as text", async () => {
    const { page, watch } = await signedIn();
    expect(await rowKeys(page, ENDPOINTS)).toEqual([ids.failing, ids.healthy]);
    await expectEndpointCounts(page);
    const failingRow = table(page, ENDPOINTS).locator(`tr[data-row="${ids.failing}"]`);
    expect(await failingRow.locator('[data-status="failing"]').textContent()).toBe("Failing");
    expect(await failingRow.locator(".url").textContent()).toBe(`${failing.url}?site=${MARKUP_NAME}`);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.getByRole("link", { name: "Deliveries", exact: true }).getAttribute("aria-current")).toBe("page");
    await screenshot(page, "deliveries-1280");
    watch.expectClean();
  });

  it("shows the deliveries as the API does, filtered by status and endpoint, and paged", async () => {
    const { page, watch } = await signedIn();
    const all = (await listed("")).results;
    expect(all.map((d) => d.status).sort()).toEqual(["delivered", "failed", "failed"]);
    await expectDeliveryRows(page, all);
    const failed = all.find((d) => d.status === "failed")!;
    expect(failed.attempts).toEqual([expect.objectContaining({ status: 500 })]);
    const cells = table(page, DELIVERIES).locator(`tr[data-row="${failed.id}"]`);
    expect(await cells.locator('td[data-column="lastTry"]').textContent()).toContain("HTTP 500");
    expect(await cells.locator('td[data-column="subject"]').textContent()).toContain(ROOM);

    await page.getByLabel("Status", { exact: true }).selectOption("failed");
    await page.getByLabel("Endpoint", { exact: true }).selectOption(ids.failing);
    await page.getByRole("button", { name: "Show" }).click();
    await expectDeliveryRows(page, (await listed(`?status=failed&endpoint=${ids.failing}`)).results);
    await page.getByLabel("Endpoint", { exact: true }).selectOption(ids.healthy);
    await page.getByRole("button", { name: "Show" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "No deliveries match" }).count()).toBe(1);

    await page.evaluate(() => (location.hash = "#/deliveries?limit=2"));
    const first = await listed("?limit=2");
    await expectDeliveryRows(page, first.results);
    await page.getByRole("link", { name: "Next page →" }).click();
    const second = await listed(`?limit=2&cursor=${encodeURIComponent(first.cursor!)}`);
    expect(second.cursor).toBeNull();
    await expectDeliveryRows(page, second.results);
    expect(await page.getByRole("link", { name: "Next page →" }).count()).toBe(0);
    await page.getByRole("link", { name: "← First page" }).click();
    await expectDeliveryRows(page, first.results);

    await page.locator(`td[data-column="subject"] a[href="#/meetings/${MEETING}"]`).first().click();
    await page.getByRole("heading", { level: 1, name: /Maths 7B/ }).waitFor();
    watch.expectClean();
  });

  it("sends a failed delivery again: once the receiver answers 200 it shows delivered, and the counts follow", async () => {
    failing.answer(() => 200);
    const { page, watch } = await signedIn(`#/deliveries?status=failed&endpoint=${ids.failing}`);
    const failed = (await listed(`?status=failed&endpoint=${ids.failing}`)).results;
    expect(failed).toHaveLength(2);
    for (const [index, delivery] of failed.entries()) {
      const row = table(page, DELIVERIES).locator(`tr[data-row="${delivery.id}"]`);
      const button = row.getByRole("button", { name: /^Send again/ });
      await button.click();
      await expect.poll(() => row.locator("[data-status]").getAttribute("data-status"), { timeout: 20_000 }).toBe("delivered");
      const now = await Promise.all(failed.map(async (d) => (await call<Delivery>("GET", `/api/deliveries/${d.id}`)).body));
      expect(now[index]!.attempts.map((a) => a.status)).toEqual([500, 200]);
      // The rows stay where they were, each as the API now has it: those sent again delivered, the others failed.
      expect(now.map((d) => d.status)).toEqual(failed.map((_, i) => (i <= index ? "delivered" : "failed")));
      await expectDeliveryRows(page, now);
      expect(await page.locator("#delivery-status").textContent()).toBe("Delivered: the endpoint answered HTTP 200.");
      expect(await button.evaluate((element) => element === document.activeElement)).toBe(true);
      await expectEndpointCounts(page);
    }
    expect(await rowKeys(page, ENDPOINTS)).toEqual([ids.healthy, ids.failing]);
    expect(await table(page, ENDPOINTS).locator(`tr[data-row="${ids.failing}"] [data-status]`).textContent()).toBe("Healthy");
    await screenshot(page, "deliveries-sent-again-1280");
    watch.expectClean();
  });

  it("reads at 390 px wide without the page itself scrolling sideways", async () => {
    const { page, watch } = await signedIn("#/deliveries", 390);
    await table(page, DELIVERIES).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, "deliveries-390");
    watch.expectClean();
  });
});
