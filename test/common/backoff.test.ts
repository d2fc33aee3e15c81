// The one backoff: delivery retries in the probe, reconnects in the extension.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay, type BackoffPolicy } from "../../common/backoff.js";

const TELEGRAM: BackoffPolicy = { initialMs: 1000, maxMs: 60_000 };
const RECONNECT: BackoffPolicy = { initialMs: 250, maxMs: 30_000, jitter: 0.2 };

describe("backoffDelay", () => {
  it("doubles from the first delay up to the cap, exactly when there is no jitter", () => {
    const seq = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(TELEGRAM, n));
    expect(seq).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
  });

  it("ignores `random` without jitter", () => {
    expect(backoffDelay(TELEGRAM, 3, 0)).toBe(4000);
    expect(backoffDelay(TELEGRAM, 3, 0.99)).toBe(4000);
  });

  it("spreads by ±jitter around the nominal delay, and the default random is the nominal one", () => {
    expect(backoffDelay(RECONNECT, 1, 0)).toBe(200);
    expect(backoffDelay(RECONNECT, 1)).toBe(250);
    expect(backoffDelay(RECONNECT, 1, 0.999999)).toBe(300);
    expect(backoffDelay(RECONNECT, 3, 0)).toBe(800);
  });

  it("never exceeds the cap, jitter included, and never goes below zero", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e9, max: 1e9, noNaN: false }),
        fc.double({ min: -2, max: 3, noNaN: true }),
        (attempt, random) => {
          const d = backoffDelay(RECONNECT, attempt, random);
          expect(Number.isFinite(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(RECONNECT.maxMs);
        },
      ),
    );
  });

  it("reads an attempt below 1 (or not a number) as the first, and a huge one as the cap", () => {
    expect(backoffDelay(TELEGRAM, 0)).toBe(1000);
    expect(backoffDelay(TELEGRAM, -5)).toBe(1000);
    expect(backoffDelay(TELEGRAM, Number.NaN)).toBe(1000);
    expect(backoffDelay(TELEGRAM, 1e9)).toBe(60_000);
    expect(backoffDelay(TELEGRAM, Infinity)).toBe(60_000);
  });
});
