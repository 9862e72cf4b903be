/**
 * A reader beside the load: every 100 ms it asks for the session list and then for the detail of the newest session
 * (in the webinar scenario, the webinar under way), and times each answer. Every read waits, as the API promises, for
 * the events acknowledged before it to be derived.
 */
export interface ReadTimes {
  reads: number;
  failures: number;
  listP99Ms: number | null;
  detailP99Ms: number | null;
  detailMaxMs: number | null;
}

const INTERVAL_MS = 100;

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1));
}

/** Starts reading; the function returned stops and gives the times. */
export function startReader(url: string, token: string): () => Promise<ReadTimes> {
  const headers = { authorization: `Bearer ${token}` };
  const list: number[] = [];
  const detail: number[] = [];
  let failures = 0;
  let stopped = false;
  const timed = async (path: string, into: number[]): Promise<unknown> => {
    const started = performance.now();
    const response = await fetch(`${url}${path}`, { headers });
    const body: unknown = await response.json();
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    into.push(performance.now() - started);
    return body;
  };
  const loop = (async () => {
    while (!stopped) {
      const began = performance.now();
      try {
        const page = (await timed("/api/sessions?limit=20", list)) as { results: { id: string }[] };
        const newest = page.results[0];
        if (newest) await timed(`/api/sessions/${encodeURIComponent(newest.id)}`, detail);
      } catch {
        failures += 1;
      }
      await new Promise((next) => setTimeout(next, Math.max(0, INTERVAL_MS - (performance.now() - began))));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return {
      reads: list.length + detail.length,
      failures,
      listP99Ms: percentile(list, 99),
      detailP99Ms: percentile(detail, 99),
      detailMaxMs: detail.length > 0 ? Number(Math.max(...detail).toFixed(1)) : null,
    };
  };
}
