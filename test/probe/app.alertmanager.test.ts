// The assembled probe (probe/app.ts) against the real Alertmanager (Debian
// `prometheus-alertmanager`): for every signal kind, what fired is what resolves, on the
// first tick after it clears, and nothing else ever shows up. The sources are scripted
// with the collectors' own signal builders and their way of clearing: a pytest or a
// metric series vanishes from the scan; the others report themselves inactive.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startProbe, type Probe } from "../../probe/app.js";
import { parseConfig } from "../../probe/config.js";
import { manualClock } from "../helpers/manual-clock.js";
import type { ProcessInfo, Signal } from "../../probe/protocol.js";
import type { Source, SourceOutput } from "../../probe/source.js";
import { buildProcSignal } from "../../probe/collectors/proc-parse.js";
import { matchRules, orchDownSignal } from "../../probe/collectors/metrics.js";
import { parseMetricRules } from "../../probe/metric-rules.js";
import { makeSignal } from "../../probe/signals.js";
import { SIGNAL_EN as tx } from "../../probe/signal-texts.js";
import { silentLogger } from "../../probe/log.js";
import { startAlertmanager, type RunningAlertmanager } from "../helpers/alertmanager.js";

let am: RunningAlertmanager;
const probes: Probe[] = [];

/** What Alertmanager's receiver was told: a webhook on loopback, resolved alerts included. */
interface Notified {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const notified: Notified[] = [];
let hook: Server;

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      notified.push(...(JSON.parse(body) as { alerts: Notified[] }).alerts);
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  const port = (hook.address() as AddressInfo).port;
  // one group per probe, as a fleet would route: a twin with other labels would share its notifications
  am = await startAlertmanager(
    20_000,
    [
      "route:",
      '  receiver: "hook"',
      "  group_by: [instance]",
      "  group_wait: 100ms",
      "  group_interval: 500ms",
      "  repeat_interval: 1h",
      "receivers:",
      '  - name: "hook"',
      "    webhook_configs:",
      `      - url: "http://127.0.0.1:${port}/"`,
      "        send_resolved: true",
      "",
    ].join("\n"),
  );
});
afterEach(async () => {
  for (const p of probes.splice(0)) await p.stop();
});
afterAll(async () => {
  await am.stop();
  await new Promise((r) => hook.close(r));
});

const proc: ProcessInfo = {
  pid: 23688,
  ppid: 1,
  comm: "pytest",
  state: "S",
  ageS: 26 * 3600,
  startedAt: "2026-06-14T00:54:00.000Z",
  orphaned: true,
  blocking: true,
  argv: ["python", "-m", "pytest", "tests/test_x.py"],
  cmdline: "python -m pytest tests/test_x.py",
};

const rules = parseMetricRules("agent_hung=orch_agent_hung>0");
if (!rules.ok) throw new Error(rules.error);

interface Case {
  kind: string;
  entity: string;
  severity: string;
  /** the source's output while firing, and once cleared; a throw is a failing source */
  fired(): Signal[];
  cleared(): Signal[];
}

