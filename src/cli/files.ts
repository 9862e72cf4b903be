/**
 * The files a command is told to read or write, checked before it does anything: one that cannot be used is refused
 * with one line naming it (exit 2), rather than failing halfway or after a database was opened.
 */
import { accessSync, constants, lstatSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "../config.js";

function refuse(verb: string, what: string, file: string, error: unknown): ConfigError {
  return new ConfigError(`Cannot ${verb} ${what} "${file}": ${error instanceof Error ? error.message : String(error)}`);
}

/** The size of a file to read; 0 for what has no size known beforehand (a pipe, /dev/stdin). A folder is refused. */
export function readableFileSize(what: string, file: string): number {
  try {
    accessSync(file, constants.R_OK);
    const stat = statSync(file);
    if (stat.isDirectory()) throw new Error("it is a folder");
    return stat.isFile() ? stat.size : 0;
  } catch (error) {
    throw refuse("read", what, file, error);
  }
}

/**
 * Checks that a file can be written: one that is there must be writable itself (a folder is refused); one that is not
 * needs a writable folder to be made in.
 */
export function checkWritableFile(what: string, file: string): void {
  try {
    if (file === "") throw new Error("no file named");
    if (file.endsWith("/")) throw new Error("it names a folder");
    const existing = statSync(file, { throwIfNoEntry: false });
    if (existing) {
      if (existing.isDirectory()) throw new Error("it is a folder");
      accessSync(file, constants.W_OK);
      return;
    }
    if (lstatSync(file, { throwIfNoEntry: false })) throw new Error("it is a link to nothing");
    if (!statSync(dirname(file)).isDirectory()) throw new Error("its folder is not a folder");
    accessSync(dirname(file), constants.W_OK);
  } catch (error) {
    throw refuse("write", what, file, error);
  }
}
