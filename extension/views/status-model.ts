// The status-bar alarm as data. Pure. Quiet: `$(pulse) Watchdog`. Firing: `$(alert) 2 alerts:
// orchestrator down, orphaned pytest` on the error background, with "· 1 probe disconnected"
// when another probe is also down. Disconnected or stale only: warning background.
import type { ProbeConnectionView } from "../connection/types.js";
import { plain, truncate, type Translate } from "./format.js";
import { kindName } from "./labels.js";
import { firingAlerts, health, stateText } from "./probe-state.js";

type StatusBackground = "statusBarItem.errorBackground" | "statusBarItem.warningBackground";

export interface StatusModel {
  readonly text: string;
  readonly background: StatusBackground | null;
  /** plain text, one line per probe */
  readonly tooltip: string;
}

const MAX_KINDS = 3;

/** The number of firing alerts of connected probes: the view's badge. */
export function firingCount(connections: readonly ProbeConnectionView[]): number {
  return connections.reduce((n, c) => n + firingAlerts(c).length, 0);
}

export function buildStatus(connections: readonly ProbeConnectionView[], now: number, t: Translate): StatusModel {
  const kinds = new Set<string>();
  let firing = 0,
    disconnected = 0,
    stale = 0;
  const lines: string[] = [t("Orchestrator Watchdog")];
  for (const c of connections) {
    const alerts = firingAlerts(c);
    firing += alerts.length;
    for (const a of alerts) kinds.add(a.kind);
    const h = health(c, now);
    if (h === "disconnected") disconnected++;
    if (h === "stale") stale++;
    const line = `${plain(c.name, 60)}: ${stateText(c, now, t).text}`;
    // kinds and keys stay here, in the tooltip, where someone looking for them finds them
    lines.push(
      alerts.length === 0 ? line : `${line} (${truncate(alerts.map((a) => plain(a.key, 60)).join(", "), 300)})`,
    );
  }
  if (connections.length === 0) lines.push(t("No probe configured."));
  lines.push(t("Click to open the Watchdog view."));
  const tooltip = lines.join("\n");

  const trouble: string[] = [];
  if (disconnected > 0)
    trouble.push(disconnected === 1 ? t("1 probe disconnected") : t("{0} probes disconnected", disconnected));
  if (stale > 0) trouble.push(stale === 1 ? t("1 probe stale") : t("{0} probes stale", stale));

  if (firing > 0) {
    // names are ours or pass through plain(): a probe cannot smuggle `$(icon)` into the bar
    const names = [...new Set([...kinds].sort().map((k) => kindName(k, t)))];
    const shown = names.slice(0, MAX_KINDS).join(", ") + (names.length > MAX_KINDS ? ", …" : "");
    const head = firing === 1 ? t("1 alert: {0}", shown) : t("{0} alerts: {1}", firing, shown);
    return {
      text: `$(alert) ${[head, ...trouble].join(" · ")}`,
      background: "statusBarItem.errorBackground",
      tooltip,
    };
  }
  if (trouble.length > 0) {
    return {
      text: `${disconnected > 0 ? "$(debug-disconnect)" : "$(watch)"} Watchdog: ${trouble.join(" · ")}`,
      background: "statusBarItem.warningBackground",
      tooltip,
    };
  }
  return { text: "$(pulse) Watchdog", background: null, tooltip };
}