const cases: Case[] = [
  {
    kind: "proc_blocking",
    entity: "23688",
    severity: "critical",
    fired: () => [buildProcSignal(proc, "pytest", tx)],
    cleared: () => [], // the pytest exited: its pid is no longer in the scan
  },
  {
    kind: "agent_hung",
    entity: 'agent="a1"',
    severity: "warning",
    fired: () => matchRules(rules.rules, [{ name: "orch_agent_hung", labels: { agent: "a1" }, value: 1 }], tx).signals,
    cleared: () => matchRules(rules.rules, [], tx).signals, // the series went away
  },
  {
    kind: "orch_down",
    entity: "orchestrator",
    severity: "critical",
    fired: () => [orchDownSignal({ down: true, failures: 3 }, 3, "HTTP 502", "http://orch:9100/metrics", tx)],
    cleared: () => [orchDownSignal({ down: false, failures: 0 }, 3, null, "http://orch:9100/metrics", tx)],
  },
  {
    kind: "disk_ceiling",
    entity: "/data",
    severity: "critical",
    fired: () => [
      makeSignal(
        "disk_ceiling",
        "/data",
        true,
        "critical",
        tx.diskTitle("/data", "97%", "95%", true),
        tx.diskActiveDetail("/data", "97%", 95, "90%"),
      ),
    ],
    cleared: () => [
      makeSignal(
        "disk_ceiling",
        "/data",
        false,
        "critical",
        tx.diskTitle("/data", "80%", "95%", false),
        tx.diskIdleDetail("95%", "90%"),
      ),
    ],
  },
  {
    kind: "container_down",
    entity: "orch",
    severity: "critical",
    fired: () => [
      makeSignal("container_down", "orch", true, "critical", tx.containerDownTitle("orch", true, "exited (1)"), ""),
    ],
    cleared: () => [
      makeSignal("container_down", "orch", false, "critical", tx.containerDownTitle("orch", false, "running"), ""),
    ],
  },
  {
    kind: "container_unhealthy",
    entity: "orch",
    severity: "warning",
    fired: () => [
      makeSignal("container_unhealthy", "orch", true, "warning", tx.containerUnhealthyTitle("orch", true, "unhealthy")),
    ],
    cleared: () => [
      makeSignal("container_unhealthy", "orch", false, "warning", tx.containerUnhealthyTitle("orch", false, "healthy")),
    ],
  },
  {
    kind: "dep_down",
    entity: "postgres",
    severity: "critical",
    fired: () => [
      makeSignal(
        "dep_down",
        "postgres",
        true,
        "critical",
        tx.depTitle("postgres", "db:5432", { down: true, ok: false, failures: 3, of: 3 }),
        tx.depFailed("db:5432", 3, 3, "connect ECONNREFUSED"),
      ),
    ],
    cleared: () => [
      makeSignal(
        "dep_down",
        "postgres",
        false,
        "critical",
        tx.depTitle("postgres", "db:5432", { down: false, ok: true, failures: 0, of: 3 }),
        tx.depOk("db:5432", 3),
      ),
    ],
  },
  {
    // the host source's own error: warning while unreadable, told as info once readable again
    kind: "source_error",
    entity: "host:/data",
    severity: "warning",
    fired: () => [
      makeSignal(
        "source_error",
        "host:/data",
        true,
        "warning",
        tx.diskUnreadableTitle("/data", "EACCES"),
        tx.diskUnreadableDetail("/data", "EACCES"),
      ),
    ],
    cleared: () => [makeSignal("source_error", "host:/data", false, "info", tx.diskReadableAgain("/data"))],
  },
  {
    // the loop's own: the source throws, then answers again
    kind: "source_error",
    entity: "scripted",
    severity: "warning",
    fired: () => {
      throw new Error("EACCES: permission denied");
    },
    cleared: () => [],
  },
];

interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
}

async function listed(instance: string): Promise<GettableAlert[]> {
  const r = await fetch(`${am.url}/api/v2/alerts?filter=${encodeURIComponent(`instance="${instance}"`)}`);
  expect(r.status).toBe(200);
  return (await r.json()) as GettableAlert[];
}

