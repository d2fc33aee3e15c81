import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import {
  escapeLabelValue,
  formatValue,
  renderSelfMetrics,
  signalStates,
  type ProbeFigures,
} from "../../../probe/server/self-metrics.js";
import { makeSnapshot } from "./fixtures.js";

/** A strict reader of the 0.0.4 text format: HELP and TYPE before samples, escaped label values. */
function parseExposition(text: string) {
  expect(text.endsWith("\n")).toBe(true);
  const families = new Map<string, { type: string; help: string }>();
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.slice(0, -1).split("\n")) {
    let m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (m) {
      expect(families.has(m[1]!)).toBe(false);
      families.set(m[1]!, { type: "", help: m[2]! });
      continue;
    }
    m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter|summary)$/.exec(line);
    if (m) {
      families.get(m[1]!)!.type = m[2]!;
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${JSON.stringify(line)}`);
    // a summary's _sum and _count belong to its family
    const summary = /^(.*)_(sum|count)$/.exec(m[1]!)?.[1];
    const family =
      families.get(m[1]!) ?? (summary && families.get(summary)?.type === "summary" ? families.get(summary) : undefined);
    expect(family?.type, `family of ${m[1]}`).toMatch(/gauge|counter|summary/);
    const labels: Record<string, string> = {};
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
    const body = m[2] ?? "";
    while (re.lastIndex < body.length) {
      const lm = re.exec(body);
      if (!lm) throw new Error(`bad labels: ${body}`);
      labels[lm[1]!] = lm[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    }
    const v = m[3] === "+Inf" ? Infinity : m[3] === "-Inf" ? -Infinity : Number(m[3]);
    expect(Number.isNaN(v) && m[3] !== "NaN").toBe(false);
    samples.push({ name: m[1]!, labels, value: v });
  }
  const ids = samples.map((s) => `${s.name}${JSON.stringify(s.labels)}`);
  expect(new Set(ids).size).toBe(ids.length);
  return {
    families,
    samples,
    find: (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value,
  };
}

function figures(over: Partial<ProbeFigures> = {}): ProbeFigures {
  return {
    up: true,
    enabled: true,
    build: { version: "0.1.0", node: "v20.20.2" },
    startedAtMs: 1_781_490_857_000,
    ticksTotal: 42,
    lastTickMs: 3.1,
    signals: [
      { kind: "proc_blocking", entity: "4242", active: true },
      { kind: "orch_down", entity: "orchestrator", active: false },
    ],
    decisions: { alert: 3, recovery: 1 },
    sources: [
      { name: "proc", lastMs: 2.4, errorsTotal: 0 },
      { name: "metrics", lastMs: 5000, errorsTotal: 7 },
    ],
    telegram: { deliveries: { sent: 4, failed: 1, retried: 2 }, outboxDepth: 2, droppedTotal: 0 },
    stream: {
      clients: 3,
      rejectedUnauthorized: 1,
      rejectedFull: 0,
      closedPolicy: 2,
      closedBacklog: 0,
      closedNoPong: 1,
    },
    rssBytes: 50_000_000,
    ...over,
  };
}

describe("renderSelfMetrics", () => {
  it("renders every figure as a valid exposition", () => {
    const p = parseExposition(renderSelfMetrics(figures()));
    expect(p.find("watchdog_up")).toBe(1);
    expect(p.find("watchdog_enabled")).toBe(1);
    expect(p.find("watchdog_build_info", { version: "0.1.0", node: "v20.20.2" })).toBe(1);
    expect(p.find("watchdog_start_time_seconds")).toBe(1_781_490_857);
    expect(p.find("watchdog_ticks_total")).toBe(42);
    expect(p.find("watchdog_tick_duration_seconds")).toBeCloseTo(0.0031);
    expect(p.find("watchdog_signal_active", { kind: "proc_blocking", entity: "4242" })).toBe(1);
    expect(p.find("watchdog_signal_active", { kind: "orch_down", entity: "orchestrator" })).toBe(0);
    expect(p.find("watchdog_decisions_total", { action: "alert" })).toBe(3);
    expect(p.find("watchdog_decisions_total", { action: "repeat" })).toBe(0);
    expect(p.find("watchdog_decisions_total", { action: "recovery" })).toBe(1);
    expect(p.find("watchdog_source_duration_seconds", { source: "metrics" })).toBe(5);
    expect(p.find("watchdog_source_errors_total", { source: "metrics" })).toBe(7);
    expect(p.find("watchdog_source_errors_total", { source: "proc" })).toBe(0);
    expect(p.find("watchdog_telegram_deliveries_total", { outcome: "sent" })).toBe(4);
    expect(p.find("watchdog_telegram_deliveries_total", { outcome: "retried" })).toBe(2);
    expect(p.find("watchdog_telegram_outbox_depth")).toBe(2);
    expect(p.find("watchdog_telegram_dropped_total")).toBe(0);
    expect(p.find("watchdog_stream_clients")).toBe(3);
    expect(p.find("watchdog_stream_dropped_total", { reason: "no_pong" })).toBe(1);
    expect(p.find("watchdog_resident_memory_bytes")).toBe(50_000_000);
    expect(p.families.get("watchdog_decisions_total")!.type).toBe("counter");
    expect(p.families.get("watchdog_signal_active")!.type).toBe("gauge");
  });

  it("renders the liveness figures: tick age, its bound, and the event-loop delay as a summary", () => {
    const text = renderSelfMetrics(
      figures({
        up: false,
        lastTickAgeMs: 61_500,
        tickAgeBoundMs: 50_000,
        eventLoopDelay: { p50S: 0.0004, p99S: 0.012, maxS: 0.25, sumS: 3.5, count: 9000 },
      }),
    );
    const p = parseExposition(text);
    expect(p.find("watchdog_up")).toBe(0);
    expect(p.find("watchdog_last_tick_age_seconds")).toBe(61.5);
    expect(p.find("watchdog_last_tick_age_bound_seconds")).toBe(50);
    expect(p.families.get("watchdog_event_loop_delay_seconds")!.type).toBe("summary");
    expect(p.find("watchdog_event_loop_delay_seconds", { quantile: "0.5" })).toBe(0.0004);
    expect(p.find("watchdog_event_loop_delay_seconds", { quantile: "0.99" })).toBe(0.012);
    expect(p.find("watchdog_event_loop_delay_seconds_sum")).toBe(3.5);
    expect(p.find("watchdog_event_loop_delay_seconds_count")).toBe(9000);
    expect(p.find("watchdog_event_loop_delay_max_seconds")).toBe(0.25);
    // a summary's samples follow its HELP and TYPE, nothing in between
    expect(text).toContain(
      [
        "# TYPE watchdog_event_loop_delay_seconds summary",
        'watchdog_event_loop_delay_seconds{quantile="0.5"} 0.0004',
        'watchdog_event_loop_delay_seconds{quantile="0.99"} 0.012',
        "watchdog_event_loop_delay_seconds_sum 3.5",
        "watchdog_event_loop_delay_seconds_count 9000",
        "# HELP watchdog_event_loop_delay_max_seconds",
      ].join("\n"),
    );
  });

  it("every family it renders is in docs/protocol.md's /metrics table", () => {
    const doc = readFileSync(new URL("../../../docs/protocol.md", import.meta.url), "utf8");
    const documented = new Set([...doc.matchAll(/^\| `(watchdog_[a-z_]+)` \|/gm)].map((m) => m[1]));
    const all = figures({
      alertmanager: { posts: { sent: 1, failed: 0, dropped: 0 } },
      lastTickAgeMs: 1,
      tickAgeBoundMs: 50_000,
      eventLoopDelay: { p50S: 0, p99S: 0, maxS: 0, sumS: 0, count: 1 },
    });
    const rendered = [...parseExposition(renderSelfMetrics(all)).families.keys()];
    expect(rendered.filter((f) => !documented.has(f))).toEqual([]);
  });

  it("before the first tick and the first delay sample: the families without samples", () => {
    const p = parseExposition(
      renderSelfMetrics(figures({ lastTickAgeMs: null, tickAgeBoundMs: 50_000, eventLoopDelay: null })),
    );
    expect(p.find("watchdog_last_tick_age_seconds")).toBeUndefined();
    expect(p.find("watchdog_last_tick_age_bound_seconds")).toBe(50);
    expect(p.find("watchdog_event_loop_delay_seconds_count")).toBeUndefined();
  });

  it("with the kill switch off and nothing configured: down to the essentials, still valid", () => {
    const p = parseExposition(
      renderSelfMetrics(
        figures({
          enabled: false,
          lastTickMs: null,
          signals: [],
          decisions: {},
          sources: [],
          telegram: null,
          stream: null,
          rssBytes: undefined,
        }),
      ),
    );
    expect(p.find("watchdog_enabled")).toBe(0);
    expect(p.find("watchdog_up")).toBe(1);
    expect(p.find("watchdog_tick_duration_seconds")).toBeUndefined();
    expect(p.families.has("watchdog_telegram_outbox_depth")).toBe(false);
    expect(p.find("watchdog_decisions_total", { action: "alert" })).toBe(0);
  });

  it("lists both outcomes of each configured channel, at 0 before the first message", () => {
    const p = parseExposition(
      renderSelfMetrics(
        figures({
          telegram: { deliveries: {}, outboxDepth: 0, droppedTotal: 0 },
          alertmanager: { posts: { sent: 2, failed: 0, dropped: 0 } },
        }),
      ),
    );
    expect(p.find("watchdog_telegram_deliveries_total", { outcome: "sent" })).toBe(0);
    expect(p.find("watchdog_telegram_deliveries_total", { outcome: "failed" })).toBe(0);
    expect(p.find("watchdog_alertmanager_posts_total", { outcome: "sent" })).toBe(2);
    expect(p.find("watchdog_alertmanager_posts_total", { outcome: "failed" })).toBe(0);
    expect(p.find("watchdog_alertmanager_posts_total", { outcome: "dropped" })).toBe(0);
    expect(p.families.has("watchdog_alertmanager_posts_total")).toBe(true);
    expect(
      parseExposition(renderSelfMetrics(figures({ alertmanager: null }))).families.has(
        "watchdog_alertmanager_posts_total",
      ),
    ).toBe(false);
  });

  it("escapes label values that come from metric rules' series labels", () => {
    const entity = 'job="build\\2"\nqueue=a,b}';
    const p = parseExposition(renderSelfMetrics(figures({ signals: [{ kind: "agent_hung", entity, active: true }] })));
    expect(p.find("watchdog_signal_active", { kind: "agent_hung", entity })).toBe(1);
  });

  it("puts no command line, argv or title of a snapshot into the text", () => {
    const snap = makeSnapshot(7, 200);
    expect(snap.alerts.length).toBeGreaterThan(0);
    const text = renderSelfMetrics(figures({ signals: signalStates(snap) }));
    const p = parseExposition(text);
    expect(p.samples.filter((s) => s.name === "watchdog_signal_active")).toHaveLength(snap.signals.length);
    for (const proc of snap.processes.slice(0, 20)) expect(text).not.toContain(proc.cmdline.slice(0, 40));
    expect(text).not.toContain("--token");
    expect(text).not.toContain("pytest");
    expect(text).not.toContain("ECONNREFUSED");
  });
});

describe("signalStates", () => {
  it("lists each signal once, and alerts whose signal is gone by their firing state", () => {
    const snap = makeSnapshot(1, 0);
    snap.signals = [
      {
        key: "dep_down:db",
        kind: "dep_down",
        entity: "db",
        active: false,
        severity: "warning",
        title: "t",
        detail: "",
      },
      { key: "dep_down:db", kind: "dep_down", entity: "db", active: true, severity: "warning", title: "t", detail: "" },
    ];
    snap.alerts = [
      {
        key: "dep_down:db",
        kind: "dep_down",
        entity: "db",
        firing: true,
        since: null,
        lastNotifiedAt: null,
        cooldownUntil: null,
        notifications: 1,
      },
      {
        key: "proc_blocking:9",
        kind: "proc_blocking",
        entity: "9",
        firing: false,
        since: null,
        lastNotifiedAt: null,
        cooldownUntil: null,
        notifications: 2,
      },
    ];
    expect(signalStates(snap)).toEqual([
      { kind: "dep_down", entity: "db", active: true },
      { kind: "proc_blocking", entity: "9", active: false },
    ]);
  });
});

describe("helpers", () => {
  it("escapes backslash, quote and newline, nothing else", () => {
    expect(escapeLabelValue('a\\b"c\nd{e},f')).toBe('a\\\\b\\"c\\nd{e},f');
  });
  it("formats special numbers as the format spells them", () => {
    expect([NaN, Infinity, -Infinity, 0.5, 1e21].map(formatValue)).toEqual(["NaN", "+Inf", "-Inf", "0.5", "1e+21"]);
  });
});
