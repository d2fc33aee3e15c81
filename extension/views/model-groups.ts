// The groups under one probe's row: Orchestrator, Processes, Alerts & cooldowns, Sources,
// Host, Containers, Dependencies. Pure; every remote string goes through `plain`.
import type { Alert, Decision, ProcessInfo, Snapshot } from "../../probe/protocol.js";
import type { ProbeConnectionView } from "../connection/types.js";
import { ageBucket, parseTime, plain, plainLines, type Translate } from "./format.js";
import { alertTitle, compareAlerts, middleTruncate, testTarget, wrapLines } from "./labels.js";
import type { RowClick, RowSink } from "./rows.js";
import { cooldownText } from "./probe-state.js";

/** `probeNowMs`: the probe's clock (probe-state.ts probeNow), for its own timestamps. */
export function addGroups(
  sink: RowSink,
  pid: string,
  c: ProbeConnectionView,
  s: Snapshot,
  probeNowMs: number,
  t: Translate,
): void {
  const other = { kind: "other", probeId: c.id } as const;
  addOrchestrator(sink, pid, c, s, probeNowMs, t);
  addProcesses(sink, pid, c, s, t);
  addAlerts(sink, pid, c, s, probeNowMs, t);

  const broken = s.sources.filter((src) => !src.ok);
  if (broken.length > 0) {
    const g = `${pid}/sources`;
    sink.add(pid, {
      id: g,
      label: t("Sources"),
      description: t("{0} in error", broken.length),
      icon: { id: "warning", color: "list.warningForeground" },
      contextValue: "watchdog.group",
      expanded: true,
      ref: other,
    });
    for (const src of broken) {
      const reason = src.error ?? t("failed");
      sink.add(g, {
        id: `${g}/${encodeURIComponent(src.name)}`,
        label: plain(src.name, 60),
        description: plain(reason, 120),
        tooltip: wrapLines(plainLines(`${src.name}\n${reason}\n${t("took {0} ms", Math.round(src.ms))}`)),
        icon: { id: "warning", color: "list.warningForeground" },
        contextValue: "watchdog.source",
        ref: other,
      });
    }
  }

  if (s.host !== null) {
    const g = `${pid}/host`;
    const load = s.host.load.map((l) => l.toFixed(2)).join(" ");
    sink.add(pid, {
      id: g,
      label: t("Host"),
      description: load === "" ? "" : t("load {0}", load),
      icon: { id: "server" },
      contextValue: "watchdog.group",
      expanded: false,
      ref: other,
    });
    for (const d of s.host.disk) {
      sink.add(g, {
        id: `${g}/disk/${encodeURIComponent(d.path)}`,
        label: plain(d.path, 80),
        description: t("{0}% used", d.usedPct.toFixed(1)),
        icon: { id: "database" },
        contextValue: "watchdog.disk",
        ref: other,
      });
    }
  }

  if (s.containers.length > 0) {
    const g = `${pid}/containers`;
    const bad = s.containers.filter((k) => k.state !== "running" || k.health === "unhealthy").length;
    sink.add(pid, {
      id: g,
      label: t("Containers"),
      description: bad > 0 ? t("{0} not healthy", bad) : t("{0} running", s.containers.length),
      icon: { id: "package" },
      contextValue: "watchdog.group",
      expanded: bad > 0,
      ref: other,
    });
    for (const k of s.containers) {
      const ok = k.state === "running" && k.health !== "unhealthy";
      const parts = [
        plain(k.state, 30),
        ...(k.health === null ? [] : [plain(k.health, 30)]),
        t("{0} restarts", k.restarts),
      ];
      sink.add(g, {
        id: `${g}/${encodeURIComponent(k.name)}`,
        label: plain(k.name, 80),
        description: parts.join(" · "),
        icon: ok ? { id: "pass", color: "testing.iconPassed" } : { id: "error", color: "list.errorForeground" },
        contextValue: "watchdog.container",
        ref: other,
      });
    }
  }

  if (s.deps.length > 0) {
    const g = `${pid}/deps`;
    const down = s.deps.filter((d) => d.up === false).length;
    sink.add(pid, {
      id: g,
      label: t("Dependencies"),
      description: down > 0 ? t("{0} down", down) : t("{0} checked", s.deps.length),
      icon: { id: "plug" },
      contextValue: "watchdog.group",
      expanded: down > 0,
      ref: other,
    });
    for (const d of s.deps) {
      const desc =
        d.up === null ? t("unknown") : d.up ? (d.ms === null ? t("up") : t("up · {0} ms", d.ms.toFixed(1))) : t("down");
      const icon =
        d.up === false
          ? { id: "error", color: "list.errorForeground" }
          : d.up
            ? { id: "pass", color: "testing.iconPassed" }
            : { id: "question" };
      sink.add(g, {
        id: `${g}/${encodeURIComponent(d.name)}`,
        label: plain(d.name, 80),
        description: desc,
        tooltip: plain(d.target, 200),
        icon,
        contextValue: "watchdog.dep",
        ref: other,
      });
    }
  }
}