/** Polls (bounded) until `done`; every answer seen along the way is kept, so a twin cannot hide between polls. */
async function pollAlerts(instance: string, done: (a: GettableAlert[]) => boolean): Promise<GettableAlert[][]> {
  const seen: GettableAlert[][] = [];
  for (let i = 0; i < 100; i++) {
    const a = await listed(instance);
    seen.push(a);
    if (done(a)) return seen;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Alertmanager never got there for ${instance}; last answer: ${JSON.stringify(seen.at(-1))}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const heard = (instance: string) => notified.filter((n) => n.labels.instance === instance);
const labelText = (l: Record<string, string>) =>
  Object.entries(l)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(",");

async function probeWith(host: string, source: Source): Promise<Probe> {
  const r = parseConfig({ WATCHDOG_ALERTMANAGER_URL: am.url, WATCHDOG_WS_ENABLED: "false" });
  if (!r.ok) throw new Error(r.errors.join("\n"));
  const p = await startProbe(r.config, {
    log: silentLogger,
    token: null,
    hostname: host,
    sources: [source],
    clock: manualClock,
  });
  probes.push(p);
  return p;
}

describe("a recovery resolves in the real Alertmanager the alert that fired", () => {
  for (const [i, c] of cases.entries()) {
    it(`${c.kind} ${c.entity}: fired → resolved on the first tick after it clears, no other alert`, async () => {
      const host = `am-resolve-${i}-${process.pid}`;
      let firing = true;
      const source: Source = {
        name: "scripted",
        timeoutMs: 5000,
        collect: (): Promise<SourceOutput> => Promise.resolve({ signals: firing ? c.fired() : c.cleared() }),
      };
      const probe = await probeWith(host, source);
      const want = { alertname: c.kind, entity: c.entity, instance: host, severity: c.severity };
      const alertLabels = { ...want, job: "orchestrator-watchdog" };

      await probe.loop.tick();
      await probe.loop.tick(); // still firing: at most a reminder, never a second alert
      const fired = await pollAlerts(host, (a) => a.length > 0);
      // a receiver that never heard the alert fire is not told it resolved: wait for the first word
      for (let t = 0; t < 100 && heard(host).length === 0; t++) await sleep(100);
      expect(heard(host).map((n) => n.status)).toContain("firing");
      expect(fired.at(-1)!.map((a) => a.labels)).toEqual([alertLabels]);
      expect(fired.at(-1)![0]!.status.state).toBe("active");

      firing = false;
      await probe.loop.tick();
      const afterClear = probe.loop.snapshot.alerts.filter((a) => a.firing);
      expect(afterClear).toEqual([]);
      const resolved = await pollAlerts(host, (a) => a.length === 0);
      // never two alerts for this host, before or after the recovery
      expect(resolved.filter((a) => a.length > 1)).toEqual([]);

      // the receiver heard it resolve, under the alert's own labels and title, and about nothing else
      for (let t = 0; t < 100 && !heard(host).some((n) => n.status === "resolved"); t++) await sleep(100);
      const told = new Set(heard(host).map((n) => `${labelText(n.labels)} ${n.annotations.summary}`));
      expect(told).toEqual(new Set([`${labelText(alertLabels)} ${fired.at(-1)![0]!.annotations.summary}`]));
      expect(heard(host).map((n) => n.status)).toContain("resolved");
    });
  }
});

describe("the probe's /metrics counts what Alertmanager accepted", () => {
  it('an accepted post is counted as outcome="sent", the outcome the help text names', async () => {
    const token = "am-metrics-token-0123456789";
    const r = parseConfig({ WATCHDOG_ALERTMANAGER_URL: am.url, WATCHDOG_WS_PORT: "0", WATCHDOG_WS_TOKEN: token });
    if (!r.ok) throw new Error(r.errors.join("\n"));
    const source: Source = {
      name: "scripted",
      timeoutMs: 5000,
      collect: () => Promise.resolve({ signals: [buildProcSignal(proc, "pytest", tx)] }),
    };
    const host = `am-metrics-${process.pid}`;
    const probe = await startProbe(r.config, {
      log: silentLogger,
      token,
      hostname: host,
      sources: [source],
      clock: manualClock,
    });
    probes.push(probe);
    await probe.loop.tick();
    await pollAlerts(host, (a) => a.length === 1);
    const metricsUrl = probe.url!.replace(/^ws:/, "http:").replace(/\/v1\/stream$/, "/metrics");
    let body = "";
    for (let i = 0; i < 50 && !/watchdog_alertmanager_posts_total\{outcome="sent"\} 1\b/.test(body); i++) {
      if (i) await new Promise((res) => setTimeout(res, 100));
      body = await (await fetch(metricsUrl)).text();
    }
    const posts = body.split("\n").filter((l) => l.startsWith("watchdog_alertmanager_posts_total"));
    expect(posts).toEqual([
      'watchdog_alertmanager_posts_total{outcome="sent"} 1',
      'watchdog_alertmanager_posts_total{outcome="failed"} 0',
      'watchdog_alertmanager_posts_total{outcome="dropped"} 0',
    ]);
    expect(body).toMatch(/# HELP watchdog_alertmanager_posts_total .*\bsent\b.*\bfailed\b.*\bdropped\b/);
  });
});
