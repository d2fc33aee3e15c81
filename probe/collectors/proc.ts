// The proc source: the main thread's edge over WATCHDOG_PROC_ROOT. The scan itself
// (listing, reads, parsing, matching, redaction: proc-scan.ts) runs in a worker thread
// (proc-thread.ts), so a slow or blocked read never holds the event loop: the stream,
// /healthz and SIGTERM answer while it runs. What the result means across ticks (exits,
// reused pids, unreadable pids that keep their state) is decided in proc-merge.ts.
import type { Config } from "../config.js";
import type { CollectContext, Source, SourceOutput } from "../source.js";
import type { SignalTexts } from "../signal-texts.js";
import { emptyMemory, mergeScan } from "./proc-merge.js";
import { readClkTck } from "./proc-scan.js";
import { ScanThread, stuckThreads } from "./proc-thread.js";

/**
 * The scan's own deadline: 90% of the source timeout, so that the source, not the loop's
 * timeout, reports a hung scan, naming the pid and file it was stuck on.
 */
function scanDeadlineMs(timeoutMs: number): number {
  return Math.max(1, Math.floor(timeoutMs * 0.9));
}

export function createProcSource(
  cfg: Config["proc"],
  opts: { timeoutMs: number; clkTck?: number; texts?: SignalTexts },
): Source {
  const name = "proc";
  if (!cfg.enabled) {
    // Invariant 4: disabled costs nothing; no worker starts and not even getconf runs.
    return {
      name,
      timeoutMs: opts.timeoutMs,
      collect: async () => ({ signals: [], processes: [], processesTruncated: 0 }),
    };
  }
  const thread = new ScanThread({
    root: cfg.root,
    patterns: cfg.patterns,
    thresholdS: cfg.ageMin * 60,
    clkTck: opts.clkTck ?? readClkTck(),
  });
  thread.warm();
  const deadlineMs = scanDeadlineMs(opts.timeoutMs);
  let memory = emptyMemory();

  return {
    name,
    timeoutMs: opts.timeoutMs,
    async collect(ctx: CollectContext): Promise<SourceOutput> {
      const stuck = stuckThreads();
      const scan = await thread.scan(
        stuck.map((s) => s.pid).filter((p) => p > 0),
        deadlineMs,
        ctx.signal,
      );
      const { output, next } = mergeScan(memory, scan, stuck, opts.texts);
      memory = next;
      return output;
    },
  };
}
