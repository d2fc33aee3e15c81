import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Action } from "../../../probe/protocol.js";
import { Outbox } from "../../../probe/notify/outbox.js";

const m = (key: string, action: Action) => ({ key, action });

describe("Outbox", () => {
  it("keeps order and drops the oldest reminder, then the oldest alert, never a recovery", () => {
    const box = new Outbox<{ key: string; action: Action }>(3);
    expect(box.push(m("a1", "alert")).evicted).toEqual([]);
    box.push(m("r1", "repeat"));
    box.push(m("a2", "alert"));
    expect(box.push(m("c1", "recovery")).evicted.map((x) => x.key)).toEqual(["r1"]);
    expect(box.push(m("c2", "recovery")).evicted.map((x) => x.key)).toEqual(["a1"]);
    expect(box.push(m("r2", "repeat")).evicted.map((x) => x.key)).toEqual(["r2"]); // the newcomer is the only reminder
    expect(box.push(m("c3", "recovery")).evicted.map((x) => x.key)).toEqual(["a2"]);
    const over = box.push(m("c4", "recovery"));
    expect(over).toEqual({ evicted: [], overBound: true });
    expect(box.snapshot().map((x) => x.key)).toEqual(["c1", "c2", "c3", "c4"]);
    expect(box.maxDepth).toBe(4);
  });

  it("refuses a bound below one", () => {
    expect(() => new Outbox(0)).toThrow(/max must be at least 1/);
  });

  it("property: no recovery is ever lost, the bound holds unless only recoveries fill it, order is kept", () => {
    const action = fc.constantFrom<Action>("alert", "repeat", "recovery");
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(action, { maxLength: 60 }), (max, actions) => {
        const box = new Outbox<{ key: string; action: Action; i: number }>(max);
        const evicted: number[] = [];
        actions.forEach((a, i) => {
          const r = box.push({ key: `k${i}`, action: a, i });
          evicted.push(...r.evicted.map((x) => x.i));
          const items = box.snapshot();
          if (items.length > max) expect(items.every((x) => x.action === "recovery")).toBe(true);
        });
        const kept = box.snapshot().map((x) => x.i);
        expect(kept).toEqual([...kept].sort((a, b) => a - b));
        const recoveries = actions.flatMap((a, i) => (a === "recovery" ? [i] : []));
        expect(recoveries.every((i) => kept.includes(i))).toBe(true);
        expect(evicted.length + kept.length).toBe(actions.length);
      }),
    );
  });
});
