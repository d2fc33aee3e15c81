import { describe, expect, it } from "vitest";
import { buildTree } from "../../../extension/views/model.js";
import type { Row, TreeModel } from "../../../extension/views/rows.js";
import type { Decision } from "../../../probe/protocol.js";
import { alert, conn, hello, NOW, orchDown, proc, snapshot, t } from "./fixtures.js";

function row(m: TreeModel, id: string): Row {
  const r = m.rows.get(id);
  if (!r) throw new Error(`no row ${id}; rows: ${[...m.rows.keys()].join(", ")}`);
  return r;
}
const labels = (m: TreeModel, id: string) => row(m, id).childIds.map((c) => row(m, c).label);

describe("buildTree: a probe's node", () => {
  it("is labelled with the probe name and shows its connection state", () => {
    const m = buildTree([conn()], NOW, t);
    expect(m.rootIds).toEqual(["prod"]);
    expect(row(m, "prod").label).toBe("prod");
    expect(row(m, "prod").description).toBe("connected · ci-runner-3");
    expect(row(m, "prod").contextValue).toBe("watchdog.probe.connected.direct");
    expect(labels(m, "prod")).toEqual(["Orchestrator", "Processes", "Alerts & cooldowns"]);
  });

  it("says in its tooltip how the probe is reached, never with the URL's credentials", () => {
    const reach = (c: Parameters<typeof conn>[0]) => row(buildTree([conn(c)], NOW, t), "prod").tooltip.split("\n")[1];
    expect(
      reach({ target: { kind: "direct", name: "prod", url: "wss://me:s3cret@probe.example.org/v1/stream" } }),
    ).toBe("wss://***@probe.example.org/v1/stream");
    expect(
      reach({
        target: {
          kind: "ssh",
          name: "prod",
          ssh: { host: "ci.example.org", port: 22, username: "me", remotePort: 8787 },
        },
      }),
    ).toBe("ssh me@ci.example.org:22 → 127.0.0.1:8787");
    expect(reach({ target: { kind: "local", name: "prod" } })).toBe("started by Watchdog on this machine");
  });

  it("says connecting, retrying in N s with the reason, and disconnected with the reason", () => {
    const states = buildTree(
      [
        conn({
          id: "a",
          name: "a",
          state: { phase: "connecting", attempt: 1 },
          snapshot: null,
          hello: null,
          snapshotReceivedAt: null,
        }),
        conn({
          id: "b",
          name: "b",
          state: { phase: "waiting", attempt: 3, retryAt: NOW + 4_200, reason: "ECONNREFUSED" },
        }),
        conn({ id: "c", name: "c", state: { phase: "failed", reason: "HTTP 401: wrong token" } }),
      ],
      NOW,
      t,
    );
    expect(row(states, "a").description).toBe("connecting…");
    expect(labels(states, "a")).toEqual(["No data yet"]);
    expect(row(states, "b").description).toBe("retrying in 5 s: ECONNREFUSED");
    expect(row(states, "c").description).toBe("disconnected: HTTP 401: wrong token");
    // a second later the countdown moved
    expect(
      row(
        buildTree(
          [conn({ id: "b", name: "b", state: { phase: "waiting", attempt: 3, retryAt: NOW + 4_200, reason: "x" } })],
          NOW + 1000,
          t,
        ),
        "b",
      ).description,
    ).toBe("retrying in 4 s: x");
  });

  it("turns stale after three ticks (hello.config.tickS) without a snapshot", () => {
    const c = conn({ hello: hello({ tickS: 10 }), snapshotReceivedAt: NOW - 29_000 });
    expect(row(buildTree([c], NOW, t), "prod").description).toBe("connected · ci-runner-3");
    const later = buildTree([c], NOW + 2_000, t);
    expect(row(later, "prod").description).toBe("stale: no snapshot for <1m");
    expect(row(later, "prod").icon?.id).toBe("watch");
    // the default 15 s tick when no hello has arrived
    const noHello = conn({
      hello: null,
      snapshot: null,
      snapshotReceivedAt: null,
      state: { phase: "connected", since: NOW - 46_000 },
    });
    expect(row(buildTree([noHello], NOW, t), "prod").description).toMatch(/^stale/);
  });

  it("gives every row an id made of the probe id and the entity key", () => {
    const m = buildTree(
      [conn({ id: "a/b", name: "ab", snapshot: snapshot({ alerts: [alert("proc_blocking:4242")] }) })],
      NOW,
      t,
    );
    expect([...m.rows.keys()]).toEqual([
      "a%2Fb",
      "a%2Fb/orch",
      "a%2Fb/orch/failures",
      "a%2Fb/orch/last-ok",
      "a%2Fb/orch/last-error",
      "a%2Fb/procs",
      "a%2Fb/procs/4242",
      "a%2Fb/alerts",
      "a%2Fb/alerts/proc_blocking%3A4242",
    ]);
  });
});

