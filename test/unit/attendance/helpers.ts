/** What the attendance tests share: options, fixture paths, and finding things in derived sessions. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import type { Person, SessionDetail } from "../../../src/attendance/index.js";
import { parseEvent, type WherebyEvent } from "../../../src/whereby/events.js";
import { FIXTURES } from "../../helpers/fixtures.js";
import { REPO_ROOT } from "../../helpers/repo.js";

export const sharedFixtures = FIXTURES;

export interface MetadataVectors {
  secret: string;
  max_age_seconds: number;
  cases: { name: string; metadata: string; now: number; expect: string; subject: string }[];
}

export const metadataVectors = JSON.parse(
  readFileSync(path.join(sharedFixtures, "metadata-vectors.json"), "utf8"),
) as MetadataVectors;

export function vector(name: string): string {
  const found = metadataVectors.cases.find((entry) => entry.name === name);
  if (found === undefined) throw new Error(`no metadata vector named "${name}"`);
  return found.metadata;
}

/** Noon on the day most tests happen: later than every event, so only ongoing sessions notice it. */
export const NOON = Date.parse("2026-03-02T12:00:00.000Z");

export const options = { now: NOON, metadataSecrets: [metadataVectors.secret] };

export function onlySession(sessions: SessionDetail[]): SessionDetail {
  expect(sessions).toHaveLength(1);
  return sessions[0] as SessionDetail;
}

export function person(session: SessionDetail, key: string): Person {
  const found = session.participants.find((candidate) => candidate.key === key);
  if (found === undefined) {
    throw new Error(`no participant ${key}; have ${session.participants.map((candidate) => candidate.key).join(", ")}`);
  }
  return found;
}

/** The events of a scenario fixture (test/fixtures/scenarios/<name>.json), parsed as the store would hand them over. */
export function scenario(name: string): WherebyEvent[] {
  const file = path.join(REPO_ROOT, "test/fixtures/scenarios", `${name}.json`);
  const bodies = JSON.parse(readFileSync(file, "utf8")) as unknown[];
  return bodies.map((body) => {
    const parsed = parseEvent(body);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.event;
  });
}
