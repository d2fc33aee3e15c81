// Against the real Alertmanager (Debian `prometheus-alertmanager`), started on loopback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DecisionEvent } from "../../../probe/loop.js";
import type { Action } from "../../../probe/protocol.js";
import { makeSignal } from "../../../probe/signals.js";
import {
  alertsEndpoint,
  createAlertmanager,
  toPostableAlert,
  type Alertmanager,
} from "../../../probe/notify/alertmanager.js";
import { jsonLogger, silentLogger } from "../../../probe/log.js";
import type { LogLine } from "../../helpers/log.js";
import { startAlertmanager, type RunningAlertmanager } from "../../helpers/alertmanager.js";
import { closedPort } from "../../helpers/ports.js";

let am: RunningAlertmanager;
const clients: Alertmanager[] = [];
let logs: LogLine[] = [];
const log = jsonLogger((s) => logs.push(JSON.parse(s) as LogLine));

beforeAll(async () => {
  am = await startAlertmanager();
});
afterAll(async () => {
  for (const c of clients) await c.stop();
  await am.stop();
});

function client(url = am.url) {
  const c = createAlertmanager(url, {
    hostname: "ci-runner-3",
    log,
    cooldownFor: () => 1800,
    sleep: () => Promise.resolve(),
  });
  clients.push(c);
  return c;
}

function ev(entity: string, action: Action, at: number, since: number): DecisionEvent {
  return {
    seq: 1,
    at,
    action,
    signal: makeSignal(
      "proc_blocking",
      entity,
      action !== "recovery",
      "critical",
      `pytest ${entity} running for 2h 1m`,
      "python -m pytest",
    ),
    state: { firing: action !== "recovery", since, lastNotifiedAt: at, notifications: action === "alert" ? 1 : 2 },
  };
}

interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

async function alerts(query = ""): Promise<GettableAlert[]> {
  const r = await fetch(`${am.url}/api/v2/alerts${query}`);
  expect(r.status).toBe(200);
  return (await r.json()) as GettableAlert[];
}
const byEntity = (list: GettableAlert[], entity: string) => list.filter((a) => a.labels.entity === entity);

describe("Alertmanager hand-off (real prometheus-alertmanager)", () => {
  it("an alert shows up as active with its labels and annotations", async () => {
    const c = client();
    const now = Date.now();
    c.post(ev("4242", "alert", now, now), "ALERT text for 4242");
    await c.flush(10_000);
    const [a] = byEntity(await alerts(), "4242");
    expect(a).toBeDefined();
    expect(a!.labels).toEqual({
      alertname: "proc_blocking",
      entity: "4242",
      instance: "ci-runner-3",
      severity: "critical",
      job: "orchestrator-watchdog",
    });
    expect(a!.annotations).toEqual({ summary: "pytest 4242 running for 2h 1m", description: "ALERT text for 4242" });
    expect(a!.status.state).toBe("active");
    expect(Date.parse(a!.endsAt)).toBeGreaterThan(now + 60 * 60_000); // kept alive past the next reminder
    expect(c.stats()).toMatchObject({ sent: 1, failed: 0 });
  });

  it("a reminder re-posts the alert and pushes its end further out", async () => {
    const c = client();
    const t0 = Date.now();
    c.post(ev("5151", "alert", t0, t0), "first");
    await c.flush(10_000);
    const before = Date.parse(byEntity(await alerts(), "5151")[0]!.endsAt);
    c.post(ev("5151", "repeat", t0 + 1800_000, t0), "reminder");
    await c.flush(10_000);
    const [after] = byEntity(await alerts(), "5151");
    expect(Date.parse(after!.endsAt)).toBe(before + 1800_000);
    expect(after!.annotations.description).toBe("reminder");
    expect(after!.status.state).toBe("active");
  });

  it("a recovery resolves it: gone from the active alerts", async () => {
    const c = client();
    const t0 = Date.now() - 120_000;
    c.post(ev("6363", "alert", t0, t0), "alert");
    c.post(ev("6363", "recovery", Date.now(), t0), "resolved"); // posted back to back: order is kept
    await c.flush(10_000);
    expect(c.stats()).toMatchObject({ sent: 2, failed: 0 });
    expect(byEntity(await alerts("?active=true"), "6363")).toEqual([]);
    expect(byEntity(await alerts(), "6363")).toEqual([]);
    // ...while an unrelated firing alert is still listed (the GET really lists alerts)
    expect(byEntity(await alerts("?active=true"), "4242")).toHaveLength(1);
  });

  it("post() never throws and never waits, even when Alertmanager is unreachable", async () => {
    logs = [];
    const port = await closedPort();
    const c = client(`http://user:s3cret@127.0.0.1:${port}`);
    const now = Date.now();
    expect(c.post(ev("7", "alert", now, now), "x")).toBeUndefined();
    expect(c.stats().depth).toBe(1); // queued, not sent on the caller's path
    await c.flush(10_000);
    expect(c.stats()).toMatchObject({ sent: 0, failed: 1 });
    expect(logs.some((l) => String(l.error).includes("ECONNREFUSED"))).toBe(true);
    expect(JSON.stringify(logs)).not.toContain("s3cret");
  });

  it("stop() cuts a retry's pause short and counts the posts left unsent", async () => {
    const port = await closedPort();
    let pausing = 0;
    const c = createAlertmanager(`http://127.0.0.1:${port}`, {
      hostname: "h",
      log: silentLogger,
      sleep: () => {
        pausing++;
        return new Promise<void>(() => undefined);
      },
    });
    clients.push(c);
    const now = Date.now();
    c.post(ev("8", "alert", now, now), "x");
    c.post(ev("9", "alert", now, now), "y");
    for (let i = 0; i < 500 && pausing === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(pausing).toBe(1); // the first post failed once and waits for ever
    await c.stop();
    expect(c.stats()).toEqual({ sent: 0, failed: 1, depth: 0, dropped: 1 });
  });
});

describe("toPostableAlert / alertsEndpoint (pure)", () => {
  it("sets endsAt to the decision time on recovery and keeps startsAt at the firing start", () => {
    const a = toPostableAlert(ev("1", "recovery", Date.UTC(2026, 0, 1, 1), Date.UTC(2026, 0, 1, 0)), "t", {
      hostname: "h",
      cooldownS: 60,
    });
    expect(a.startsAt).toBe("2026-01-01T00:00:00.000Z");
    expect(a.endsAt).toBe("2026-01-01T01:00:00.000Z");
  });

  it("accepts a base URL or the full endpoint", () => {
    expect(alertsEndpoint("http://am:9093")).toBe("http://am:9093/api/v2/alerts");
    expect(alertsEndpoint("http://am:9093/prefix/")).toBe("http://am:9093/prefix/api/v2/alerts");
    expect(alertsEndpoint("http://am:9093/api/v2/alerts")).toBe("http://am:9093/api/v2/alerts");
  });
});
