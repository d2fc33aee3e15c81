import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createMetricsSource,
  displayUrl,
  fetchMetrics,
  matchRules,
  renderLabels,
} from "../../../probe/collectors/metrics.js";
import type { Config } from "../../../probe/config.js";
import { parseMetricRules, type MetricRule } from "../../../probe/metric-rules.js";
import { OrchStateSchema, SignalSchema, type Signal } from "../../../probe/protocol.js";
import type { Source, SourceOutput } from "../../../probe/source.js";
import { closedPortUrl, startFakeOrchestrator, type FakeOrchestrator } from "./fake-orchestrator.js";

const T0 = Date.parse("2026-06-15T03:00:00.000Z");
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

function rules(text: string): MetricRule[] {
  const r = parseMetricRules(text);
  if (!r.ok) throw new Error(r.error);
  return r.rules;
}

// Timeouts: 0.3 s where a hang is the point, 1 s where hangs and answers mix in one
// sequence, 10 s elsewhere so a loaded machine never turns an answer into a timeout.
function cfg(over: Partial<Config["metrics"]> = {}): Config["metrics"] {
  return { url: `${orch.base}/metrics`, timeoutS: 10, downTicks: 3, rules: [], ...over };
}

let tickNo = 0;
async function tick(src: Source): Promise<SourceOutput> {
  const out = await src.collect({ now: T0 + ++tickNo * 15_000, signal: new AbortController().signal });
  for (const s of out.signals) SignalSchema.parse(s);
  if (out.orch) OrchStateSchema.parse(out.orch);
  return out;
}

const orchDown = (o: SourceOutput): Signal => {
  const s = o.signals.filter((x) => x.kind === "orch_down");
  expect(s).toHaveLength(1);
  return s[0]!;
};
const ruleSignals = (o: SourceOutput) =>
  o.signals
    .filter((x) => x.kind !== "orch_down")
    .map((x) => x.key)
    .sort();

