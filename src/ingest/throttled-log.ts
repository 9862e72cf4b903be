/**
 * A log line that any stranger can cause, such as an unsigned delivery's warning, written at most once a minute per
 * kind: the first at once, then one line with how many more came meanwhile. A flood of forged deliveries then
 * cannot fill the disk or bury the lines that matter, and the count still shows how big it was.
 */
export class ThrottledLog {
  private readonly windows = new Map<string, { repeated: number; timer: NodeJS.Timeout }>();

  /**
   * @param summarize writes the line for `repeated` more of a kind within one interval.
   *
   * @example
   * const log = new ThrottledLog((kind, repeated) => logger.warn({ outcome: kind, repeated }, `${repeated} more`));
   * log.note("missing_signature", () => logger.warn({ outcome: "missing_signature" }, "no signature"));
   */
  constructor(
    private readonly summarize: (kind: string, repeated: number) => void,
    private readonly intervalMs = 60_000,
  ) {}

  /** Writes this one now with `write` when none of its kind was written within the interval; counts it otherwise. */
  note(kind: string, write: () => void): void {
    const window = this.windows.get(kind);
    if (window) {
      window.repeated += 1;
      return;
    }
    write();
    this.open(kind);
  }

  /** Writes what is counted and not yet written (at shutdown). */
  flush(): void {
    for (const [kind, window] of this.windows) {
      clearTimeout(window.timer);
      if (window.repeated > 0) this.summarize(kind, window.repeated);
    }
    this.windows.clear();
  }

  private open(kind: string): void {
    const timer = setTimeout(() => this.close(kind), this.intervalMs);
    timer.unref();
    this.windows.set(kind, { repeated: 0, timer });
  }

  private close(kind: string): void {
    const window = this.windows.get(kind);
    this.windows.delete(kind);
    if (!window || window.repeated === 0) return;
    this.summarize(kind, window.repeated);
    // Still coming: the next line waits for the end of the next interval.
    this.open(kind);
  }
}