describe("buildTree: Orchestrator", () => {
  it("shows up, then down with failed ticks, last answer and last error", () => {
    const up = buildTree([conn()], NOW, t);
    expect(row(up, "prod/orch").description).toBe("up");
    const m = buildTree([conn({ snapshot: snapshot(orchDown()) })], NOW, t);
    expect(row(m, "prod/orch").label).toBe("Orchestrator");
    expect(row(m, "prod/orch").description).toBe("down");
    expect(row(m, "prod/orch").icon).toEqual({ id: "error", color: "list.errorForeground" });
    expect(row(m, "prod/orch/failures").label).toBe("Health checks");
    expect(row(m, "prod/orch/failures").description).toBe("failing for 3 checks (alerts at 3)");
    expect(row(up, "prod/orch/failures").description).toBe("passing (alerts after 3 failed)");
    expect(row(m, "prod/orch/last-ok").description).toBe("<1m ago");
    expect(row(m, "prod/orch/last-error").description).toBe("connect ECONNREFUSED 10.0.0.5:8000");
  });

  it("says failing k/K below the threshold, and not configured without a metrics URL", () => {
    const failing = snapshot({
      orch: { configured: true, up: false, failures: 1, threshold: 3, lastOkAt: null, lastError: "timeout" },
    });
    const m = buildTree([conn({ snapshot: failing })], NOW, t);
    expect(row(m, "prod/orch").description).toBe("failing 1/3");
    expect(row(m, "prod/orch/last-ok").description).toBe("never");
    expect(row(m, "prod/orch").icon).toEqual({ id: "warning", color: "list.warningForeground" });
    // the probe reports up: true until the failures reach the threshold; the row must not say "up"
    const stillUp = snapshot({
      orch: { configured: true, up: true, failures: 2, threshold: 3, lastOkAt: null, lastError: "timeout" },
    });
    const k = buildTree([conn({ snapshot: stillUp })], NOW, t);
    expect(row(k, "prod/orch").description).toBe("failing 2/3");
    expect(row(k, "prod/orch").icon?.id).toBe("warning");
    expect(row(k, "prod/orch/failures").description).toBe("failing for 2 checks (alerts at 3)");
    const off = snapshot({
      orch: { configured: false, up: null, failures: 0, threshold: 3, lastOkAt: null, lastError: null },
    });
    const n = buildTree([conn({ snapshot: off })], NOW, t);
    expect(row(n, "prod/orch").description).toBe("not configured");
    expect(row(n, "prod/orch").expanded).toBeNull();
  });
});

