// The status-bar alarm as data. Pure. Quiet: `$(pulse) Watchdog`. Firing: `$(alert) 2:
// orch_down, proc_blocking` on the error background. Disconnected or stale: warning background.
import type { ProbeConnectionView } from "../connection/types.js";
import { plain, truncate, type Translate } from "./format.js";
import { firingAlerts, health, stateText } from "./probe-state.js";

type StatusBackground = "statusBarItem.errorBackground" | "statusBarItem.warningBackground";

export interface StatusModel {
  readonly text: string;
  readonly background: StatusBackground | null;
  /** plain text, one line per probe */
  readonly tooltip: string;
}

const MAX_KINDS = 3;

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
    lines.push(
      alerts.length === 0 ? line : `${line} (${truncate(alerts.map((a) => plain(a.key, 60)).join(", "), 300)})`,
    );
  }
  if (connections.length === 0) lines.push(t("No probe configured."));
  lines.push(t("Click to open the Watchdog view."));
  const tooltip = lines.join("\n");

  if (firing > 0) {
    // remote kind names go through plain(): a probe cannot smuggle `$(icon)` into the bar
    const names = [...kinds].sort().map((k) => plain(k, 40));
    const shown = names.slice(0, MAX_KINDS).join(", ") + (names.length > MAX_KINDS ? ", …" : "");
    return { text: `$(alert) ${firing}: ${shown}`, background: "statusBarItem.errorBackground", tooltip };
  }
  if (disconnected > 0 && stale > 0) {
    return {
      text: `$(debug-disconnect) ${t("Watchdog: {0} disconnected, {1} stale", disconnected, stale)}`,
      background: "statusBarItem.warningBackground",
      tooltip,
    };
  }
  if (disconnected > 0) {
    return {
      text: `$(debug-disconnect) ${t("Watchdog: {0} disconnected", disconnected)}`,
      background: "statusBarItem.warningBackground",
      tooltip,
    };
  }
  if (stale > 0) {
    return {
      text: `$(watch) ${t("Watchdog: {0} stale", stale)}`,
      background: "statusBarItem.warningBackground",
      tooltip,
    };
  }
  return { text: "$(pulse) Watchdog", background: null, tooltip };
}
