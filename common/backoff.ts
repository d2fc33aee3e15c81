// Exponential backoff as a pure function: the probe's delivery channels (Telegram,
// Alertmanager) and the extension's reconnecting client all pace their retries with it.
// No clock and no timers here: callers keep the attempt count and do the waiting.

export interface BackoffPolicy {
  /** delay before the first retry */
  initialMs: number;
  /** no delay is longer than this, jitter included */
  maxMs: number;
  /** spread as a fraction of the delay (0.2: ±20 %); 0 or absent: every delay is exact */
  jitter?: number;
}

/** Past this many doublings every policy is at its cap; also keeps 2 ** n finite. */
const MAX_DOUBLINGS = 30;

/**
 * Delay before retry number `attempt` (1-based; below 1 counts as 1): `initialMs`
 * doubled per attempt, capped at `maxMs`, then spread by ±jitter with `random` in [0, 1).
 * `random` 0.5 (the default) is the nominal delay.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random = 0.5): number {
  const n = Number.isNaN(attempt) ? 1 : Math.max(Math.floor(attempt), 1);
  const exp = Math.min(n - 1, MAX_DOUBLINGS);
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** exp);
  const jitter = policy.jitter ?? 0;
  if (jitter === 0) return base;
  const spread = base * (1 - jitter + 2 * jitter * random);
  return Math.round(Math.min(policy.maxMs, Math.max(0, spread)));
}
