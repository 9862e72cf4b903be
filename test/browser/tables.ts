/**
 * Reads the dashboard's tables as the tests compare them with the API: rows by their `data-row` key, cells by their
 * `data-column` name, each cell's exact `<data value>` when it has one and its text otherwise.
 */
import type { Page } from "playwright-core";

/**
 * The table whose caption holds this text.
 *
 * @example
 * await table(page, "Deliveries, newest first").locator("tbody tr").count();
 */
export function table(page: Page, caption: string) {
  return page.locator("table", { has: page.locator("caption", { hasText: caption }) });
}

/**
 * Each row's cells by column, by row key, in the order shown.
 *
 * @example
 * (await tableValues(page, "Endpoints, failing first")).get(endpointId)?.failed; // "2"
 */
export async function tableValues(page: Page, caption: string): Promise<Map<string, Record<string, string>>> {
  const rows = await table(page, caption)
    .locator("tbody tr")
    .evaluateAll((trs) =>
      trs.map((tr) => {
        const cells: Record<string, string> = {};
        for (const td of Array.from(tr.querySelectorAll<HTMLElement>("td[data-column]"))) {
          const data = td.querySelector("data");
          cells[td.dataset.column ?? ""] = data ? data.value : (td.textContent ?? "");
        }
        return [(tr as HTMLElement).dataset.row ?? "", cells] as const;
      }),
    );
  return new Map(rows);
}

/**
 * The row keys in the order shown.
 *
 * @example
 * await expect.poll(() => rowKeys(page, "Deliveries, newest first")).toEqual(ids);
 */
export async function rowKeys(page: Page, caption: string): Promise<string[]> {
  return [...(await tableValues(page, caption)).keys()];
}
