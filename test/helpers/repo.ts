/** Where the repository is, for tests that name its files or run its command line. */
import { resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");
