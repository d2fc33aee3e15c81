// Signal builders: turn what a source saw into Signals with stable keys.
// Pure. A signal's key is `kind:entity`; per-entity signals (a pid, a container)
// each get their own alert state in the loop.
import type { Severity, Signal } from "./protocol.js";

/** The kinds the probe's own sources and loop raise; a metric rule may not take one of these names. */
export const BUILTIN_KINDS = [
  "orch_down",
  "proc_blocking",
  "disk_ceiling",
  "container_down",
  "container_unhealthy",
  "dep_down",
  "source_error",
] as const;

export type SignalKind = (typeof BUILTIN_KINDS)[number] | (string & {}); // metric rules name their own kinds

export function signalKey(kind: string, entity: string): string {
  return `${kind}:${entity}`;
}

export function makeSignal(
  kind: SignalKind,
  entity: string,
  active: boolean,
  severity: Severity,
  title: string,
  detail = "",
): Signal {
  return { key: signalKey(kind, entity), kind, entity, active, severity, title, detail };
}

/** `7260` → `2h 1m`; `45` → `45s`; `90000` → `1d 1h`. */
export function formatDuration(totalS: number): string {
  const s = Math.max(0, Math.floor(totalS));
  const d = Math.floor(s / 86_400),
    h = Math.floor((s % 86_400) / 3600),
    m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}
