// The host source: disk usage of each WATCHDOG_DISK_PATHS entry and the load averages.
// `disk_ceiling` is a last-resort, opt-in alarm (another tool owns the ordinary disk
// alert), with a hysteresis so a disk hovering at the line does not flap.
import { promises as fsp } from "node:fs";
import os from "node:os";
import type { Config } from "../config.js";
import { SIGNAL_EN, type SignalTexts } from "../signal-texts.js";
import type { Signal } from "../protocol.js";
import { makeSignal } from "../signals.js";
import type { Source } from "../source.js";
import { errorText } from "../errors.js";

export interface StatfsResult {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
}
type Statfs = (path: string) => Promise<StatfsResult>;

/** Points below the threshold a firing ceiling must drop to before it clears. */
const CEILING_CLEAR_GAP = 2;

/**
 * Used % as `df` computes it: blocks reserved for root are neither used nor available,
 * so used / (used + available). One decimal; 0 for a filesystem with no blocks (procfs…).
 */
export function diskUsedPct(s: StatfsResult): number {
  const used = s.blocks - s.bfree;
  const total = used + s.bavail;
  if (!(total > 0)) return 0;
  return Math.round((used / total) * 1000) / 10;
}

/** Pure hysteresis: fires at ≥ threshold, clears only at ≤ threshold − gap. */
export function ceilingActive(
  wasActive: boolean,
  usedPct: number,
  thresholdPct: number,
  gap = CEILING_CLEAR_GAP,
): boolean {
  return wasActive ? usedPct > thresholdPct - gap : usedPct >= thresholdPct;
}

export interface HostSourceOptions {
  timeoutMs: number;
  statfs?: Statfs;
  loadavg?: () => number[];
  texts?: SignalTexts;
}

export function createHostSource(cfg: Config["disk"], opts: HostSourceOptions): Source {
  const tx = opts.texts ?? SIGNAL_EN;
  const rawStatfs: Statfs = opts.statfs ?? ((p) => fsp.statfs(p));
  // A statfs on a dead NFS mount never returns and holds one of libuv's four pool
  // threads (shared with DNS lookups and file reads). The loop times the tick out and
  // ticks again, so a path whose statfs is still out waits for that one, not a new one.
  const inFlight = new Map<string, Promise<StatfsResult>>();
  const statfs: Statfs = (path) => {
    let p = inFlight.get(path);
    if (!p) {
      p = rawStatfs(path).finally(() => inFlight.delete(path));
      inFlight.set(path, p);
    }
    return p;
  };
  const loadavg = opts.loadavg ?? (() => os.loadavg());
  const firing = new Map<string, boolean>();
  const unreadableLastTick = new Set<string>();
  const fmt = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(1)}%`;

  return {
    name: "host",
    timeoutMs: opts.timeoutMs,
    async collect() {
      const results = await Promise.allSettled(cfg.paths.map((p) => statfs(p)));
      const disk: { path: string; usedPct: number }[] = [];
      const signals: Signal[] = [];
      let unreadable = 0;
      for (const [i, path] of cfg.paths.entries()) {
        const r = results[i]!;
        // A path that cannot be read is told as its own error (the other paths still
        // report); its ceiling keeps its last state, since an error is not a recovery.
        if (r.status === "rejected") {
          unreadable++;
          unreadableLastTick.add(path);
          const why = errorText(r.reason);
          signals.push(
            makeSignal(
              "source_error",
              `host:${path}`,
              true,
              "warning",
              tx.diskUnreadableTitle(path, why),
              tx.diskUnreadableDetail(path, why),
            ),
          );
          if (cfg.ceilingEnabled && firing.has(path)) signals.push(ceilingSignal(path, firing.get(path)!, null));
          continue;
        }
        const usedPct = diskUsedPct(r.value);
        disk.push({ path, usedPct });
        if (unreadableLastTick.delete(path)) {
          signals.push(makeSignal("source_error", `host:${path}`, false, "info", tx.diskReadableAgain(path)));
        }
        if (!cfg.ceilingEnabled) continue;
        const active = ceilingActive(firing.get(path) ?? false, usedPct, cfg.ceilingPct);
        firing.set(path, active);
        signals.push(ceilingSignal(path, active, usedPct));
      }
      const load = loadavg()
        .slice(0, 3)
        .map((n) => Math.round(n * 100) / 100);
      return {
        signals,
        host: { disk, load },
        ...(unreadable ? { skipped: { disk_path_unreadable: unreadable } } : {}),
      };
    },
  };

  function ceilingSignal(path: string, active: boolean, usedPct: number | null): Signal {
    const at = usedPct === null ? tx.diskUnknown : fmt(usedPct);
    const clearAt = fmt(cfg.ceilingPct - CEILING_CLEAR_GAP);
    return makeSignal(
      "disk_ceiling",
      path,
      active,
      "critical",
      tx.diskTitle(path, at, fmt(cfg.ceilingPct), active),
      active ? tx.diskActiveDetail(path, at, cfg.ceilingPct, clearAt) : tx.diskIdleDetail(fmt(cfg.ceilingPct), clearAt),
    );
  }
}
