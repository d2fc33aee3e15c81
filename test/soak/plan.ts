// The soak's scenario, all drawn up front from the seed: what each fake source sees
// tick by tick (entities going active and inactive on a scripted timeline), which
// source fault hits which tick, and when the Telegram Bot API is out. Pure data: the
// fakes replay it, the model predicts from it.
import type { Severity } from "../../probe/protocol.js";
import { expTicks, int, pick, stream, type Rng } from "./prng.js";

export const TICK_S = 15;
export const TICK_MS = TICK_S * 1000;
export const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
/** each fake source's deadline: a hang costs a third of a tick of virtual time */
export const SOURCE_TIMEOUT_MS = 5000;
/** a pytest becomes "blocking" this many ticks after it started (5 min) */
const PROC_AGE_TICKS = 20;
const COOLDOWN_S: Record<string, number> = { proc_blocking: 300, default: 600 };
export const cooldownFor = (kind: string): number => COOLDOWN_S[kind] ?? COOLDOWN_S.default!;

export const FAULT = { none: 0, throw: 1, hang: 2, garbage: 3, vanish: 4 } as const;
export type FaultKind = Exclude<keyof typeof FAULT, "none">;
export const FAULT_NAMES: readonly FaultKind[] = ["throw", "hang", "garbage", "vanish"];
/** a faulted tick whose output the loop must reject (vanish is a valid, partial answer) */
export const isFailure = (f: number): boolean => f === FAULT.throw || f === FAULT.hang || f === FAULT.garbage;

/** One stretch of an entity's life in ticks: present in [from, to), active in [activeFrom, to). */
interface Interval {
  kind: string;
  entity: string;
  severity: Severity;
  from: number;
  to: number;
  activeFrom: number;
}

export interface SourcePlan {
  name: string;
  intervals: Interval[];
  /** entities the source always reports (inactive when no interval covers the tick) */
  standing: Array<{ kind: string; entity: string; severity: Severity }>;
  /** FAULT code per tick */
  faults: Uint8Array;
  /** which variant of the fault (how it throws, hangs, what garbage) per tick */
  variant: Uint8Array;
}

type OutageStyle = "429" | "5xx" | "reset" | "mixed";
/** A Telegram outage in virtual ms: every request in [from, to) fails in the style's way. */
export interface Outage {
  from: number;
  to: number;
  style: OutageStyle;
}

export interface Plan {
  seed: number;
  ticks: number;
  sources: SourcePlan[];
  outages: Outage[];
  /** pids cut short by a "vanish" fault (each ends the pid's interval at that tick) */
  vanished: number;
}

export function makePlan(seed: number, ticks: number): Plan {
  const sources = [procPlan(seed, ticks), metricsPlan(seed, ticks), dockerPlan(seed, ticks), depsPlan(seed, ticks)];
  let vanished = 0;
  for (const s of sources) vanished += injectFaults(stream(seed, `faults:${s.name}`), s, ticks);
  return { seed, ticks, sources, outages: makeOutages(stream(seed, "telegram"), ticks), vanished };
}

/** Signals of one source at tick k, as its healthy self would report them. */
export function signalsAt(
  s: SourcePlan,
  k: number,
): Array<{ kind: string; entity: string; severity: Severity; active: boolean }> {
  const out: Array<{ kind: string; entity: string; severity: Severity; active: boolean }> = [];
  const covered = new Set<string>();
  const ix = index(s);
  // intervals are sorted by start; none that starts before k - longest can still cover k
  for (let i = lowerBound(ix.sorted, k - ix.longest); i < ix.sorted.length && ix.sorted[i]!.from <= k; i++) {
    const iv = ix.sorted[i]!;
    if (k < iv.to) {
      out.push({ kind: iv.kind, entity: iv.entity, severity: iv.severity, active: k >= iv.activeFrom });
      covered.add(`${iv.kind}:${iv.entity}`);
    }
  }
  for (const e of s.standing) if (!covered.has(`${e.kind}:${e.entity}`)) out.push({ ...e, active: false });
  return out;
}

const indexes = new WeakMap<SourcePlan, { sorted: Interval[]; longest: number }>();

/** Built on first use, after the faults have cut what they cut (intervals only shrink). */
function index(s: SourcePlan): { sorted: Interval[]; longest: number } {
  let ix = indexes.get(s);
  if (!ix) {
    const sorted = [...s.intervals].sort((a, b) => a.from - b.from);
    ix = { sorted, longest: sorted.reduce((m, iv) => Math.max(m, iv.to - iv.from), 0) };
    indexes.set(s, ix);
  }
  return ix;
}

