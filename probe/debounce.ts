// Debounce of an up/down check (orchestrator, a dependency): one hiccup never
// alerts, only `threshold` consecutive failures do, and one success clears it.
// Pure: the caller keeps the state between ticks.

export interface DebounceState {
  /** consecutive failed checks so far (0 after a success) */
  failures: number;
  /** true once failures reached the threshold, until the next success */
  down: boolean;
}

export const DEBOUNCE_INITIAL: DebounceState = { failures: 0, down: false };

export function debounce(prev: DebounceState, ok: boolean, threshold: number): DebounceState {
  if (ok) return DEBOUNCE_INITIAL;
  // A threshold below 1 (or NaN) would mean "down before any failure"; treat it as 1.
  const t = threshold >= 1 ? Math.floor(threshold) : 1;
  // Saturate so a check failing for years cannot overflow into an imprecise count.
  const failures = Math.min(prev.failures + 1, Number.MAX_SAFE_INTEGER);
  return { failures, down: failures >= t };
}
