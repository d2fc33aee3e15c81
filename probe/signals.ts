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
  "delivery_failing",
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