function lowerBound(sorted: Interval[], from: number): number {
  let lo = 0,
    hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.from < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function procPlan(seed: number, ticks: number): SourcePlan {
  const rng = stream(seed, "proc");
  const intervals: Interval[] = [];
  const freed: Array<{ pid: number; at: number }> = [];
  let nextPid = 4000;
  for (let k = 0; k < ticks; k++) {
    if (rng() >= 0.06) continue;
    // pid reuse: a new pytest may get the pid of one that exited (same key, new life)
    const reuse = freed.findIndex((f) => f.at <= k);
    const pid = reuse >= 0 && rng() < 0.25 ? freed.splice(reuse, 1)[0]!.pid : nextPid++;
    const life = 3 + Math.floor(rng() ** 2 * 400);
    intervals.push({
      kind: "proc_blocking",
      entity: String(pid),
      severity: "critical",
      from: k,
      to: k + life,
      activeFrom: k + PROC_AGE_TICKS,
    });
    freed.push({ pid, at: k + life });
  }
  return { name: "proc", intervals, standing: [], faults: new Uint8Array(ticks), variant: new Uint8Array(ticks) };
}

function windows(
  rng: Rng,
  ticks: number,
  kind: string,
  entity: string,
  severity: Severity,
  meanOff: number,
  meanOn: number,
): Interval[] {
  const out: Interval[] = [];
  let k = expTicks(rng, meanOff);
  while (k < ticks) {
    const on = expTicks(rng, meanOn);
    out.push({ kind, entity, severity, from: k, to: k + on, activeFrom: k });
    k += on + expTicks(rng, meanOff);
  }
  return out;
}

function standingPlan(
  seed: number,
  ticks: number,
  name: string,
  defs: Array<[string, string, Severity, number, number]>,
): SourcePlan {
  const rng = stream(seed, name);
  return {
    name,
    intervals: defs.flatMap(([kind, entity, sev, off, on]) => windows(rng, ticks, kind, entity, sev, off, on)),
    standing: defs.map(([kind, entity, severity]) => ({ kind, entity, severity })),
    faults: new Uint8Array(ticks),
    variant: new Uint8Array(ticks),
  };
}

function metricsPlan(seed: number, ticks: number): SourcePlan {
  return standingPlan(seed, ticks, "metrics", [
    ["orch_down", "orchestrator", "critical", 700, 25],
    ["agent_hung", 'agent="a1"', "warning", 500, 50],
    ["agent_hung", 'agent="a2"', "warning", 500, 50],
    ["queue_stuck", 'queue="default"', "warning", 800, 80],
  ]);
}

function dockerPlan(seed: number, ticks: number): SourcePlan {
  return standingPlan(seed, ticks, "docker", [
    ["container_down", "orchestrator", "critical", 900, 20],
    ["container_down", "redis", "critical", 900, 30],
    ["container_unhealthy", "worker-1", "warning", 600, 60],
  ]);
}

function depsPlan(seed: number, ticks: number): SourcePlan {
  return standingPlan(seed, ticks, "deps", [
    ["dep_down", "postgres", "critical", 600, 15],
    ["dep_down", "s3", "warning", 700, 40],
  ]);
}

/** Single faults (2 % of ticks) and rarer bursts (a source broken for 5–150 ticks). Returns pids vanished. */
function injectFaults(rng: Rng, s: SourcePlan, ticks: number): number {
  let vanished = 0;
  for (let k = 0; k < ticks; k++) {
    if (rng() < 0.0008) {
      const kind = pick(rng, [FAULT.throw, FAULT.hang, FAULT.garbage]);
      const len = int(rng, 5, 150);
      const variant = int(rng, 0, 255);
      for (let j = k; j < Math.min(ticks, k + len); j++) {
        s.faults[j] = kind;
        s.variant[j] = variant;
      }
      k += len - 1;
      continue;
    }
    if (rng() >= 0.02) continue;
    const r = rng();
    let kind: number = r < 0.35 ? FAULT.throw : r < 0.6 ? FAULT.hang : r < 0.85 ? FAULT.garbage : FAULT.vanish;
    if (kind === FAULT.vanish) {
      // a pid exits while the scan is reading it: it is missing from this tick on
      const alive = s.intervals.filter((iv) => iv.from < k && k < iv.to - 1);
      if (alive.length === 0) kind = FAULT.throw;
      else {
        for (let n = int(rng, 1, Math.min(3, alive.length)); n > 0; n--) {
          const iv = alive.splice(Math.floor(rng() * alive.length), 1)[0]!;
          iv.to = k;
          vanished++;
        }
      }
    }
    s.faults[k] = kind;
    s.variant[k] = int(rng, 0, 255);
  }
  return vanished;
}

/** About one outage per 800 ticks, 10–250 ticks long, never overlapping, none in the last 40 ticks. */
function makeOutages(rng: Rng, ticks: number): Outage[] {
  const out: Outage[] = [];
  let k = int(rng, 30, 400);
  while (k < ticks - 40) {
    const style = pick<OutageStyle>(rng, ["429", "429", "5xx", "5xx", "reset", "mixed"]);
    const len = Math.min(style === "mixed" ? int(rng, 10, 80) : int(rng, 10, 250), ticks - 40 - k);
    const from = T0 + k * TICK_MS + int(rng, 0, TICK_MS - 1);
    out.push({ from, to: from + len * TICK_MS, style });
    k += len + int(rng, 150, 1400);
  }
  return out;
}
