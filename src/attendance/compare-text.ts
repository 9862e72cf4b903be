/**
 * Orders strings by code unit, the same on every machine and locale: ties in the derivation must break identically
 * wherever it runs.
 *
 * @example
 * ["b", "a"].sort(compareText); // ["a", "b"]
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
