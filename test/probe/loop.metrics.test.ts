// The metrics source inside the real tick loop, against a real loopback orchestrator:
// the decisions a person would receive.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMetricsSource } from "../../probe/collectors/metrics.js";
import { TickLoop, type DecisionEvent } from "../../probe/loop.js";
import { parseMetricRules } from "../../probe/metric-rules.js";
import { SnapshotSchema, type OrchState } from "../../probe/protocol.js";
import { startFakeOrchestrator, type FakeOrchestrator, type Mode } from "./collectors/fake-orchestrator.js";

let orch: FakeOrchestrator;
beforeAll(async () => {
  orch = await startFakeOrchestrator();
});
afterAll(async () => {
  await orch.close();
});
beforeEach(() => {
  orch.mode = "ok";
  orch.body = "up 1\n";
});

const orchIdle: OrchState = { configured: true, up: null, failures: 0, threshold: 3, lastOkAt: null, lastError: null };

// 1 s: a "hang" tick costs that much, and a loaded machine still answers within it.
function harness(rulesText?: string) {
  const parsed = rulesText ? parseMetricRules(rulesText) : { ok: true as const, rules: [] };
  if (!parsed.ok) throw new Error(parsed.error);
  const source = createMetricsSource({ url: `${orch.base}/metrics`, timeoutS: 1, downTicks: 3, rules: parsed.rules });
  let now = Date.parse("2026-06-15T03:00:00Z");
  const decisions: DecisionEvent[] = [];
  const sourceErrors: string[] = [];
  const loop = new TickLoop({
    enabled: true,
    tickS: 15,
    sources: [source],
    orchIdle,
    cooldownFor: () => 1800,
    clock: {
      wallMs: () => now,
      monoMs: () => now,
      setTimeout: (f, ms) => setTimeout(f, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    },
    onDecision: (d) => decisions.push(d),
    onSourceError: (_s, e) => sourceErrors.push(e),
  });
  /** One tick per step; returns the actions decided during that tick. */
  async function run(steps: Array<Mode | [Mode, string]>): Promise<string[][]> {
    const perTick: string[][] = [];
    for (const step of steps) {
      const [mode, body] = Array.isArray(step) ? step : [step, undefined];
      orch.mode = mode;
      if (body !== undefined) orch.body = body;
      const before = decisions.length;
      const snap = await loop.tick();
      SnapshotSchema.parse(snap);
      perTick.push(decisions.slice(before).map((d) => `${d.action} ${d.signal.key}`));
      now += 15_000;
    }
    return perTick;
  }
  return { loop, run, decisions, sourceErrors };
}

describe("TickLoop + metrics source", () => {
  it("alerts orch_down once after K failing ticks, stays quiet while down, recovers when it answers", async () => {
    const h = harness();
    const perTick = await h.run(["ok", "503", "ok", "503", "hang", "503", "503", "hang", "ok", "ok"]);
    expect(perTick).toEqual([
      [],
      [],
      [],
      [],
      [],
      ["alert orch_down:orchestrator"],
      [],
      [],
      ["recovery orch_down:orchestrator"],
      [],
    ]);
    expect(h.decisions.filter((d) => d.action === "alert")).toHaveLength(1);
    // a slow or failing orchestrator is a failed check, never a failed source
    expect(h.sourceErrors).toEqual([]);
    expect(h.loop.snapshot.orch).toMatchObject({ configured: true, up: true, failures: 0, lastError: null });
  });

  it("the snapshot's orch shows the debounce in progress", async () => {
    const h = harness();
    await h.run(["503", "503"]);
    expect(h.loop.snapshot.orch).toMatchObject({ up: true, failures: 2, threshold: 3, lastError: "HTTP 503" });
    expect(h.loop.snapshot.sources).toEqual([expect.objectContaining({ name: "metrics", ok: true })]);
  });

  it("metric-rule series alert, survive a failed fetch without a false recovery, and recover when gone", async () => {
    const h = harness("agent_hung=orch_agent_hung>0");
    const both = 'orch_agent_hung{job="a"} 1\norch_agent_hung{job="b"} 1\n';
    const onlyB = 'orch_agent_hung{job="a"} 0\norch_agent_hung{job="b"} 1\n';
    const perTick = await h.run([["ok", both], "503", "hang", ["ok", onlyB], ["ok", "up 1\n"]]);
    expect(perTick).toEqual([
      ['alert agent_hung:job="a"', 'alert agent_hung:job="b"'],
      [],
      [],
      ['recovery agent_hung:job="a"'],
      ['recovery agent_hung:job="b"'],
    ]);
  });
});
