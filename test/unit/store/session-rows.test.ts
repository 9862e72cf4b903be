import { describe, expect, it } from "vitest";
import { partsOf, type SessionPersonRow, type SessionRow, type SessionRows } from "../../../src/store/session-rows.js";

function rowsOf(partitions: Record<string, { sessions: string[]; people: number }>): SessionRows {
  const rows: SessionRows = { partitions: [], sessions: [], people: [] };
  for (const [key, { sessions, people }] of Object.entries(partitions)) {
    rows.partitions.push({ partitionKey: key, throughSeq: 1, events: 1 });
    for (const id of sessions) {
      rows.sessions.push({ id, partition_key: key } as SessionRow);
      for (let p = 0; p < people; p += 1) rows.people.push({ session_id: id, person_key: `p${p}`, partition_key: key } as SessionPersonRow);
    }
  }
  return rows;
}

describe("partsOf", () => {
  it("keeps rows of few enough partitions as they are", () => {
    const rows = rowsOf({ a: { sessions: ["a1"], people: 2 }, b: { sessions: [], people: 0 } });
    expect(partsOf(rows, 2)).toEqual([rows]);
  });

  it("splits by partition, each whole in one part, in order, the sessionless ones too", () => {
    const rows = rowsOf({
      a: { sessions: ["a1", "a2"], people: 2 },
      b: { sessions: [], people: 0 },
      c: { sessions: ["c1"], people: 3 },
      d: { sessions: ["d1"], people: 1 },
      e: { sessions: ["e1"], people: 0 },
    });
    const parts = partsOf(rows, 2);
    expect(parts.map((part) => part.partitions.map((p) => p.partitionKey))).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(parts.map((part) => part.sessions.map((s) => s.id))).toEqual([["a1", "a2"], ["c1", "d1"], ["e1"]]);
    expect(parts.map((part) => part.people.length)).toEqual([4, 4, 0]);
    for (const part of parts) {
      const keys = part.partitions.map((p) => p.partitionKey);
      for (const row of [...part.sessions, ...part.people]) expect(keys).toContain(row.partition_key);
    }
  });
});