function addOrchestrator(
  sink: RowSink,
  pid: string,
  c: ProbeConnectionView,
  s: Snapshot,
  probeNowMs: number,
  t: Translate,
): void {
  const o = s.orch;
  const other = { kind: "other", probeId: c.id } as const;
  const g = `${pid}/orch`;
  const alarm = s.alerts.some((a) => a.kind === "orch_down" && a.firing);
  let description: string;
  let icon: { id: string; color?: string };
  if (!o.configured) {
    description = t("not configured");
    icon = { id: "circle-slash" };
  } else if (alarm || (o.up === false && o.failures >= o.threshold)) {
    description = t("down");
    icon = { id: "error", color: "list.errorForeground" };
  } else if (o.up === false || o.failures > 0) {
    // the probe reports `up` until the failures reach the threshold: failing is not up
    description = t("failing {0}/{1}", o.failures, o.threshold);
    icon = { id: "warning", color: "list.warningForeground" };
  } else if (o.up === true) {
    description = t("up");
    icon = { id: "pass", color: "testing.iconPassed" };
  } else {
    description = t("unknown");
    icon = { id: "question" };
  }
  sink.add(pid, {
    id: g,
    label: t("Orchestrator"),
    description,
    icon,
    contextValue: "watchdog.orchestrator",
    expanded: false,
    ref: other,
  });
  if (!o.configured) return;
  const lastOk = parseTime(o.lastOkAt);
  sink.add(g, {
    id: `${g}/failures`,
    label: t("Health checks"),
    description:
      o.failures === 0
        ? t("passing (alerts after {0} failed)", o.threshold)
        : t("failing for {0} checks (alerts at {1})", o.failures, o.threshold),
    contextValue: "watchdog.detail",
    ref: other,
  });
  sink.add(g, {
    id: `${g}/last-ok`,
    label: t("Last answer"),
    description: lastOk === null ? t("never") : t("{0} ago", ageBucket((probeNowMs - lastOk) / 1000, t)),
    tooltip: o.lastOkAt ?? "",
    contextValue: "watchdog.detail",
    ref: other,
  });
  sink.add(g, {
    id: `${g}/last-error`,
    label: t("Last error"),
    description: o.lastError === null ? t("none") : plain(o.lastError, 120),
    tooltip: o.lastError === null ? "" : wrapLines(plainLines(o.lastError)),
    contextValue: "watchdog.detail",
    ref: other,
  });
}