describe("metrics source: one GET per tick, short failure reasons", () => {
  it("a 200 answer is up: orch_down present and inactive, lastOkAt set, nothing malformed", async () => {
    const src = createMetricsSource(cfg());
    const before = orch.requests;
    const out = await tick(src);
    expect(orch.requests - before).toBe(1);
    expect(orchDown(out)).toMatchObject({
      key: "orch_down:orchestrator",
      entity: "orchestrator",
      active: false,
      severity: "critical",
    });
    expect(out.orch).toEqual({
      configured: true,
      up: true,
      failures: 0,
      threshold: 3,
      lastOkAt: new Date(T0 + tickNo * 15_000).toISOString(),
      lastError: null,
    });
    expect(out.skipped).toEqual({ malformed_lines: 0 });
  });

  it.each<[string, () => Promise<string>, number, string]>([
    ["HTTP 503", async () => `${orch.base}/503`, 10, "HTTP 503"],
    ["headers that never come", async () => `${orch.base}/hang`, 0.3, "timeout after 0.3 s"],
    ["a body that drips forever", async () => `${orch.base}/drip`, 0.3, "timeout after 0.3 s"],
    ["a refused connection", closedPortUrl, 10, "ECONNREFUSED"],
    ["a body over the 10 MiB cap", async () => `${orch.base}/huge`, 10, "body over 10 MiB"],
  ])("%s is a failed check with a short reason", async (_why, url, timeoutS, reason) => {
    const src = createMetricsSource(cfg({ url: await url(), timeoutS }));
    const out = await tick(src);
    expect(out.orch).toMatchObject({ configured: true, up: true, failures: 1, lastError: reason, lastOkAt: null });
    expect(orchDown(out).active).toBe(false); // one failed tick never alerts
  });

  it("a body cut short by the server is a failed check, not an answer", async () => {
    const out = await tick(createMetricsSource(cfg({ url: `${orch.base}/cut` })));
    expect(out.orch).toMatchObject({ up: true, failures: 1, lastOkAt: null });
    expect(out.orch!.lastError).toMatch(/^(ECONNRESET|aborted|connection closed mid-body)$/);
  });

  it("the drip test really got a 200 and some body before the deadline", async () => {
    const writes = orch.dripWrites;
    const r = await fetchMetrics(`${orch.base}/drip`, { timeoutMs: 1000, maxBodyBytes: 1024 * 1024 });
    expect(r).toEqual({ ok: false, reason: "timeout after 1 s" });
    expect(orch.dripWrites).toBeGreaterThan(writes);
  });

  it("honours a smaller maxBodyBytes, and the same body under the cap is answered", async () => {
    const small = createMetricsSource(cfg({ url: `${orch.base}/huge` }), { maxBodyBytes: 1024 });
    expect((await tick(small)).orch?.lastError).toBe("body over 1 KiB");
    orch.body = "x 1\n".repeat(200); // 800 bytes
    const fits = createMetricsSource(cfg(), { maxBodyBytes: 1024 });
    expect((await tick(fits)).orch).toMatchObject({ up: true, failures: 0, lastError: null });
  });

  it("garbage with a 200 is answered (the orchestrator is up) and its lines are counted as malformed", async () => {
    const src = createMetricsSource(cfg({ url: `${orch.base}/garbage`, rules: rules("x=up>0") }));
    const out = await tick(src);
    expect(out.orch).toMatchObject({ up: true, failures: 0, lastError: null });
    // the body starts with a NUL byte, where Prometheus stops reading: one line reported, nothing after it read
    expect(out.skipped?.["malformed_lines"]).toBe(1);
    expect(ruleSignals(out)).toEqual([]);
  });

  it("invalid UTF-8 in a label value is malformed, as Prometheus reads it (the bytes reach the parser, not U+FFFD)", async () => {
    orch.body = Buffer.concat([
      Buffer.from('orch_agent_hung{job="'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"} 1\nup 1\n'),
    ]);
    const out = await tick(createMetricsSource(cfg({ rules: rules("x=up>0") })));
    expect(out.skipped?.["malformed_lines"]).toBe(1);
    expect(ruleSignals(out)).toHaveLength(1);
  });

  it("stops at once on the loop's abort signal", async () => {
    const src = createMetricsSource(cfg({ url: `${orch.base}/hang` }), { fetchTimeoutMs: 20_000 });
    const ac = new AbortController();
    const p = src.collect({ now: T0, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    expect((await p).orch?.lastError).toBe("aborted");
  });

  it("says configured:false and returns no signals without a URL, without any request", async () => {
    const before = orch.requests;
    const out = await tick(createMetricsSource(cfg({ url: null })));
    expect(out.signals).toEqual([]);
    expect(out.orch).toEqual({
      configured: false,
      up: null,
      failures: 0,
      threshold: 3,
      lastOkAt: null,
      lastError: null,
    });
    expect(orch.requests).toBe(before);
  });

  it("its own timeout outlives the fetch deadline, so a slow orchestrator is a failed check, not a failed source", () => {
    const src = createMetricsSource(cfg({ timeoutS: 5 }));
    expect(src.name).toBe("metrics");
    expect(src.timeoutMs).toBeGreaterThan(5000);
  });
});

describe("metrics source: orch_down is debounced over downTicks", () => {
  it("one failed tick never alerts; K in a row do; an answer recovers", async () => {
    const src = createMetricsSource(cfg({ timeoutS: 1 }));
    const seq: Array<[string, boolean, number]> = [];
    for (const mode of ["ok", "503", "ok", "hang", "ok", "503", "503", "503", "hang", "ok"] as const) {
      orch.mode = mode;
      const out = await tick(src);
      seq.push([mode, orchDown(out).active, out.orch!.failures]);
    }
    expect(seq).toEqual([
      ["ok", false, 0],
      ["503", false, 1],
      ["ok", false, 0],
      ["hang", false, 1],
      ["ok", false, 0],
      ["503", false, 1],
      ["503", false, 2],
      ["503", true, 3],
      ["hang", true, 4],
      ["ok", false, 0],
    ]);
  });

  it("while down it says why, keeps lastOkAt, and shows no credentials or query", async () => {
    const url = `${orch.base.replace("http://", "http://watch:s3cret@")}/metrics?token=abcdef`;
    const src = createMetricsSource(cfg({ url, downTicks: 2 }));
    const ok = await tick(src);
    orch.mode = "503";
    await tick(src);
    const down = await tick(src);
    const sig = orchDown(down);
    expect(sig.active).toBe(true);
    expect(sig.title).toContain("HTTP 503");
    expect(down.orch).toMatchObject({
      up: false,
      failures: 2,
      threshold: 2,
      lastError: "HTTP 503",
      lastOkAt: ok.orch!.lastOkAt,
    });
    expect(JSON.stringify(down)).not.toMatch(/s3cret|abcdef/);
    expect(displayUrl(url)).toBe(`${orch.base}/metrics`);
  });
});

describe("metrics source: metric rules", () => {
  const R = 'agent_hung=orch_agent_hung>0; queue_stuck=orch_queue_oldest_seconds{queue="main"}>=3600';

  it("each matching series is one active signal; series come and go", async () => {
    const src = createMetricsSource(cfg({ rules: rules(R) }));
    orch.body = `# TYPE orch_agent_hung gauge
orch_agent_hung{job="a",agent="x1"} 1
orch_agent_hung{job="b",agent="x2"} 0
orch_queue_oldest_seconds{queue="main"} 4000
orch_queue_oldest_seconds{queue="side"} 9000
`;
    const first = await tick(src);
    expect(ruleSignals(first)).toEqual(['agent_hung:agent="x1",job="a"', 'queue_stuck:queue="main"']);
    const hung = first.signals.find((s) => s.kind === "agent_hung")!;
    expect(hung).toMatchObject({ entity: 'agent="x1",job="a"', active: true });
    expect(hung.title).toContain("= 1");

    orch.body = `orch_agent_hung{agent="x2",job="b"} 2\norch_agent_hung{job="a",agent="x1"} 0\norch_queue_oldest_seconds{queue="main"} 10\n`;
    expect(ruleSignals(await tick(src))).toEqual(['agent_hung:agent="x2",job="b"']);

    orch.body = "up 1\n";
    expect(ruleSignals(await tick(src))).toEqual([]);
  });

  it("a failed fetch keeps the last rule signals (unknown, not cleared); the next answer updates them", async () => {
    const src = createMetricsSource(cfg({ rules: rules(R), timeoutS: 1 }));
    orch.body = 'orch_agent_hung{job="a"} 1\n';
    const held = ruleSignals(await tick(src));
    expect(held).toEqual(['agent_hung:job="a"']);
    for (const mode of ["503", "hang", "503"] as const) {
      orch.mode = mode;
      expect(ruleSignals(await tick(src))).toEqual(held);
    }
    orch.mode = "ok";
    orch.body = 'orch_agent_hung{job="a"} 0\n';
    expect(ruleSignals(await tick(src))).toEqual([]);
  });

  it("a series without labels is entity '-'", async () => {
    orch.body = "orch_agent_hung 3\n";
    const out = await tick(createMetricsSource(cfg({ rules: rules(R) })));
    expect(ruleSignals(out)).toEqual(["agent_hung:-"]);
  });

  it("renderLabels sorts by key and escapes values, so the entity is stable", () => {
    expect(renderLabels({ z: "1", a: 'q"u\\o\nte' })).toBe('a="q\\"u\\\\o\\nte",z="1"');
    expect(renderLabels({})).toBe("-");
  });

  it("matches NaN and ±Inf the way the comparison says, dedupes a repeated series, caps a runaway rule", () => {
    const r = rules("inf=m>=1e308; nan=m!=0");
    const samples = [
      { name: "m", labels: { s: "inf" }, value: Infinity },
      { name: "m", labels: { s: "nan" }, value: NaN },
      { name: "m", labels: { s: "nan" }, value: NaN },
    ];
    expect(matchRules(r, samples).signals.map((s) => s.key)).toEqual(['inf:s="inf"', 'nan:s="inf"', 'nan:s="nan"']);
    const many = Array.from({ length: 1500 }, (_, i) => ({ name: "m", labels: { i: String(i) }, value: 1 }));
    const capped = matchRules(rules("x=m>0"), many);
    expect(capped.signals).toHaveLength(1000);
    expect(capped.overCap).toBe(500);
  });
});
