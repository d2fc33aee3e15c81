import { describe, expect, it } from "vitest";
import { MAX_TIMER_MS, longSleep, nextTimerMs, type Timers } from "../../common/long-sleep.js";

/** Timers that only record: fire() runs the pending one by hand. */
function manualTimers() {
  const set: number[] = [];
  let pending: { fn: () => void; h: number } | null = null;
  let cleared = 0;
  let n = 0;
  const timers: Timers = {
    setTimeout(fn, ms) {
      set.push(ms);
      pending = { fn, h: ++n };
      return n;
    },
    clearTimeout(h) {
      if (pending && pending.h === h) {
        pending = null;
        cleared++;
      }
    },
  };
  return {
    timers,
    set,
    cleared: () => cleared,
    pending: () => pending !== null,
    fire() {
      const p = pending;
      pending = null;
      p?.fn();
    },
  };
}

const flush = () => new Promise((r) => setImmediate(r));

describe("nextTimerMs", () => {
  it("never asks Node for a timer it would clamp to 1 ms", () => {
    expect(MAX_TIMER_MS).toBe(2_147_483_647);
    expect(nextTimerMs(2_200_000_000)).toBe(MAX_TIMER_MS);
    expect(nextTimerMs(2_200_000_000 - MAX_TIMER_MS)).toBe(52_516_353);
    expect(nextTimerMs(1500)).toBe(1500);
    expect(nextTimerMs(0)).toBe(0);
    expect(nextTimerMs(-5)).toBe(0);
    expect(nextTimerMs(Number.NaN)).toBe(0);
  });
});

describe("longSleep", () => {
  it("splits 2,200,000 s into timers Node honours, and ends after the last one", async () => {
    const t = manualTimers();
    let done = false;
    void longSleep(2_200_000_000_000, t.timers).then(() => (done = true));
    let fired = 0;
    while (t.pending() && fired < 2000) {
      t.fire();
      fired++;
    }
    await flush();
    expect(done).toBe(true);
    expect(t.set.every((ms) => ms > 0 && ms <= MAX_TIMER_MS)).toBe(true);
    expect(t.set.reduce((a, b) => a + b, 0)).toBe(2_200_000_000_000);
    expect(t.set).toHaveLength(Math.ceil(2_200_000_000_000 / MAX_TIMER_MS));
  });

  it("is one timer for a short wait", async () => {
    const t = manualTimers();
    let done = false;
    void longSleep(7000, t.timers).then(() => (done = true));
    await flush();
    expect(done).toBe(false);
    t.fire();
    await flush();
    expect(done).toBe(true);
    expect(t.set).toEqual([7000]);
  });

  it("ends at once when its signal aborts, and leaves no timer behind", async () => {
    const t = manualTimers();
    const ac = new AbortController();
    let done = false;
    void longSleep(5_000_000_000, t.timers, ac.signal).then(() => (done = true));
    t.fire(); // one chunk passed
    await flush();
    expect(done).toBe(false);
    ac.abort();
    await flush();
    expect(done).toBe(true);
    expect(t.pending()).toBe(false);
    expect(t.cleared()).toBe(1);
  });

  it("does not wait for an already aborted signal, an infinite or a non-positive delay", async () => {
    const t = manualTimers();
    const ac = new AbortController();
    ac.abort();
    await longSleep(1000, t.timers, ac.signal);
    await longSleep(Number.POSITIVE_INFINITY, t.timers);
    await longSleep(0, t.timers);
    expect(t.set).toEqual([]);
  });
});