function addProcesses(sink: RowSink, pid: string, c: ProbeConnectionView, s: Snapshot, t: Translate): void {
  const g = `${pid}/procs`;
  const blocking = s.processes.filter((p) => p.blocking).length;
  let description: string;
  if (c.hello?.config.proc.enabled === false) description = t("scan off");
  else if (s.processes.length === 0) description = t("none");
  else description = t("{0} matched, {1} blocking", s.processes.length + s.processesTruncated, blocking);
  const icon = blocking > 0 ? { id: "flame", color: "list.errorForeground" } : { id: "server-process" };
  sink.add(pid, {
    id: g,
    label: t("Processes"),
    description,
    icon,
    contextValue: "watchdog.group",
    expanded: true,
    ref: { kind: "other", probeId: c.id },
  });
  const ageMin = c.hello?.config.proc.ageMin ?? null;
  for (const p of s.processes) {
    const id = `${g}/${p.pid}`;
    sink.add(g, {
      id,
      label: `${processLabel(p)} · ${ageBucket(p.ageS, t)}`,
      description: [
        t("pid {0}", p.pid),
        ...(p.blocking ? [t("blocking")] : []),
        ...(p.orphaned ? [t("orphaned")] : []),
      ].join(" · "),
      tooltip: processTooltip(p, ageMin, t),
      icon: processIcon(p),
      contextValue: "watchdog.process",
      click: { kind: "cmdline", rowId: id },
      alarm: p.blocking,
      ref: { kind: "process", probeId: c.id, pid: p.pid },
    });
  }
  if (s.processesTruncated > 0) {
    sink.add(g, {
      id: `${g}/more`,
      label: t("{0} more not listed", s.processesTruncated),
      icon: { id: "ellipsis" },
      contextValue: "watchdog.info",
      ref: { kind: "other", probeId: c.id },
    });
  }
}

/** The test target, shortened from the middle so both the command and its last argument stay. */
function processLabel(p: ProcessInfo): string {
  return middleTruncate(plain(testTarget(p.argv, p.cmdline, p.comm), 1000), 60);
}

/** Icon ids the e2e suite looks for: flame = blocking, debug-disconnect = orphaned only. */
function processIcon(p: ProcessInfo): { id: string; color?: string } {
  if (p.blocking) return { id: "flame", color: "list.errorForeground" };
  if (p.orphaned) return { id: "debug-disconnect", color: "list.warningForeground" };
  return { id: "terminal" };
}

function processTooltip(p: ProcessInfo, ageMin: number | null, t: Translate): string {
  const lines = [t("pid {0} · ppid {1} · state {2}", p.pid, p.ppid, plain(p.state, 10))];
  lines.push(
    p.startedAt === null
      ? t("age {0}", ageBucket(p.ageS, t))
      : t("started {0} ({1} ago)", plain(p.startedAt, 40), ageBucket(p.ageS, t)),
  );
  if (p.orphaned) lines.push(t("orphaned: its parent is an init process"));
  if (p.blocking)
    lines.push(
      ageMin === null ? t("blocking: older than the probe's threshold") : t("blocking: older than {0} min", ageMin),
    );
  lines.push(wrapLines(plain(p.cmdline === "" ? `[${p.comm}]` : p.cmdline, 1000)));
  return lines.join("\n");
}

