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
import { signalTexts } from "./signal-texts.js";

export function buildSources(cfg: Config): Source[] {
  const timeoutMs = cfg.sourceTimeoutS * 1000;
  // signal titles and details in WATCHDOG_LANG, like the alert texts around them
  const texts = signalTexts(cfg.lang);
  const sources: Source[] = [];
  if (cfg.metrics.url) sources.push(createMetricsSource(cfg.metrics, { texts }));
  if (cfg.proc.enabled) sources.push(createProcSource(cfg.proc, { timeoutMs, texts }));
  sources.push(createHostSource(cfg.disk, { timeoutMs, texts }));
  if (cfg.docker.socket) sources.push(createDockerSource(cfg.docker, { timeoutMs, texts }));
  if (cfg.deps.targets.length) sources.push(createDepsSource(cfg.deps, { texts }));
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
