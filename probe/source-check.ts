// What the loop checks of a source's answer before trusting it. A source's junk must
// neither crash the tick nor reach decide() or the stream (where every client would
// reject the whole snapshot): a malformed answer makes the source a failed one.
import { ContainerSchema, DepSchema, HostSchema, OrchStateSchema, ProcessSchema } from "./protocol.js";
import { signalKey } from "./signals.js";

const SEVERITIES = new Set(["info", "warning", "critical"]);

/**
 * What is wrong with the first signal that is not one (a null, a wrong type, a key that
 * is not kind:entity), or null when all are well formed.
 */
function malformedSignal(list: readonly unknown[]): string | null {
  for (const [i, x] of list.entries()) {
    if (typeof x !== "object" || x === null) return `#${i} is ${x === null ? "null" : typeof x}`;
    const g = x as Record<string, unknown>;
    for (const f of ["key", "kind", "entity", "title", "detail"]) {
      if (typeof g[f] !== "string") return `#${i} has no string ${f}`;
    }
    if (typeof g.active !== "boolean") return `#${i} has no boolean active`;
    if (typeof g.severity !== "string" || !SEVERITIES.has(g.severity))
      return `#${i} has severity ${String(g.severity)}`;
    if (g.key !== signalKey(g.kind as string, g.entity as string))
      return `#${i} has key ${String(g.key).slice(0, 80)} for ${String(g.kind).slice(0, 40)}:${String(g.entity).slice(0, 40)}`;
  }
  return null;
}

const SECTIONS = [
  ["processes", ProcessSchema],
  ["containers", ContainerSchema],
  ["deps", DepSchema],
] as const;

/** What is wrong with a source's answer ("a malformed signal: #3 is null"), or null when it is usable. */
export function malformedOutput(output: unknown): string | null {
  if (typeof output !== "object" || output === null || !Array.isArray((output as { signals?: unknown }).signals)) {
    return "no signals list";
  }
  const o = output as Record<string, unknown>;
  const sig = malformedSignal(o.signals as unknown[]);
  if (sig) return `a malformed signal: ${sig}`;
  for (const [name, schema] of SECTIONS) {
    const v = o[name];
    if (v === undefined) continue;
    if (!Array.isArray(v)) return `a malformed ${name} list: not a list`;
    const i = v.findIndex((x) => !schema.safeParse(x).success);
    if (i >= 0) return `a malformed ${name} list: #${i} does not fit the protocol`;
  }
  if (o.orch !== undefined && !OrchStateSchema.safeParse(o.orch).success) return "a malformed orch state";
  if (o.host !== undefined && !HostSchema.safeParse(o.host).success) return "a malformed host state";
  const t = o.processesTruncated;
  if (t !== undefined && !(Number.isInteger(t) && (t as number) >= 0)) return "a malformed processesTruncated";
  return null;
}
