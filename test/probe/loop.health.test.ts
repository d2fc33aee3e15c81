// The loop's liveness verdict (what /healthz answers), on an injected monotonic clock:
// the ticks run on real timers, the ages the verdict sees are the test's.
import { afterEach, describe, expect, it } from "vitest";
import { HEALTH_SLACK_MS, TickLoop, type LoopOptions } from "../../probe/loop.js";
import type { OrchState } from "../../probe/protocol.js";
import type { Source } from "../../probe/source.js";
import { gatedSource } from "../helpers/gated-source.js";

const orchIdle: OrchState = { configured: false, up: null, failures: 0, threshold: 3, lastOkAt: null, lastError: null };

const loops: TickLoop[] = [];
const gates: Array<ReturnType<typeof gatedSource>> = [];
afterEach(async () => {
  for (const g of gates.splice(0)) g.release();
  await Promise.all(loops.splice(0).map((l) => l.stop()));
});

function harness(sources: Source[], extra: Partial<LoopOptions> = {}) {
  const clock = { mono: 1_000_000 };
  const loop = new TickLoop({
    enabled: true,
    tickS: 15,
    sources,
    orchIdle,
    cooldownFor: () => 1800,
    monoNow: () => clock.mono,
    ...extra,
  });
  loops.push(loop);
  return { loop, clock };
}

/** Polls (bounded) until `cond` holds. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; !cond(); i++) {
    if (i > 1000) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("TickLoop.health", () => {
  it("derives its bound from the tick and the longest source timeout", () => {
    const { loop } = harness([gatedSource("host", 10_000), gatedSource("metrics", 5_000)]);
    expect(loop.healthBoundMs).toBe(2 * 15_000 + 10_000 + HEALTH_SLACK_MS);
  });

  it("is not alive before start and after stop", async () => {
    const { loop } = harness([gatedSource("host")]);
    expect(loop.health()).toMatchObject({ ok: false, reason: "tick loop not started" });
    loop.start();
    await until(() => loop.health().lastTickAgeMs !== null, "the first tick");
    await loop.stop();
    expect(loop.health()).toMatchObject({ ok: false, reason: "tick loop stopped" });
  });

  it("fresh while the last tick is younger than the bound, stale past it", async () => {
    const { loop, clock } = harness([gatedSource("host", 10_000)]);
    loop.start();
    await until(() => loop.health().lastTickAgeMs !== null, "the first tick");
    // the next tick is 15 s of real time away: no tick runs while the test moves the clock
    clock.mono += loop.healthBoundMs;
    expect(loop.health()).toEqual({
      ok: true,
      reason: "last completed tick 1 ended 50 s ago; no tick running",
      lastTickAgeMs: 50_000,
      boundMs: 50_000,
    });
    clock.mono += 1;
    expect(loop.health()).toEqual({
      ok: false,
      reason: "no tick running; last completed tick 1 ended 50 s ago (bound 50 s)",
      lastTickAgeMs: 50_001,
      boundMs: 50_000,
    });
  });

  it("stuck on a source: names the tick, how long ago it started and the source it waits on", async () => {
    const host = gatedSource("host", 10_000);
    const proc = gatedSource("proc", 3_600_000);
    gates.push(proc);
    proc.hold = true;
    const { loop, clock } = harness([host, proc]);
    loop.start();
    await until(() => host.calls === 1 && proc.calls === 1, "tick 1 to ask both sources");
    await until(() => loop.health().reason.endsWith("waiting on proc"), "host to answer");
    clock.mono += loop.healthBoundMs + 5_000;
    expect(loop.health()).toEqual({
      ok: false,
      reason: "tick 1 started 3645 s ago, waiting on proc; no tick completed since the start 3645 s ago (bound 3640 s)",
      lastTickAgeMs: null,
      boundMs: 3_640_000,
    });
    proc.release();
    await until(() => loop.health().lastTickAgeMs !== null, "tick 1 to complete");
    expect(loop.health()).toMatchObject({ ok: true, reason: "last completed tick 1 ended 0 s ago; no tick running" });
  });

  it("with the kill switch off the idle loop keeps ticking and stays alive, its bound without sources", async () => {
    const proc = gatedSource("proc", 3_600_000);
    proc.hold = true;
    gates.push(proc);
    const { loop, clock } = harness([proc], { enabled: false, tickS: 0.01 });
    expect(loop.healthBoundMs).toBe(2 * 10 + HEALTH_SLACK_MS);
    loop.start();
    for (let i = 1; i <= 5; i++) {
      // each step alone is past the bound; only a tick completed since keeps the loop alive
      clock.mono += HEALTH_SLACK_MS + 1_000;
      const seen = loop.ticks;
      await until(() => loop.ticks > seen + 1, `tick ${seen + 2}`);
      expect(loop.health().ok).toBe(true);
    }
    expect(proc.calls).toBe(0);
  });
});
