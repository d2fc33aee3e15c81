// Fake sources that replay the plan, each wrapped by the fault injector: on a faulted
// tick it throws (synchronously or not, Errors or not), hangs past its timeout (never
// settling, rejecting on abort, or answering after the loop gave up), returns garbage,
// or — the proc source — loses pids that exit mid-scan. The tick is read from ctx.now.
import type { ProcessInfo, Signal } from "../../probe/protocol.js";
import { makeSignal } from "../../probe/signals.js";
import type { CollectContext, Source, SourceOutput } from "../../probe/source.js";
import {
  FAULT,
  FAULT_NAMES,
  SOURCE_TIMEOUT_MS,
  T0,
  TICK_MS,
  signalsAt,
  type FaultKind,
  type Plan,
  type SourcePlan,
} from "./plan.js";
import type { VirtualClock } from "./virtual-clock.js";

export type FaultCounts = Record<FaultKind, number>;

export function emptyCounts(): FaultCounts {
  return Object.fromEntries(FAULT_NAMES.map((n) => [n, 0])) as FaultCounts;
}

export function makeSources(
  plan: Plan,
  clock: VirtualClock,
  counts: FaultCounts,
  onOddCall: (why: string) => void,
): Source[] {
  return plan.sources.map((s) => ({
    name: s.name,
    timeoutMs: SOURCE_TIMEOUT_MS,
    // not async: the "throws synchronously" variant must really throw out of collect()
    collect(ctx: CollectContext): Promise<SourceOutput> {
      const k = (ctx.now - T0) / TICK_MS;
      if (!Number.isInteger(k) || k < 0 || k >= plan.ticks) {
        onOddCall(`source ${s.name} asked at ${new Date(ctx.now).toISOString()}, not on a tick of the plan`);
        return Promise.resolve(healthy(s, 0, ctx.now));
      }
      const f = s.faults[k]!,
        v = s.variant[k]!;
      if (f !== FAULT.none) counts[FAULT_NAMES[f - 1]!]++;
      if (f === FAULT.throw) return throwing(s.name, v);
      if (f === FAULT.hang) return hanging(s, k, v, ctx, clock);
      if (f === FAULT.garbage) return Promise.resolve(garbage(s, k, v, ctx.now));
      const out = healthy(s, k, ctx.now);
      if (f === FAULT.vanish) out.skipped = { vanished: 1 };
      return Promise.resolve(out);
    },
  }));
}

function throwing(name: string, v: number): Promise<SourceOutput> {
  switch (v % 4) {
    case 0:
      throw Object.assign(new Error(`${name}: read failed`), { code: "EIO" });
    case 1:
      return Promise.reject(new Error(`${name}: connection refused`));
    // Sources written by others may throw anything; the loop must name them all the same.
    case 2:
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test
      throw `${name}: a thrown string`;
    default:
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
      return Promise.reject({ weird: name });
  }
}

function hanging(s: SourcePlan, k: number, v: number, ctx: CollectContext, clock: VirtualClock): Promise<SourceOutput> {
  switch (v % 3) {
    case 0:
      return new Promise<SourceOutput>(() => undefined);
    case 1:
      return new Promise<SourceOutput>((_, reject) => {
        ctx.signal.addEventListener("abort", () => reject(new Error(`${s.name}: aborted`)), { once: true });
      });
    // answers, but after the loop has given up: the late answer must be ignored
    default:
      return new Promise<SourceOutput>((resolve) => {
        clock.setTimeout(() => resolve(healthy(s, k, ctx.now)), SOURCE_TIMEOUT_MS + 1000);
      });
  }
}

/** Output the loop must refuse as a source failure (docs/architecture.md: "returned garbage"). */
function garbage(s: SourcePlan, k: number, v: number, now: number): SourceOutput {
  const junk: unknown[] = [
    null,
    undefined,
    {},
    { signals: "none" },
    { signals: [null] },
    { signals: [42, "proc_blocking:1"] },
    {
      signals: [
        ...healthy(s, k, now).signals,
        { key: `${s.name}_junk:x`, kind: `${s.name}_junk`, entity: "x", active: "yes" },
      ],
    },
    { signals: [{ key: "k" }] },
  ];
  return junk[v % junk.length] as SourceOutput;
}

function healthy(s: SourcePlan, k: number, now: number): SourceOutput {
  const signals: Signal[] = signalsAt(s, k).map((g) =>
    makeSignal(
      g.kind,
      g.entity,
      g.active,
      g.severity,
      `${g.kind} ${g.entity}`,
      g.kind === "proc_blocking" ? `python -m pytest tests/ --token=***` : "",
    ),
  );
  const out: SourceOutput = { signals };
  if (s.name === "proc") {
    out.processes = s.intervals
      .filter((iv) => iv.from <= k && k < iv.to)
      .map((iv): ProcessInfo => ({
        pid: Number(iv.entity),
        ppid: 1,
        comm: "python",
        state: "S",
        ageS: (k - iv.from) * (TICK_MS / 1000),
        startedAt: new Date(now - (k - iv.from) * TICK_MS).toISOString(),
        orphaned: true,
        blocking: k >= iv.activeFrom,
        argv: ["python", "-m", "pytest", "tests/"],
        cmdline: "python -m pytest tests/",
      }));
  } else if (s.name === "metrics") {
    const down = signals.some((g) => g.kind === "orch_down" && g.active);
    out.orch = {
      configured: true,
      up: !down,
      failures: down ? 3 : 0,
      threshold: 3,
      lastOkAt: null,
      lastError: down ? "connect ECONNREFUSED" : null,
    };
  } else if (s.name === "docker") {
    out.containers = ["orchestrator", "redis", "worker-1"].map((name) => ({
      name,
      state: signals.some((g) => g.active && g.entity === name && g.kind === "container_down") ? "exited" : "running",
      health: signals.some((g) => g.active && g.entity === name && g.kind === "container_unhealthy")
        ? "unhealthy"
        : null,
      restarts: 0,
    }));
  } else if (s.name === "deps") {
    out.deps = ["postgres", "s3"].map((name) => ({
      name,
      target: `${name}:1`,
      up: !signals.some((g) => g.active && g.entity === name),
      ms: 0.5,
    }));
  }
  return out;
}
