/**
 * Watches a page for what must never happen: a dialog (script that ran from webhook data), an uncaught error, or a
 * request the content security policy refused.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { REPO_ROOT } from "../helpers/repo.js";

export const SCREENSHOT_DIR = path.join(REPO_ROOT, "test-results/screenshots");

export interface PageWatch {
  dialogs: string[];
  errors: string[];
  /** Fails the test if anything bad happened on the page so far. */
  expectClean(): void;
}

/**
 * Starts watching; dialogs are dismissed so that the page goes on and the test can report them.
 *
 * @example
 * const watch = watchPage(page); … watch.expectClean();
 */
export function watchPage(page: Page): PageWatch {
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  // The API's 401 and 404 answers are expected and handled; Chrome still logs each one.
  page.on("console", (message) => {
    const expected = /status of 40[14]/.test(message.text());
    if (message.type() === "error" && !expected) errors.push(`console: ${message.text()}`);
  });
  return {
    dialogs,
    errors,
    expectClean() {
      expect(dialogs, "no dialog may open").toEqual([]);
      expect(errors, "no script error or refused resource").toEqual([]);
    },
  };
}

/**
 * Saves a full-page screenshot under test-results/screenshots/, kept as a test artifact.
 *
 * @example
 * await screenshot(page, "session-1280");
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
