/**
 * The files a command is told to read or write, checked before it does anything: one that cannot be used is refused
 * with one line naming it (exit 2), rather than failing halfway or after a database was opened.
 */
import { accessSync, constants, statSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "../config.js";

function refuse(verb: string, what: string, file: string, error: unknown): ConfigError {
  return new ConfigError(`Cannot ${verb} ${what} "${file}": ${error instanceof Error ? error.message : String(error)}`);
}

/** The size of a file to read. */
export function readableFileSize(what: string, file: string): number {
  try {
    accessSync(file, constants.R_OK);
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error("not a file");
    return stat.size;
  } catch (error) {
    throw refuse("read", what, file, error);
  }
}

/** Checks that a file can be written: its folder is there and writable, and it is not itself a folder. */
export function checkWritableFile(what: string, file: string): void {
  try {
    if (!statSync(dirname(file)).isDirectory()) throw new Error("its folder is not a folder");
    accessSync(dirname(file), constants.W_OK);
    const existing = statSync(file, { throwIfNoEntry: false });
    if (existing?.isDirectory()) throw new Error("it is a folder");
    if (existing) accessSync(file, constants.W_OK);
  } catch (error) {
    throw refuse("write", what, file, error);
  }
}
