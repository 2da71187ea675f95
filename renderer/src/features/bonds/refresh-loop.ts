// The path matrix's refresh: on demand and every N seconds, never piling up. A check of every
// cell can take a whole timeout when a path is dead, so the next automatic refresh is timed from
// the end of the previous one (not from its start), and a refresh asked for while one runs joins
// the one in flight instead of starting a second.

export interface RefreshLoopState {
  running: boolean;
  /** When the last refresh finished (ms since epoch), or null before the first. */
  lastFinishedAt: number | null;
  /** The last refresh's failure in words, or null when it succeeded. */
  error: string | null;
}

export interface RefreshTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const realTimers: RefreshTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export class RefreshLoop {
  private inFlight: Promise<void> | null = null;
  private timer: unknown = null;
  private intervalMs: number | null = null;
  private stopped = false;
  private state: RefreshLoopState = { running: false, lastFinishedAt: null, error: null };

  constructor(
    private readonly run: () => Promise<void>,
    private readonly onState: (s: RefreshLoopState) => void = () => undefined,
    private readonly timers: RefreshTimers = realTimers,
  ) {}

  /** Refresh now; while one runs, the same promise (no second check starts). */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.inFlight) return this.inFlight;
    this.clearTimer();
    this.set({ running: true });
    this.inFlight = (async () => {
      try {
        await this.run();
        this.set({ running: false, error: null, lastFinishedAt: this.timers.now() });
      } catch (e) {
        this.set({ running: false, error: e instanceof Error ? e.message : String(e), lastFinishedAt: this.timers.now() });
      } finally {
        this.inFlight = null;
        this.schedule();
      }
    })();
    return this.inFlight;
  }

  /** Every `ms` after the previous refresh ended; null = on demand only. */
  setInterval(ms: number | null): void {
    this.intervalMs = ms;
    this.clearTimer();
    if (!this.inFlight) this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private schedule(): void {
    if (this.stopped || this.intervalMs === null || this.timer !== null) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, this.intervalMs);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private set(patch: Partial<RefreshLoopState>): void {
    this.state = { ...this.state, ...patch };
    this.onState(this.state);
  }
}
