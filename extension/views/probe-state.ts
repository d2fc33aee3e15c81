// One probe's connection, summarised for the probe row and the status bar. Pure.
import type { Alert } from "../../probe/protocol.js";
import type { ProbeConnectionView } from "../connection/types.js";
import { ageBucket, duration, parseTime, plain, type Translate } from "./format.js";

/** Stale after this many ticks without a snapshot (PROTOCOL: a snapshot follows every tick). */
const STALE_TICKS = 3;
/** Used until the probe's hello says otherwise (the probe's default WATCHDOG_TICK_S). */
const DEFAULT_TICK_S = 15;

export type Health = "idle" | "connecting" | "quiet" | "firing" | "stale" | "disconnected";

export function isStale(c: ProbeConnectionView, now: number): boolean {
  if (c.state.phase !== "connected") return false;
  const tickS = c.hello?.config.tickS ?? DEFAULT_TICK_S;
  const last = Math.max(c.snapshotReceivedAt ?? 0, c.state.since);
  return now - last > STALE_TICKS * tickS * 1000;
}

/**
 * The probe's clock, read through the latest snapshot: its `at` plus the time since it
 * arrived. Probe timestamps (cooldownUntil, lastOkAt) are compared with this, so a skewed
 * local clock does not distort countdowns.
 */
export function probeNow(c: ProbeConnectionView, now: number): number {
  const at = parseTime(c.snapshot?.at);
  if (at === null || c.snapshotReceivedAt === null) return now;
  return at + Math.max(0, now - c.snapshotReceivedAt);
}

/** Firing alerts count only while connected: a dropped link shows as "disconnected", not as old alarms. */
export function firingAlerts(c: ProbeConnectionView): Alert[] {
  if (c.state.phase !== "connected" || c.snapshot === null) return [];
  return c.snapshot.alerts.filter((a) => a.firing);
}

export function health(c: ProbeConnectionView, now: number): Health {
  const s = c.state;
  switch (s.phase) {
    case "idle":
      return "idle";
    case "connecting":
      // the first attempt is routine; a later one means the link keeps failing
      return s.attempt > 1 ? "disconnected" : "connecting";
    case "waiting":
    case "failed":
      return "disconnected";
    case "connected":
      if (firingAlerts(c).length > 0) return "firing";
      return isStale(c, now) ? "stale" : "quiet";
  }
}

export interface StateText {
  readonly text: string;
  readonly icon: { id: string; color?: string };
}

export function stateText(c: ProbeConnectionView, now: number, t: Translate): StateText {
  const s = c.state;
  switch (s.phase) {
    case "idle":
      return { text: t("disconnected"), icon: { id: "circle-slash" } };
    case "connecting":
      return {
        text: s.attempt > 1 ? t("connecting (attempt {0})", s.attempt) : t("connecting…"),
        icon: { id: "sync~spin" },
      };
    case "waiting": {
      const inS = Math.max(0, Math.ceil((s.retryAt - now) / 1000));
      return {
        text: t("retrying in {0} s: {1}", inS, plain(s.reason, 120)),
        icon: { id: "debug-disconnect", color: "list.warningForeground" },
      };
    }
    case "failed":
      if (s.probeProtocol !== undefined) {
        return {
          text: t("this probe speaks protocol {0}; update the extension", s.probeProtocol),
          icon: { id: "error", color: "list.errorForeground" },
        };
      }
      return {
        text: t("disconnected: {0}", plain(s.reason, 120)),
        icon: { id: "error", color: "list.errorForeground" },
      };
    case "connected": {
      if (isStale(c, now)) {
        const last = Math.max(c.snapshotReceivedAt ?? 0, s.since);
        return {
          text: t("stale: no snapshot for {0}", ageBucket((now - last) / 1000, t)),
          icon: { id: "watch", color: "list.warningForeground" },
        };
      }
      const firing = firingAlerts(c).length;
      if (firing > 0)
        return { text: t("connected, {0} firing", firing), icon: { id: "bell-dot", color: "list.errorForeground" } };
      return { text: t("connected"), icon: { id: "pass", color: "testing.iconPassed" } };
    }
  }
}

/**
 * "cooldown 12m left" for a firing alert inside its cooldown; "reminder due" once it is over.
 * Whole minutes above two minutes and 10-second steps below: the row's text (and so its
 * rendering, which closes an open hover) changes at most every 10 s, not every second.
 */
export function cooldownText(a: Alert, probeNowMs: number, t: Translate): string | null {
  if (!a.firing) return null;
  const until = parseTime(a.cooldownUntil);
  if (until === null) return null;
  const leftS = Math.ceil((until - probeNowMs) / 1000);
  if (leftS <= 0) return t("reminder due");
  const shown = leftS > 120 ? t("{0}m", Math.ceil(leftS / 60)) : duration(Math.ceil(leftS / 10) * 10, t);
  return t("cooldown {0} left", shown);
}

/** Connected and not stale: what the snapshot says is current. */
export function isLive(c: ProbeConnectionView, now: number): boolean {
  return c.state.phase === "connected" && !isStale(c, now);
}

/** Whether any probe has a link to drop (the view's Disconnect button is shown only then). */
export function anyLink(connections: readonly ProbeConnectionView[]): boolean {
  return connections.some(
    (c) => c.state.phase === "connected" || c.state.phase === "connecting" || c.state.phase === "waiting",
  );
}
