// Two clocks, two jobs. The monotonic one decides when things happen (tick spacing,
// cooldowns, timeouts, rate limits): an NTP step or an operator's `date -s` cannot
// move it. The wall clock only labels instants for people (`at`, `since`, `startedAt`).
import { performance } from "node:perf_hooks";

export interface Clock {
  /** ms since the epoch; may jump either way, so it only labels instants */
  wallMs(): number;
  /** ms from an arbitrary origin, never going back; everything that decides reads this */
  monoMs(): number;
  /** fires after `ms` of elapsed (monotonic) time */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  wallMs: () => Date.now(),
  // performance.now() reads CLOCK_MONOTONIC, like Node's own timers
  monoMs: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Wall-clock labels for monotonic instants: wall = mono + offset. The offset is taken
 * again only when the measured one has moved by more than `stepMs` (a clock step), so
 * labels do not jitter by a millisecond from tick to tick, while after a step every
 * label moves with the clock and the differences between labels (how long something
 * has been active) stay the monotonic ones.
 */
export class WallAnchor {
  private offset: number | null = null;

  constructor(private readonly stepMs = 1000) {}

  /** Reads both clocks; returns the monotonic instant to decide with. */
  observe(clock: Clock): number {
    const wall = clock.wallMs();
    const mono = clock.monoMs();
    const measured = wall - mono;
    if (this.offset === null || !(Math.abs(measured - this.offset) <= this.stepMs)) this.offset = measured;
    return mono;
  }

  /** The wall label of a monotonic instant (whole ms). */
  wallOf(mono: number): number {
    return Math.round(mono + (this.offset ?? 0));
  }
}
