/** The API token: from the configuration, or generated once and kept in the data folder. */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.js";
import { makePrivateFolder, PRIVATE_FILE_MODE } from "../private-files.js";
import { dataFolderOf } from "../store/open-store.js";

/** A kept token shorter than this is not taken: a new one is made in its place. */
const MIN_TOKEN_LENGTH = 16;

export function resolveApiToken(config: Pick<Config, "apiToken" | "database">): string {
  if (config.apiToken) return config.apiToken;
  const folder = dataFolderOf(config.database);
  const file = join(folder, "api-token");
  if (existsSync(file)) {
    const token = readFileSync(file, "utf8").trim();
    if (token.length >= MIN_TOKEN_LENGTH) return token;
  }
  makePrivateFolder(folder);
  const token = randomBytes(24).toString("base64url");
  writeFileSync(file, `${token}\n`, { mode: PRIVATE_FILE_MODE });
  return token;
}
