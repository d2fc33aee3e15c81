import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cooldownUntil, decide, INITIAL_STATE, type AlertState } from "../../probe/decide.js";

const MIN = 60_000;
const firing = (since: number, last: number, n = 1): AlertState => ({
  firing: true,
  since,
  lastNotifiedAt: last,
  notifications: n,
});

describe("decide", () => {
  it.each([
    ["a quiet signal stays quiet", false, undefined, 0, null],
    ["a new active signal alerts", true, undefined, 0, "alert"],
    ["an active signal inside its cooldown says nothing", true, firing(0, 0), 29 * MIN, null],
    ["an active signal at the cooldown's end reminds", true, firing(0, 0), 30 * MIN, "repeat"],
    ["an active signal long past the cooldown reminds", true, firing(0, 0), 300 * MIN, "repeat"],
    ["a firing signal that goes inactive recovers", false, firing(0, 0), 1, "recovery"],
    ["recovery is not swallowed by the cooldown", false, firing(0, 10 * MIN), 10 * MIN + 1, "recovery"],
    ["a recovered signal that fires again alerts", true, { ...firing(0, 5 * MIN), firing: false }, 6 * MIN, "alert"],
  ] as const)("%s", (_name, active, prev, now, action) => {
    expect(decide(active, prev, now, 1800).action).toBe(action);
  });

  it("counts notifications and restarts the count on a new firing", () => {
    let s = decide(true, undefined, 0, 60).next;
    s = decide(true, s, 60_000, 60).next;
    s = decide(true, s, 120_000, 60).next;
    expect(s.notifications).toBe(3);
    expect(s.since).toBe(0);
    s = decide(false, s, 130_000, 60).next;
    expect(s.firing).toBe(false);
    s = decide(true, s, 140_000, 60).next;
    expect(s).toEqual({ firing: true, since: 140_000, lastNotifiedAt: 140_000, notifications: 1 });
  });

  it("reports when the next reminder is due", () => {
    expect(cooldownUntil(firing(0, 1000), 30)).toBe(31_000);
    expect(cooldownUntil(INITIAL_STATE, 30)).toBeNull();
  });

  it("a zero cooldown reminds every tick", () => {
    const s = decide(true, undefined, 0, 0).next;
    expect(decide(true, s, 1, 0).action).toBe("repeat");
  });
});

describe("decide over any timeline", () => {
  // A timeline: for each tick, is the signal active, and how far the clock moved.
  const timeline = fc.array(fc.record({ active: fc.boolean(), stepMs: fc.integer({ min: 0, max: 5 * MIN }) }), {
    maxLength: 200,
  });
  const cooldownS = fc.integer({ min: 0, max: 3600 });

  function run(steps: { active: boolean; stepMs: number }[], cd: number) {
    let now = 0;
    let s: AlertState | undefined;
    const out: { action: string | null; active: boolean; now: number; prev: AlertState | undefined }[] = [];
    for (const st of steps) {
      now += st.stepMs;
      const r = decide(st.active, s, now, cd);
      out.push({ action: r.action, active: st.active, now, prev: s });
      s = r.next;
    }
    return out;
  }

  it("never reminds inside a cooldown", () => {
    fc.assert(
      fc.property(timeline, cooldownS, (steps, cd) => {
        for (const e of run(steps, cd)) {
          if (e.action === "repeat") expect(e.now).toBeGreaterThanOrEqual(e.prev!.lastNotifiedAt! + cd * 1000);
        }
      }),
    );
  });

  it("a firing signal that goes inactive always recovers", () => {
    fc.assert(
      fc.property(timeline, cooldownS, (steps, cd) => {
        for (const e of run(steps, cd)) {
          if (!e.active && e.prev?.firing) expect(e.action).toBe("recovery");
        }
      }),
    );
  });

  it("never sends two alerts without a recovery between them, nor a recovery without an alert", () => {
    fc.assert(
      fc.property(timeline, cooldownS, (steps, cd) => {
        let open = false;
        for (const e of run(steps, cd)) {
          if (e.action === "alert") {
            expect(open).toBe(false);
            open = true;
          }
          if (e.action === "recovery") {
            expect(open).toBe(true);
            open = false;
          }
          if (e.action === "repeat") expect(open).toBe(true);
        }
      }),
    );
  });
});
