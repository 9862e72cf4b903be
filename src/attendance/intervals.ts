/**
 * Lengths of unions of time intervals: a person in two tabs at once is connected once.
 */

export type Interval = readonly [start: number, end: number];

/**
 * The length covered by at least one interval, counting only what falls within `within` when given.
 *
 * @example
 * unionLength([[0, 10], [5, 20], [30, 40]]); // 30
 * unionLength([[0, 10], [5, 20]], [8, 100]); // 12
 */
export function unionLength(intervals: readonly Interval[], within?: Interval): number {
  const low = within?.[0] ?? Number.NEGATIVE_INFINITY;
  const high = within?.[1] ?? Number.POSITIVE_INFINITY;
  const clipped = intervals
    .map(([start, end]): Interval => [Math.max(start, low), Math.min(end, high)])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let reach = Number.NEGATIVE_INFINITY;
  for (const [start, end] of clipped) {
    if (end <= reach) continue;
    total += end - Math.max(start, reach);
    reach = end;
  }
  return total;
}
