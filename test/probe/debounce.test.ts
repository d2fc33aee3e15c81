import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DEBOUNCE_INITIAL, debounce, type DebounceState } from "../../probe/debounce.js";

function run(oks: boolean[], threshold: number): DebounceState[] {
  const out: DebounceState[] = [];
  let s = DEBOUNCE_INITIAL;
  for (const ok of oks) out.push((s = debounce(s, ok, threshold)));
  return out;
}

describe("debounce", () => {
  it("goes down only at the threshold-th consecutive failure", () => {
    expect(run([false, false, false, false], 3)).toEqual([
      { failures: 1, down: false },
      { failures: 2, down: false },
      { failures: 3, down: true },
      { failures: 4, down: true },
    ]);
  });

  it("never goes down on a single hiccup between successes", () => {
    const states = run([true, false, true, false, true, false, false, true], 3);
    expect(states.some((s) => s.down)).toBe(false);
  });

  it("recovers on the first success and counts again from zero", () => {
    const states = run([false, false, false, true, false, false], 3);
    expect(states.map((s) => s.down)).toEqual([false, false, true, false, false, false]);
    expect(states[3]).toEqual({ failures: 0, down: false });
    expect(states[5]!.failures).toBe(2);
  });

  it("with threshold 1 goes down on the first failure; a threshold below 1 behaves as 1", () => {
    expect(debounce(DEBOUNCE_INITIAL, false, 1)).toEqual({ failures: 1, down: true });
    expect(debounce(DEBOUNCE_INITIAL, false, 0)).toEqual({ failures: 1, down: true });
    expect(debounce(DEBOUNCE_INITIAL, false, Number.NaN)).toEqual({ failures: 1, down: true });
  });

  it("does not mutate the previous state", () => {
    const prev: DebounceState = { failures: 1, down: false };
    debounce(prev, false, 2);
    expect(prev).toEqual({ failures: 1, down: false });
  });

  it("property: down exactly when the last `threshold` checks all failed", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 60 }), fc.integer({ min: 1, max: 8 }), (oks, k) => {
        const states = run(oks, k);
        states.forEach((s, i) => {
          const tail = oks.slice(Math.max(0, i - k + 1), i + 1);
          const expected = i + 1 >= k && tail.every((ok) => !ok);
          expect(s.down).toBe(expected);
        });
      }),
    );
  });
});