describe("buildTree: Processes", () => {
  it("labels each process by its test target and age, with pid and blocking/orphaned after it", () => {
    const s = snapshot({
      processes: [
        proc(4242),
        proc(5000, { orphaned: true, blocking: false, ageS: 125, ppid: 1 }),
        proc(6000, { orphaned: false, blocking: false, ageS: 30, ppid: 77, cmdline: "", argv: [], comm: "pytest" }),
      ],
    });
    const m = buildTree([conn({ snapshot: s })], NOW, t);
    expect(labels(m, "prod/procs")).toEqual([
      "pytest tests/ --token=*** · 2h",
      "pytest tests/ --token=*** · 2m",
      "[pytest] · <1m",
    ]);
    expect(row(m, "prod/procs").description).toBe("3 matched, 1 blocking");
    expect(row(m, "prod/procs/4242").icon?.id).toBe("flame");
    expect(row(m, "prod/procs/4242").description).toBe("pid 4242 · blocking · orphaned");
    expect(row(m, "prod/procs/6000").description).toBe("pid 6000");
    expect(row(m, "prod/procs/5000").icon?.id).toBe("debug-disconnect");
    expect(row(m, "prod/procs/6000").icon?.id).toBe("terminal");
    expect(row(m, "prod/procs/4242").contextValue).toBe("watchdog.process");
    expect(row(m, "prod/procs/4242").click).toEqual({ kind: "cmdline", rowId: "prod/procs/4242" });
    expect(row(m, "prod/procs/4242").ref).toEqual({ kind: "process", probeId: "prod", pid: 4242 });
  });

  it("has a plain-text tooltip with ppid, state and start time", () => {
    const tip = row(buildTree([conn()], NOW, t), "prod/procs/4242").tooltip;
    expect(tip).toBe(
      [
        "pid 4242 · ppid 1 · state S",
        "started 2026-06-15T00:59:00.000Z (2h ago)",
        "orphaned: its parent is an init process",
        "blocking: older than 60 min",
        "python -m pytest tests/ --token=***",
      ].join("\n"),
    );
  });

  it("shortens long command lines and counts processes the probe left out", () => {
    const argv = [
      "/opt/venv/bin/python3.12",
      "-m",
      "pytest",
      "tests/" + "very/long/path/".repeat(8) + "test_x.py",
      "-k",
      "slow",
    ];
    const m = buildTree(
      [
        conn({
          snapshot: snapshot({ processes: [proc(1, { argv, cmdline: argv.join(" ") })], processesTruncated: 7 }),
        }),
      ],
      NOW,
      t,
    );
    const label = row(m, "prod/procs/1").label;
    expect(label.length).toBeLessThan(80);
    // shortened from the middle: the command and the test file's name both stay
    expect(label).toMatch(/^pytest tests\/very\/long.*….*test_x\.py -k slow · 2h$/);
    expect(label).not.toContain("/opt/venv");
    // the whole argv stays in the tooltip
    expect(row(m, "prod/procs/1").tooltip.replace(/\n/g, " ")).toContain(
      "/opt/venv/bin/python3.12 -m pytest tests/very/",
    );
    expect(row(m, "prod/procs").description).toBe("8 matched, 1 blocking");
    expect(row(m, "prod/procs/more").label).toBe("7 more not listed");
  });

  it("drops a repeated pid instead of registering the same id twice", () => {
    const m = buildTree(
      [conn({ snapshot: snapshot({ processes: [proc(9), proc(9, { cmdline: "other" })] }) })],
      NOW,
      t,
    );
    expect(row(m, "prod/procs").childIds).toEqual(["prod/procs/9"]);
  });

  it("says when the scan is off", () => {
    const m = buildTree(
      [conn({ hello: hello({ procEnabled: false }), snapshot: snapshot({ processes: [] }) })],
      NOW,
      t,
    );
    expect(row(m, "prod/procs").description).toBe("scan off");
    expect(row(m, "prod/procs").expanded).toBeNull();
  });
});

