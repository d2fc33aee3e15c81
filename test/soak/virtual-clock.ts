// Virtual time for the soak: the TickLoop's Clock pair and the Telegram client's now/sleep
// read this, and nothing advances it but the driver (fireNext). No real waiting.
import type { Clock } from "../../probe/loop.js";

interface Timer {
  at: number;
  id: number;
  fn: () => void;
  live: boolean;
}

export class VirtualClock implements Clock {
  private t: number;
  private heap: Timer[] = [];
  private ids = 0;
  /** sleeps (Telegram's waits) not yet over */
  sleeping = 0;
  /** errors thrown by timer callbacks (the loop's own never throw; a fake might) */
  readonly errors: unknown[] = [];

  constructor(start: number) {
    this.t = start;
  }

  /** virtual time: it only goes forward, and timers fire on it */
  now = (): number => this.t;

  // The soak's wall clock never steps, so both read virtual time (loop.wall-steps.test.ts steps one).
  wallMs = (): number => this.t;
  monoMs = (): number => this.t;

  setTimeout = (fn: () => void, ms: number): unknown => {
    const tm: Timer = { at: this.t + Math.max(0, Number.isFinite(ms) ? ms : 0), id: this.ids++, fn, live: true };
    this.push(tm);
    return tm;
  };

  clearTimeout = (h: unknown): void => {
    if (h && typeof h === "object" && "live" in h) (h as Timer).live = false;
  };

  sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      this.sleeping++;
      this.setTimeout(() => {
        this.sleeping--;
        resolve();
      }, ms);
    });

  /** When the next live timer is due, or null when none is left. */
  nextAt(): number | null {
    this.dropDead();
    return this.heap[0]?.at ?? null;
  }

  /** Advances to the earliest live timer and runs it; false when there is none. */
  fireNext(): boolean {
    this.dropDead();
    const tm = this.pop();
    if (!tm) return false;
    this.t = Math.max(this.t, tm.at);
    tm.live = false;
    try {
      tm.fn();
    } catch (e) {
      this.errors.push(e);
    }
    return true;
  }

  get pending(): number {
    return this.heap.filter((t) => t.live).length;
  }

  private dropDead(): void {
    while (this.heap.length && !this.heap[0]!.live) this.pop();
  }

  // A binary heap ordered by (at, id): equal times fire in the order they were set.
  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.id < b.id);
  }

  private push(tm: Timer): void {
    const h = this.heap;
    h.push(tm);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1,
          r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
