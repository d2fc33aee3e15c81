// Which sources a configuration turns on. A source that is off is never constructed,
// so it costs nothing (WATCHDOG_PROC_ENABLED=false: /proc is not read at all).
import type { Config } from "./config.js";
import { createDepsSource } from "./collectors/deps.js";
import { createDockerSource } from "./collectors/docker.js";
import { createHostSource } from "./collectors/host.js";
import { createMetricsSource } from "./collectors/metrics.js";
import { createProcSource } from "./collectors/proc.js";
import type { OrchState } from "./protocol.js";
import type { Source } from "./source.js";

export function buildSources(cfg: Config): Source[] {
  const timeoutMs = cfg.sourceTimeoutS * 1000;
  const sources: Source[] = [];
  if (cfg.metrics.url) sources.push(createMetricsSource(cfg.metrics));
  if (cfg.proc.enabled) sources.push(createProcSource(cfg.proc, { timeoutMs }));
  sources.push(createHostSource(cfg.disk, { timeoutMs }));
  if (cfg.docker.socket) sources.push(createDockerSource(cfg.docker, { timeoutMs }));
  if (cfg.deps.targets.length) sources.push(createDepsSource(cfg.deps));
  return sources;
}

/** The orchestrator's state before the metrics source has answered (or when it is off). */
export function orchIdle(cfg: Config): OrchState {
  return {
    configured: cfg.metrics.url !== null,
    up: null,
    failures: 0,
    threshold: cfg.metrics.downTicks,
    lastOkAt: null,
    lastError: null,
  };
}

export function cooldownFor(cfg: Config): (kind: string) => number {
  return (kind) => (kind === "proc_blocking" ? cfg.proc.cooldownS : cfg.cooldownS);
}