describe("buildTree: Alerts & cooldowns", () => {
  it("shows firing or recovered, notifications sent and the time left in the cooldown", () => {
    const s = snapshot({
      alerts: [
        alert("proc_blocking:1", { firing: false, notifications: 3, cooldownUntil: null }),
        alert("proc_blocking:4242", { notifications: 2, cooldownUntil: "2026-06-15T03:12:30.000Z" }),
        alert("orch_down:orchestrator", { cooldownUntil: "2026-06-15T02:59:00.000Z" }),
      ],
    });
    const m = buildTree([conn({ snapshot: s })], NOW, t);
    expect(row(m, "prod/alerts").description).toBe("2 firing");
    const show = (id: string) => row(m, id).childIds.map((c) => [row(m, c).label, row(m, c).description]);
    expect(show("prod/alerts")).toEqual([
      ["Orchestrator down", "firing · Telegram: 1 sent · reminder due"],
      ["Orphaned test process 4242", "firing · Telegram: 2 sent · cooldown 13m left"],
      ["Recovered", "1"],
    ]);
    // recovered alerts stay listed, folded away so they do not bury the firing ones
    expect(row(m, "prod/alerts/#recovered").expanded).toBe(false);
    expect(show("prod/alerts/#recovered")).toEqual([["Orphaned test process 1", "recovered · Telegram: 3 sent"]]);
    // the countdown reads the probe's clock: a local clock 10 minutes fast changes nothing
    const skewed = buildTree([conn({ snapshot: s, snapshotReceivedAt: NOW + 600_000 })], NOW + 691_000, t);
    expect(row(skewed, "prod/alerts/proc_blocking%3A4242").description).toBe(
      "firing · Telegram: 2 sent · cooldown 11m left",
    );
    // below two minutes the countdown goes in 10-second steps
    const late = buildTree([conn({ snapshot: s })], NOW + 11 * 60_000 + 21_000, t);
    expect(row(late, "prod/alerts/proc_blocking%3A4242").description).toBe(
      "firing · Telegram: 2 sent · cooldown 1m 10s left",
    );
  });

  it("puts the signal's title and detail in the tooltip", () => {
    const s = snapshot({
      alerts: [alert("proc_blocking:4242")],
      signals: [
        {
          key: "proc_blocking:4242",
          kind: "proc_blocking",
          entity: "4242",
          active: true,
          severity: "critical",
          title: "pytest 4242 running for 2h 1m",
          detail: "ppid 1",
        },
      ],
    });
    const tip = row(buildTree([conn({ snapshot: s })], NOW, t), "prod/alerts/proc_blocking%3A4242").tooltip;
    // the kind stays in the tooltip, under the human label
    expect(tip.split("\n").slice(0, 3)).toEqual(["proc_blocking:4242", "pytest 4242 running for 2h 1m", "ppid 1"]);
  });
});

