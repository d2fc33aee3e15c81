// The one decision function: given whether a signal is active now and its previous
// alert state, say what to tell people. Pure: no clock (now is an argument), no I/O.
// Every instant here is monotonic (the loop's `monoMs()`), so a wall-clock step can
// neither silence a reminder nor bring one early; the loop labels them with wall time.
import type { Action } from "./protocol.js";

export interface AlertState {
  firing: boolean;
  /** when the current (or last) firing began, in the caller's clock (monotonic ms in the loop) */
  since: number | null;
  lastNotifiedAt: number | null;
  /** notifications sent for the current firing (alert + reminders); recovery does not count */
  notifications: number;
}

export const INITIAL_STATE: AlertState = { firing: false, since: null, lastNotifiedAt: null, notifications: 0 };

export interface Decided {
  action: Action | null;
  next: AlertState;
}

/**
 * - inactive → active: `alert`
 * - still active, `now ≥ lastNotifiedAt + cooldown`: `repeat`
 * - still active inside the cooldown: nothing
 * - active → inactive: `recovery`, never swallowed by a cooldown
 */
export function decide(active: boolean, prev: AlertState | undefined, now: number, cooldownS: number): Decided {
  const p = prev ?? INITIAL_STATE;
  if (active && !p.firing) {
    return { action: "alert", next: { firing: true, since: now, lastNotifiedAt: now, notifications: 1 } };
  }
  if (active && p.firing) {
    const last = p.lastNotifiedAt ?? p.since ?? now;
    if (now >= last + cooldownS * 1000) {
      return { action: "repeat", next: { ...p, lastNotifiedAt: now, notifications: p.notifications + 1 } };
    }
    return { action: null, next: p };
  }
  if (!active && p.firing) {
    return { action: "recovery", next: { ...p, firing: false, lastNotifiedAt: now } };
  }
  return { action: null, next: p };
}

/** When the next reminder is due, or null when the signal is not firing. */
export function cooldownUntil(s: AlertState, cooldownS: number): number | null {
  if (!s.firing || s.lastNotifiedAt === null) return null;
  return s.lastNotifiedAt + cooldownS * 1000;
}
