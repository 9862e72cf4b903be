/**
 * What meetmeter keeps on disk (who attended what, the API token) is its user's alone: the folders it makes are 0700
 * and the files 0600, whatever the umask. A folder or file that is already there keeps the mode its owner gave it.
 */
import { closeSync, mkdirSync, openSync } from "node:fs";

export const PRIVATE_FILE_MODE = 0o600;

/** Makes the folder (and those above it that are missing) for the owner alone. */
export function makePrivateFolder(folder: string): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
}

/** Makes the file, empty, for the owner alone, unless it is there already. */
export function makePrivateFile(file: string): void {
  closeSync(openSync(file, "a", PRIVATE_FILE_MODE));
}
