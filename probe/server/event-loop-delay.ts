// The event loop's delay for /metrics, from perf_hooks.monitorEventLoopDelay. Node records
// the whole interval between its sampling timer's runs; the delay is what exceeds the
// resolution, so an idle loop reads ~0, not 20 ms. Quantiles and max cover a recent window,
// so a stall shows now instead of being diluted by hours of calm; sum and count run since
// start, as a Prometheus summary's must.
import { monitorEventLoopDelay } from "node:perf_hooks";

export interface LoopDelayFigures {
  /** seconds, over the current window (the previous one while the current has no sample) */
  p50S: number;
  p99S: number;
  maxS: number;
  /** since start */
  sumS: number;
  count: number;
}

export interface LoopDelayMonitor {
  /** null before the first sample */
  read(): LoopDelayFigures | null;
  stop(): void;
}

const NS_PER_S = 1e9;

export function monitorLoopDelay(
  opts: { windowMs?: number; resolutionMs?: number; monoNow?: () => number } = {},
): LoopDelayMonitor {
  const windowMs = opts.windowMs ?? 60_000;
  const mono = opts.monoNow ?? (() => performance.now());
  const resolutionMs = opts.resolutionMs ?? 20;
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  const late = (ns: number) => Math.max(0, ns - resolutionMs * 1e6) / NS_PER_S;
  h.enable();
  let windowStart = mono();
  let folded = { sumS: 0, count: 0 };
  let previous: Pick<LoopDelayFigures, "p50S" | "p99S" | "maxS"> | null = null;

  const quantiles = () => ({
    p50S: late(h.percentile(50)),
    p99S: late(h.percentile(99)),
    maxS: late(h.max),
  });
  const windowSum = () => (h.count ? Math.max(0, ((h.mean - resolutionMs * 1e6) * h.count) / NS_PER_S) : 0);

  return {
    read() {
      // the window turns over lazily, on a read: no timer of its own
      if (mono() - windowStart >= windowMs && h.count > 0) {
        previous = quantiles();
        folded = { sumS: folded.sumS + windowSum(), count: folded.count + h.count };
        h.reset();
        windowStart = mono();
      }
      const q = h.count > 0 ? quantiles() : previous;
      if (!q) return null;
      return { ...q, sumS: folded.sumS + windowSum(), count: folded.count + h.count };
    },
    stop: () => h.disable(),
  };
}