function addAlerts(
  sink: RowSink,
  pid: string,
  c: ProbeConnectionView,
  s: Snapshot,
  probeNowMs: number,
  t: Translate,
): void {
  const g = `${pid}/alerts`;
  const firing = s.alerts.filter((a) => a.firing).length;
  sink.add(pid, {
    id: g,
    label: t("Alerts & cooldowns"),
    description: s.alerts.length === 0 ? t("none") : t("{0} firing", firing),
    icon: firing > 0 ? { id: "bell-dot", color: "list.errorForeground" } : { id: "bell" },
    contextValue: "watchdog.group",
    expanded: true,
    ref: { kind: "other", probeId: c.id },
  });
  const signals = new Map(s.signals.map((sg) => [sg.key, sg]));
  const sorted = [...s.alerts].sort((a, b) => Number(b.firing) - Number(a.firing) || compareAlerts(a, b));
  // "#" never comes out of encodeURIComponent, so no alert key can take this id
  const r = `${g}/#recovered`;
  for (const a of sorted) {
    // the probe keeps recovered alerts for an hour; folded away they do not bury the firing ones
    if (!a.firing && !sink.rows.has(r)) {
      sink.add(g, {
        id: r,
        label: t("Recovered"),
        description: String(sorted.length - firing),
        icon: { id: "check-all" },
        contextValue: "watchdog.group",
        expanded: false,
        ref: { kind: "other", probeId: c.id },
      });
    }
    const channels = deliveryText(a, c, t);
    const parts = [a.firing ? t("firing") : t("recovered"), channels.short];
    const cd = cooldownText(a, probeNowMs, t);
    if (cd !== null) parts.push(cd);
    const sg = signals.get(a.key);
    const tip = [
      plain(a.key, 100),
      ...(sg ? [sg.title, sg.detail] : []),
      channels.long,
      a.since === null ? "" : t("since {0}", a.since),
      a.lastNotifiedAt === null ? "" : t("last notified {0}", a.lastNotifiedAt),
      a.cooldownUntil === null ? "" : t("cooldown until {0}", a.cooldownUntil),
    ].filter((l) => l !== "");
    const parent = a.firing ? g : r;
    sink.add(parent, {
      id: `${parent}/${encodeURIComponent(a.key)}`,
      label: alertTitle(a, t),
      description: parts.join(" · "),
      tooltip: wrapLines(plainLines(tip.join("\n"))),
      icon: a.firing ? { id: "bell-dot", color: "list.errorForeground" } : { id: "check", color: "testing.iconPassed" },
      contextValue: a.firing ? "watchdog.alert.firing" : "watchdog.alert.recovered",
      click: alertClick(a, pid, s),
      alarm: a.firing,
      ref: { kind: "alert", probeId: c.id, key: a.key },
    });
  }
}

/** A proc alert opens its process's document while the process is listed; an orchestrator alert unfolds the Orchestrator row. */
function alertClick(a: Alert, pid: string, s: Snapshot): RowClick | null {
  if (a.kind === "proc_blocking" && s.processes.some((p) => String(p.pid) === a.entity))
    return { kind: "cmdline", rowId: `${pid}/procs/${a.entity}` };
  if (a.kind === "orch_down") return { kind: "reveal", rowId: `${pid}/orch` };
  return null;
}

/**
 * What happened to an alert per delivery channel, from the probe's hello (which channels are
 * set) and its latest decision for the key (Telegram's delivery state). `short` for the
 * row, `long` for the tooltip.
 */
function deliveryText(
  a: Alert,
  c: Pick<ProbeConnectionView, "hello" | "decisions">,
  t: Translate,
): { short: string; long: string } {
  const cfg = c.hello?.config;
  if (cfg === undefined) return { short: "", long: "" };
  const parts: string[] = [];
  if (cfg.telegram.enabled) {
    let last: Decision | undefined;
    for (const d of c.decisions) if (d.key === a.key && d.action !== "recovery") last = d;
    const state = last?.delivery.telegram;
    parts.push(
      state === "failed"
        ? t("Telegram: failed")
        : state === "queued"
          ? t("Telegram: queued")
          : t("Telegram: {0} sent", a.notifications),
    );
  }
  if (cfg.alertmanager?.enabled)
    parts.push(a.notifications > 0 ? t("Alertmanager: posted") : t("Alertmanager: not yet"));
  if (parts.length > 0) return { short: parts.join(", "), long: parts.join("\n") };
  if (cfg.alertmanager === undefined)
    // an older probe does not say whether Alertmanager is set
    return { short: t("Telegram off"), long: t("Telegram is off on this probe") };
  return { short: t("stream only"), long: t("no delivery channel configured: stream only") };
}
