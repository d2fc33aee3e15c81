// Which decisions deserve a pop-up, and its text. Pure. Only a NEW alert pops up:
// reminders (`repeat`), recoveries and the replay a probe sends on connect never do.
import type { Decision } from "../../probe/protocol.js";
import { plain, truncate, type Translate } from "./format.js";

export interface NewAlert {
  readonly probeName: string;
  readonly decision: Decision;
}

export function shouldNotify(d: Decision, replayed: boolean, enabled: boolean): boolean {
  return enabled && !replayed && d.action === "alert";
}

/** One message for a burst of alerts, so twenty orphaned pytests make one pop-up, not twenty. */
export function notificationText(alerts: readonly NewAlert[], t: Translate): string {
  const first = alerts[0];
  if (first === undefined) return "";
  if (alerts.length === 1) {
    return t("Watchdog alert on {0}: {1}", plain(first.probeName, 60), plain(first.decision.text, 300));
  }
  const list = alerts.map((a) => `${plain(a.probeName, 40)}: ${plain(a.decision.key, 60)}`).join("; ");
  return t("Watchdog: {0} new alerts: {1}", alerts.length, truncate(list, 300));
}
