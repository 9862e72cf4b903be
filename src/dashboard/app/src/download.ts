/**
 * Downloads a file from the API. A plain link cannot carry the token, so the file is fetched with it and handed to
 * the browser as a blob.
 */
import { apiFetch } from "./api.js";

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
