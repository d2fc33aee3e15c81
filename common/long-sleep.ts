// Waits of any length. Node fires a timer set above 2^31−1 ms (about 24.8 days) after
// 1 ms, with only a warning: a Bot API `retry_after` of 2,200,000 s would be retried at
// once. A long wait is a chain of timers no longer than that, and an AbortSignal ends it.

/** The longest delay Node's setTimeout honours. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** The next timer of a wait with `remainingMs` still to go (0 when it is over). Pure. */
export function nextTimerMs(remainingMs: number, maxMs = MAX_TIMER_MS): number {
  if (!(remainingMs > 0)) return 0;
  return Math.min(remainingMs, maxMs);
}

/**
 * Resolves after at least `ms` (never rejects): early when `signal` aborts. An infinite
 * or NaN `ms` is not a wait: it resolves at once, the caller decides what it means.
 */
export function longSleep(ms: number, timers: Timers = realTimers, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!Number.isFinite(ms) || signal?.aborted) {
      resolve();
      return;
    }
    let left = ms;
    let handle: unknown = null;
    const done = () => {
      if (handle !== null) timers.clearTimeout(handle);
      handle = null;
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const next = () => {
      const step = nextTimerMs(left);
      if (step === 0) return done();
      left -= step;
      handle = timers.setTimeout(next, step);
    };
    signal?.addEventListener("abort", done, { once: true });
    next();
  });
}
