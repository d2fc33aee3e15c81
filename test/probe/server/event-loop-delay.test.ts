// The event-loop delay behind /metrics: a stall shows in the window, a window turning over
// keeps the last figures until new samples come, and the summary's count never goes back.
import { afterEach, describe, expect, it } from "vitest";
import { monitorLoopDelay, type LoopDelayMonitor } from "../../../probe/server/event-loop-delay.js";

let monitor: LoopDelayMonitor | null = null;
afterEach(() => monitor?.stop());

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; !cond(); i++) {
    if (i > 1000) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("monitorLoopDelay", () => {
  it("shows a stall, keeps it across a window turnover until new samples come, and counts on", async () => {
    const clock = { mono: 0 };
    const m = (monitor = monitorLoopDelay({ windowMs: 60_000, resolutionMs: 10, monoNow: () => clock.mono }));
    expect(m.read()).toBeNull();
    await until(() => (m.read()?.count ?? 0) > 0, "a first sample");
    const t0 = performance.now();
    while (performance.now() - t0 < 200);
    await until(() => (m.read()?.maxS ?? 0) > 0.15, "the stall to show");
    const before = m.read()!;
    expect(before.sumS).toBeGreaterThan(0.15);

    clock.mono += 60_000;
    // the turnover happens on this read; the fresh window has no sample yet
    const turned = m.read()!;
    expect(turned.maxS).toBe(before.maxS);
    expect(turned.count).toBeGreaterThanOrEqual(before.count);
    expect(turned.sumS).toBeGreaterThanOrEqual(before.sumS - 1e-9);

    await until(() => m.read()!.count > turned.count + 2, "samples in the new window");
    const after = m.read()!;
    expect(after.sumS).toBeGreaterThanOrEqual(turned.sumS - 1e-9);
    expect(after.p99S).toBeLessThanOrEqual(after.maxS);
  });
});
