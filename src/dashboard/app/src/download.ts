/**
 * Downloads a file from the API. A plain link cannot carry the token, so the file is fetched with it and handed to
 * the browser as a blob.
 */
import { apiFetch } from "./api.js";
import { el } from "./dom.js";

function filenameFrom(disposition: string | null, fallback: string): string {
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition ?? "");
  return match?.[1] ? decodeURIComponent(match[1]) : fallback;
}

/**
 * Fetches `path` with the token and saves it under the server's file name, or `fallback`.
 *
 * @example
 * await downloadFile(`/api/sessions/${id}/attendance.csv`, `attendance-${id}.csv`);
 */
export async function downloadFile(path: string, fallback: string): Promise<void> {
  const response = await apiFetch(path);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filenameFrom(response.headers.get("content-disposition"), fallback);
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the download in some browsers; a minute is ample.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * A "Download CSV" button with a status line beside it, for a file of the API.
 *
 * @example
 * main.append(csvButton(`/api/sessions/${id}/attendance.csv`, `attendance-${id}.csv`));
 */
export function csvButton(path: string, fallback: string): HTMLElement {
  const status = el("span", { className: "hint", attrs: { role: "status" } });
  const download = async () => {
    button.disabled = true;
    status.textContent = "Preparing…";
    try {
      await downloadFile(path, fallback);
      status.textContent = "Downloaded.";
    } catch (error) {
      status.textContent = `Download failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      button.disabled = false;
    }
  };
  const button = el(
    "button",
    { attrs: { type: "button", id: "download-csv" }, on: { click: () => void download() } },
    "Download CSV",
  );
  return el("div", { className: "toolbar" }, button, status);
}
