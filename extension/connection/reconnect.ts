// The reconnecting client as a pure state machine: (machine, event, now, random) → next
// machine + effects. No timers and no I/O here; client.ts performs the effects.
import { backoffDelay as delayFor, type BackoffPolicy } from "../../common/backoff.js";
import type { ConnectionState } from "./types.js";

const BACKOFF_INITIAL_MS = 250;
export const BACKOFF_MAX_MS = 30_000;
/** ±20 % so a fleet of windows does not reconnect to a restarted probe in lockstep. */
const BACKOFF_JITTER = 0.2;
const RECONNECT_BACKOFF: BackoffPolicy = {
  initialMs: BACKOFF_INITIAL_MS,
  maxMs: BACKOFF_MAX_MS,
  jitter: BACKOFF_JITTER,
};
/** A connection that stayed up this long resets the backoff; a flapping one keeps growing it. */
const STABLE_AFTER_MS = 10_000;

/** HTTP answers to the upgrade that retrying cannot fix: shown until the user acts. */
const FATAL_HTTP = new Set([401, 403, 404]);

export type ConnEvent =
  | { type: "start" }
  | { type: "opened" }
  | { type: "helloReceived" }
  | {
      type: "closed";
      reason: string;
      code?: number;
      httpStatus?: number;
      /** host key refused, bad settings, no token… */ fatal?: boolean;
    }
  | { type: "retryTimerFired" }
  /** the probe's hello speaks a newer major protocol: retrying cannot help, updating the extension can */
  | { type: "incompatible"; protocol: number; reason: string }
  | { type: "stop" };

export type Effect =
  { type: "open" } | { type: "close" } | { type: "scheduleRetry"; delayMs: number } | { type: "cancelRetry" };

export interface Machine {
  readonly state: ConnectionState;
  /** consecutive attempts that did not lead to a stable connection */
  readonly failures: number;
}

export const initialMachine: Machine = { state: { phase: "idle" }, failures: 0 };

/** Delay before retry number `failures` (1-based); `random` in [0, 1). */
export function backoffDelay(failures: number, random: number): number {
  return delayFor(RECONNECT_BACKOFF, failures, random);
}

function describeClose(e: Extract<ConnEvent, { type: "closed" }>): string {
  if (e.httpStatus !== undefined) {
    const hint =
      e.httpStatus === 401
        ? " (token missing or wrong)"
        : e.httpStatus === 403
          ? " (forbidden)"
          : e.httpStatus === 404
            ? " (no probe stream at this URL)"
            : e.httpStatus === 503
              ? " (probe has too many clients)"
              : "";
    return `HTTP ${e.httpStatus}${hint}`;
  }
  return e.reason;
}

export interface Step {
  machine: Machine;
  effects: Effect[];
}

export function step(m: Machine, e: ConnEvent, now: number, random: () => number): Step {
  const s = m.state;
  const same: Step = { machine: m, effects: [] };
  switch (e.type) {
    case "start":
      if (s.phase === "idle" || s.phase === "failed") {
        return { machine: { state: { phase: "connecting", attempt: 1 }, failures: 0 }, effects: [{ type: "open" }] };
      }
      if (s.phase === "waiting") {
        // the user asked now: skip the rest of the wait, keep the backoff level
        return {
          machine: { state: { phase: "connecting", attempt: s.attempt }, failures: m.failures },
          effects: [{ type: "cancelRetry" }, { type: "open" }],
        };
      }
      return same;
    case "opened":
      return same;
    case "helloReceived":
      if (s.phase !== "connecting") return same;
      return { machine: { state: { phase: "connected", since: now }, failures: m.failures }, effects: [] };
    case "closed": {
      if (s.phase !== "connecting" && s.phase !== "connected") return same;
      const reason = describeClose(e);
      if (e.fatal || (e.httpStatus !== undefined && FATAL_HTTP.has(e.httpStatus))) {
        return { machine: { state: { phase: "failed", reason }, failures: m.failures }, effects: [{ type: "close" }] };
      }
      const stable = s.phase === "connected" && now - s.since >= STABLE_AFTER_MS;
      const failures = stable ? 1 : m.failures + 1;
      // the number the next attempt will carry
      const attempt = s.phase === "connecting" ? s.attempt + 1 : 1;
      const delayMs = backoffDelay(failures, random());
      return {
        machine: { state: { phase: "waiting", attempt, retryAt: now + delayMs, reason }, failures },
        effects: [{ type: "close" }, { type: "scheduleRetry", delayMs }],
      };
    }
    case "retryTimerFired":
      if (s.phase !== "waiting") return same;
      return {
        machine: { state: { phase: "connecting", attempt: s.attempt }, failures: m.failures },
        effects: [{ type: "open" }],
      };
    case "incompatible":
      if (s.phase !== "connecting" && s.phase !== "connected") return same;
      return {
        machine: { state: { phase: "failed", reason: e.reason, probeProtocol: e.protocol }, failures: m.failures },
        effects: [{ type: "cancelRetry" }, { type: "close" }],
      };
    case "stop":
      if (s.phase === "idle") return same;
      return {
        machine: { state: { phase: "idle" }, failures: 0 },
        effects: [{ type: "cancelRetry" }, { type: "close" }],
      };
  }
}
