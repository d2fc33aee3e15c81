// Which decisions deserve a pop-up, and what it says. Pure. Only a NEW alert pops up:
// reminders (`repeat`), recoveries and the replay a probe sends on connect never do.
// A pop-up is one line a developer takes in at a glance ("Orphaned pytest 23688 on
// ci-runner-3, running 1d 2h"); the Telegram text with its details stays in the tree.
import type { Decision, ProcessInfo } from "../../probe/protocol.js";
import { ageBucket, killCommand, plain, truncate, type Translate } from "./format.js";

/** A pop-up's text is at most this long: one line, never a paragraph. */
export const NOTIFICATION_MAX = 200;

export interface NewAlert {
  readonly probeId: string;
  readonly probeName: string;
  /** the probe's host, from its hello; null before the hello */
  readonly hostname: string | null;
  readonly decision: Decision;
  /** the process a proc_blocking alert is about, as the latest snapshot reports it */
  readonly process: ProcessInfo | null;
}

export function shouldNotify(d: Decision, replayed: boolean, enabled: boolean): boolean {
  return enabled && !replayed && d.action === "alert";
}

/** What the process is to a developer: `pytest` for `python -m pytest …`, else its comm. */
export function processName(p: ProcessInfo): string {
  const head = p.argv.slice(0, 4).map((a) => a.slice(a.lastIndexOf("/") + 1));
  if (head.some((a) => /^py\.?test\b/.test(a))) return "pytest";
  return p.comm;
}

/** One alert as a short phrase, without the host: "orphaned pytest 23688, running 1d 2h". */
function what(a: NewAlert, t: Translate): string {
  const d = a.decision;
  const entity = plain(d.entity, 60);
  switch (d.kind) {
    case "proc_blocking": {
      const p = a.process;
      if (p === null) return t("test process {0}", entity);
      const name = plain(processName(p), 30);
      return p.orphaned
        ? t("orphaned {0} {1}, running {2}", name, p.pid, ageBucket(p.ageS, t))
        : t("blocking {0} {1}, running {2}", name, p.pid, ageBucket(p.ageS, t));
    }
    case "orch_down":
      return t("orchestrator down");
    case "disk_ceiling":
      return t("disk {0} almost full", entity);
    case "container_down":
      return t("container {0} not running", entity);
    case "container_unhealthy":
      return t("container {0} unhealthy", entity);
    case "dep_down":
      return t("dependency {0} unreachable", entity);
    case "source_error":
      return t("watchdog source {0} failing", entity);
    default:
      return t("metric rule {0}: {1}", plain(d.kind, 40), entity);
  }
}

function host(a: NewAlert): string {
  return a.hostname === null ? plain(a.probeName, 40) : plain(a.hostname, 60);
}

function capitalised(s: string): string {
  return s.charAt(0).toLocaleUpperCase() + s.slice(1);
}

/**
 * The pop-up's one line, at most NOTIFICATION_MAX characters. One alert: what, where, how
 * long. Several (one tick, several probes): how many, then as many as fit.
 */
export function notificationText(alerts: readonly NewAlert[], t: Translate): string {
  const first = alerts[0];
  if (first === undefined) return "";
  if (alerts.length === 1) {
    // "orphaned pytest 23688, running 1d 2h" + host → "Orphaned pytest 23688 on ci-runner-3, running 1d 2h"
    return truncate(capitalised(placeHost(what(first, t), host(first), t)), NOTIFICATION_MAX);
  }
  const hosts = [...new Set(alerts.map((a) => host(a)))];
  const list = alerts.map((a) => what(a, t)).join("; ");
  return truncate(t("{0} new alerts on {1}: {2}", alerts.length, hosts.join(", "), list), NOTIFICATION_MAX);
}

/** "x, running 5m" + host → "x on host, running 5m"; without a comma the host goes at the end. */
function placeHost(phrase: string, hostText: string, t: Translate): string {
  const comma = phrase.indexOf(", ");
  const on = t("on {0}", hostText);
  return comma < 0 ? `${phrase} ${on}` : `${phrase.slice(0, comma)} ${on}${phrase.slice(comma)}`;
}

/** What "Copy kill command" puts on the clipboard: one line per process alert, or null if none. */
export function killCommands(alerts: readonly NewAlert[]): string | null {
  const lines = alerts
    .filter((a) => a.decision.kind === "proc_blocking" && a.process !== null)
    .map((a) => killCommand(a.process!.pid, a.hostname, a.probeName));
  return lines.length === 0 ? null : lines.join("\n");
}

/** The line shown when every alert of a pop-up still on screen has recovered. */
export function resolvedText(alerts: readonly NewAlert[], t: Translate): string {
  const first = alerts[0];
  if (first === undefined) return "";
  const text =
    alerts.length === 1
      ? t("Resolved: {0} on {1}", what({ ...first, process: null }, t), host(first))
      : t("Resolved: all {0} alerts of the earlier notification", alerts.length);
  return truncate(text, NOTIFICATION_MAX);
}

/**
 * Pop-ups still on screen (or in the notification centre), by the alerts they announce.
 * VS Code cannot close a shown notification; when all its alerts recover, the edge shows
 * that they did, so the old one is not left pretending.
 */
export class OpenNotifications {
  private readonly open = new Map<number, { alerts: readonly NewAlert[]; pending: Set<string> }>();
  private next = 1;

  /** Registers a shown pop-up; returns its id for `close`. */
  add(alerts: readonly NewAlert[]): number {
    const id = this.next++;
    this.open.set(id, { alerts, pending: new Set(alerts.map((a) => alertId(a.probeId, a.decision.key))) });
    return id;
  }

  /** The user acted on it or dismissed it: nothing more to say about it. */
  close(id: number): void {
    this.open.delete(id);
  }

  /** A recovery arrived: the pop-ups it completes (all their alerts recovered), now closed. */
  recovered(probeId: string, key: string): Array<readonly NewAlert[]> {
    const done: Array<readonly NewAlert[]> = [];
    for (const [id, n] of this.open) {
      if (!n.pending.delete(alertId(probeId, key)) || n.pending.size > 0) continue;
      done.push(n.alerts);
      this.open.delete(id);
    }
    return done;
  }

  /** Whether an alert of an open pop-up is still firing (for "Copy kill command" after it ended). */
  firing(probeId: string, key: string): boolean {
    for (const n of this.open.values()) if (n.pending.has(alertId(probeId, key))) return true;
    return false;
  }

  get size(): number {
    return this.open.size;
  }
}

function alertId(probeId: string, key: string): string {
  return `${probeId}\u0000${key}`;
}