describe("buildTree: Sources, Host, Containers, Dependencies", () => {
  it("lists only the sources in error, with the reason", () => {
    const s = snapshot({
      sources: [
        { name: "proc", ok: true, error: null, ms: 1 },
        { name: "docker", ok: false, error: "connect ENOENT /var/run/docker.sock", ms: 3 },
      ],
    });
    const m = buildTree([conn({ snapshot: s })], NOW, t);
    expect(row(m, "prod/sources").description).toBe("1 in error");
    expect(labels(m, "prod/sources")).toEqual(["docker"]);
    expect(row(m, "prod/sources/docker").description).toBe("connect ENOENT /var/run/docker.sock");
    expect(buildTree([conn()], NOW, t).rows.has("prod/sources")).toBe(false);
  });

  it("shows host, containers and dependencies only when the probe reports them", () => {
    const s = snapshot({
      host: { disk: [{ path: "/", usedPct: 71.24 }], load: [0.4, 0.3, 0.2] },
      containers: [
        { name: "orchestrator", state: "running", health: "healthy", restarts: 0 },
        { name: "worker", state: "exited", health: null, restarts: 4 },
      ],
      deps: [
        { name: "postgres", target: "db:5432", up: true, ms: 0.8 },
        { name: "redis", target: "redis:6379", up: false, ms: null },
      ],
    });
    const m = buildTree([conn({ snapshot: s })], NOW, t);
    expect(labels(m, "prod")).toEqual([
      "Orchestrator",
      "Processes",
      "Alerts & cooldowns",
      "Host",
      "Containers",
      "Dependencies",
    ]);
    expect(row(m, "prod/host").description).toBe("load 0.40 0.30 0.20");
    expect(row(m, "prod/host/disk/%2F").description).toBe("71.2% used");
    expect(row(m, "prod/containers").description).toBe("1 not healthy");
    expect(row(m, "prod/containers/worker").description).toBe("exited · 4 restarts");
    expect(row(m, "prod/deps").description).toBe("1 down");
    expect(row(m, "prod/deps/postgres").description).toBe("up · 0.8 ms");
    expect(row(m, "prod/deps/redis").description).toBe("down");
  });

  it("says so when the probe's kill switch is off", () => {
    const m = buildTree([conn({ snapshot: snapshot({ enabled: false, processes: [] }) })], NOW, t);
    expect(labels(m, "prod")[0]).toBe("Disabled on the probe (WATCHDOG_ENABLED=false)");
  });

  it("keeps several probes apart, in the manager's order", () => {
    const m = buildTree(
      [conn({ id: "b", name: "b" }), conn({ id: "a", name: "a", snapshot: snapshot(orchDown()) })],
      NOW,
      t,
    );
    expect(m.rootIds).toEqual(["b", "a"]);
    expect(row(m, "b/orch").description).toBe("up");
    expect(row(m, "a/orch").description).toBe("down");
  });
});

describe("buildTree: ids cannot collide", () => {
  it("an alert keyed like a group id keeps its own row", () => {
    const s = snapshot({ alerts: [alert("recovered"), alert("#recovered"), alert("x:1", { firing: false })] });
    const m = buildTree([conn({ snapshot: s })], NOW, t);
    const all = [...m.rows.values()].filter((r) => r.ref.kind === "alert").map((r) => r.label);
    expect(all.sort()).toEqual(["#recovered", "recovered", "x: 1"]);
    const x = [...m.rows.values()].find((r) => r.label === "x: 1")!;
    expect(row(m, x.parentId!).label).toBe("Recovered");
    expect(row(m, "prod/alerts").childIds.map((id) => row(m, id).label)).toEqual([
      "#recovered",
      "recovered",
      "Recovered",
    ]);
  });
});

describe("buildTree: old data never looks current", () => {
  const firing = () => snapshot({ processes: [proc(4242)], alerts: [alert("proc_blocking:4242")] });

  it("marks everything under a disconnected probe as last known, with its age and muted icons", () => {
    const c = conn({
      state: { phase: "waiting", attempt: 2, retryAt: NOW + 5000, reason: "ECONNREFUSED" },
      snapshot: firing(),
      snapshotReceivedAt: NOW - 3 * 60_000,
    });
    const m = buildTree([c], NOW, t);
    expect(row(m, "prod").childIds[0]).toBe("prod/#last-known");
    expect(row(m, "prod/#last-known").label).toBe("Last known · 3m ago");
    expect(row(m, "prod/orch").description).toBe("last known: up");
    expect(row(m, "prod/procs").description).toBe("last known: 1 matched, 1 blocking");
    expect(row(m, "prod/alerts").description).toBe("last known: 1 firing");
    const under = [...m.rows.values()].filter((r) => r.id.startsWith("prod/") && r.id !== "prod/#last-known");
    // no green check, no red flame: every icon is muted
    expect(under.every((r) => r.icon === null || r.icon.color === "disabledForeground")).toBe(true);
    expect(row(m, "prod/orch").icon?.id).not.toBe("pass");
    // and nothing there is revealed or counted as a current alarm
    expect(under.some((r) => r.alarm)).toBe(false);
    expect(row(m, "prod").description).not.toMatch(/firing/);
  });

  it("does the same for a stale probe, and nothing for a live one", () => {
    const stale = conn({ hello: hello({ tickS: 5 }), snapshot: firing(), snapshotReceivedAt: NOW - 16_000 });
    expect(row(buildTree([stale], NOW, t), "prod/orch").description).toBe("last known: up");
    const live = buildTree([conn({ snapshot: firing() })], NOW, t);
    expect(live.rows.has("prod/#last-known")).toBe(false);
    expect(row(live, "prod/orch").icon).toEqual({ id: "pass", color: "testing.iconPassed" });
    expect(row(live, "prod/procs/4242").alarm).toBe(true);
  });
});

