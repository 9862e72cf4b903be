/**
 * The shared known answers (signature and metadata vectors, Whereby's example events): `../shared/fixtures` beside
 * this repository where it exists, as the specification has it, else the copy in test/fixtures/whereby, so that a
 * clone anywhere runs the same tests. fixtures-copy.test.ts checks that the copy has not drifted.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";

export const SHARED_FIXTURES = resolve(import.meta.dirname, "../../../shared/fixtures");
export const FIXTURE_COPY = resolve(import.meta.dirname, "../fixtures/whereby");
export const FIXTURES = existsSync(SHARED_FIXTURES) ? SHARED_FIXTURES : FIXTURE_COPY;