describe("buildTree: alert rows", () => {
  it("sorts recovered alerts by number, not as text", () => {
    const s = snapshot({
      alerts: [alert("proc_blocking:23688", { firing: false }), alert("proc_blocking:2426", { firing: false })],
    });
    expect(labels(buildTree([conn({ snapshot: s })], NOW, t), "prod/alerts/#recovered")).toEqual([
      "Orphaned test process 2426",
      "Orphaned test process 23688",
    ]);
  });

  it("opens the process's document from its alert while it is listed", () => {
    const s = snapshot({ processes: [proc(4242)], alerts: [alert("proc_blocking:4242"), alert("proc_blocking:7")] });
    const m = buildTree([conn({ snapshot: s })], NOW, t);
    expect(row(m, "prod/alerts/proc_blocking%3A4242").click).toEqual({ kind: "cmdline", rowId: "prod/procs/4242" });
    expect(row(m, "prod/alerts/proc_blocking%3A7").click).toBeNull();
  });

  it("says per channel what happened, and when there is no channel at all", () => {
    const s = snapshot({ alerts: [alert("orch_down:orchestrator")] });
    const desc = (h: ReturnType<typeof hello>, decisions: Decision[] = []) =>
      row(buildTree([conn({ hello: h, snapshot: s, decisions })], NOW, t), "prod/alerts/orch_down%3Aorchestrator")
        .description;
    const withChannels = (telegram: boolean, alertmanager: boolean) => {
      const h = hello();
      return {
        ...h,
        config: { ...h.config, telegram: { enabled: telegram }, alertmanager: { enabled: alertmanager } },
      };
    };
    expect(desc(withChannels(false, false))).toBe("firing · stream only · cooldown 29m left");
    expect(
      row(
        buildTree([conn({ hello: withChannels(false, false), snapshot: s })], NOW, t),
        "prod/alerts/orch_down%3Aorchestrator",
      ).tooltip,
    ).toContain("no delivery channel configured: stream only");
    expect(desc(withChannels(true, true))).toBe("firing · Telegram: 1 sent, Alertmanager: posted · cooldown 29m left");
    expect(desc(withChannels(false, true))).toBe("firing · Alertmanager: posted · cooldown 29m left");
    const failed: Decision = {
      type: "decision",
      seq: 1,
      at: "2026-06-15T02:59:00.000Z",
      key: "orch_down:orchestrator",
      kind: "orch_down",
      entity: "orchestrator",
      action: "alert",
      text: "down",
      delivery: { telegram: "failed" },
    };
    expect(desc(withChannels(true, false), [failed])).toBe("firing · Telegram: failed · cooldown 29m left");
  });

  it("wraps a long reason in the tooltip instead of cutting it", () => {
    const reason = "getaddrinfo ENOTFOUND orchestrator.internal.example.org " + "and then some more words ".repeat(8);
    const s = snapshot({ orch: { ...orchDown().orch!, lastError: reason } });
    const tip = row(buildTree([conn({ snapshot: s })], NOW, t), "prod/orch/last-error").tooltip;
    expect(tip.split("\n").every((l) => l.length <= 80)).toBe(true);
    expect(tip.replace(/\n/g, " ").trim()).toBe(reason.trim());
  });
});
