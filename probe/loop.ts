// The tick: ask every source (each isolated, each with its own timeout), run every
// signal through decide(), and publish one snapshot. Never raises; ticks never overlap.
import { cooldownUntil, decide, type AlertState } from "./decide.js";
import type { Action, Alert, OrchState, Signal, Snapshot, SourceStatus } from "./protocol.js";
import { MAX_PROCESSES } from "./protocol.js";
import { makeSignal } from "./signals.js";
import { SIGNAL_EN, type SignalTexts } from "./signal-texts.js";
import { errorText } from "./errors.js";
import { silentLogger, type Logger } from "./log.js";
import { malformedOutput } from "./source-check.js";
import type { Source, SourceOutput } from "./source.js";

export interface DecisionEvent {
  seq: number;
  at: number;
  action: Action;
  signal: Signal;
  state: AlertState;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface LoopOptions {
  enabled: boolean;
  tickS: number;
  sources: Source[];
  /** reminder interval for a signal kind */
  cooldownFor(kind: string): number;
  /** orch state shown while the metrics source has not answered yet */
  orchIdle: OrchState;
  clock?: Clock;
  onDecision?(d: DecisionEvent): void;
  onSnapshot?(s: Snapshot): void;
  onSourceError?(source: string, error: string): void;
  /** component "loop": a listener or a tick that threw (each a bug, logged as an error) */
  log?: Logger;
  /** titles of the signals the loop itself raises, in the probe's language */
  texts?: SignalTexts;
  /** signals about the probe itself (Telegram refusing its messages), read once per tick */
  ownSignals?(): Signal[];
}

/** Recovered alerts stay visible (with their counts) this long, and at most this many. */
const RECOVERED_KEEP_MS = 3_600_000;
const RECOVERED_KEEP_MAX = 200;

export class SourceTimeout extends Error {}

export class TickLoop {
  private readonly clock: Clock;
  private readonly texts: SignalTexts;
  private readonly states = new Map<string, { state: AlertState; kind: string; entity: string }>();
  private readonly lastOutputs = new Map<string, SourceOutput>();
  private seq = 0;
  private latest: Snapshot;
  private timer: unknown = null;
  private running: Promise<Snapshot> | null = null;
  private stopped = true;
  /** bumped by every start(): a run of an older start, resuming after its tick, ends there */
  private chain = 0;
  ticks = 0;
  readonly sourceErrors = new Map<string, number>();

  constructor(private readonly opts: LoopOptions) {
    this.clock = opts.clock ?? realClock;
    this.texts = opts.texts ?? SIGNAL_EN;
    this.latest = this.emptySnapshot(0);
  }

  get snapshot(): Snapshot {
    return this.latest;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  /** Runs ticks back to back, `tickS` apart start to start, never overlapping. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const chain = ++this.chain;
    const run = async () => {
      const started = this.clock.now();
      // tick() is built not to raise; should it ever, the next tick must still be scheduled
      await this.tick().catch((e: unknown) => this.log.error("tick_failed", { error: errorText(e) }));
      if (this.stopped || chain !== this.chain) return;
      const wait = Math.max(0, this.opts.tickS * 1000 - (this.clock.now() - started));
      this.timer = this.clock.setTimeout(() => void run(), wait);
    };
    this.timer = this.clock.setTimeout(() => void run(), 0);
  }

  /** Stops scheduling; resolves once a tick in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running.catch(() => undefined);
  }

  /** One tick. If a tick is already running, returns that one instead of starting another. */
  tick(): Promise<Snapshot> {
    if (this.running) return this.running;
    this.running = this.runTick().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runTick(): Promise<Snapshot> {
    const t0 = performance.now();
    const now = this.clock.now();
    this.ticks++;
    if (!this.opts.enabled) {
      this.latest = this.emptySnapshot(performance.now() - t0);
      this.safe("onSnapshot", () => this.opts.onSnapshot?.(this.latest));
      return this.latest;
    }
    const results = await Promise.all(this.opts.sources.map((s) => this.runSource(s, now)));
    const sources: SourceStatus[] = [];
    const signals: Signal[] = [];
    for (const [i, src] of this.opts.sources.entries()) {
      const r = results[i]!;
      sources.push({ name: src.name, ok: r.ok, error: r.ok ? null : r.error, ms: round(r.ms) });
      if (r.ok) this.lastOutputs.set(src.name, r.output);
      else {
        this.sourceErrors.set(src.name, (this.sourceErrors.get(src.name) ?? 0) + 1);
        this.safe("onSourceError", () => this.opts.onSourceError?.(src.name, r.error));
      }
      // A failed source keeps last tick's signals: its failure must not look like recovery.
      signals.push(...(this.lastOutputs.get(src.name)?.signals ?? []));
      // Only a failing source has one; when it is absent again, decide() recovers it.
      if (!r.ok)
        signals.push(
          makeSignal("source_error", src.name, true, "warning", this.texts.sourceFailed(src.name, r.error), r.error),
        );
    }
    signals.push(...(this.opts.ownSignals?.() ?? []));
    this.decideAll(signals, now);
    this.latest = this.buildSnapshot(now, sources, signals, performance.now() - t0);
    this.safe("onSnapshot", () => this.opts.onSnapshot?.(this.latest));
    return this.latest;
  }

  private async runSource(
    src: Source,
    now: number,
  ): Promise<{ ok: true; output: SourceOutput; ms: number } | { ok: false; error: string; ms: number }> {
    const t0 = performance.now();
    const ac = new AbortController();
    let handle: unknown = null;
    const timeout = new Promise<never>((_, reject) => {
      handle = this.clock.setTimeout(() => {
        // reject first so the race reports the timeout, not the source's reaction to the abort
        reject(new SourceTimeout(`timeout after ${fmtSeconds(src.timeoutMs)}`));
        ac.abort();
      }, src.timeoutMs);
    });
    try {
      const output = await Promise.race([src.collect({ now, signal: ac.signal }), timeout]);
      const bad = malformedOutput(output);
      if (bad) throw new Error(`returned ${bad}`);
      return { ok: true, output, ms: performance.now() - t0 };
    } catch (e) {
      return { ok: false, error: errorText(e), ms: performance.now() - t0 };
    } finally {
      this.clock.clearTimeout(handle);
      timeout.catch(() => undefined);
    }
  }

  private decideAll(signals: Signal[], now: number): void {
    const seen = new Set<string>();
    for (const sig of signals) {
      seen.add(sig.key);
      this.decideOne(sig, sig.active, now);
    }
    // An entity that vanished (the pytest exited, the series went away) is inactive.
    for (const [key, entry] of this.states) {
      if (seen.has(key)) continue;
      if (entry.state.firing) {
        this.decideOne(
          makeSignal(entry.kind, entry.entity, false, "info", this.texts.gone(entry.kind, entry.entity)),
          false,
          now,
        );
      }
    }
    this.pruneRecovered(now);
  }

  private decideOne(sig: Signal, active: boolean, now: number): void {
    const prev = this.states.get(sig.key)?.state;
    if (!prev && !active) return; // nothing to remember about a quiet signal
    const { action, next } = decide(active, prev, now, this.opts.cooldownFor(sig.kind));
    this.states.set(sig.key, { state: next, kind: sig.kind, entity: sig.entity });
    if (action) {
      const ev: DecisionEvent = { seq: this.nextSeq(), at: now, action, signal: sig, state: next };
      this.safe("onDecision", () => this.opts.onDecision?.(ev));
    }
  }

  private pruneRecovered(now: number): void {
    const recovered = [...this.states].filter(([, e]) => !e.state.firing);
    recovered.sort((a, b) => (b[1].state.lastNotifiedAt ?? 0) - (a[1].state.lastNotifiedAt ?? 0));
    for (const [i, [key, e]] of recovered.entries()) {
      if (i >= RECOVERED_KEEP_MAX || now - (e.state.lastNotifiedAt ?? 0) > RECOVERED_KEEP_MS) this.states.delete(key);
    }
  }

  private alerts(): Alert[] {
    const out: Alert[] = [];
    for (const [key, { state, kind, entity }] of this.states) {
      const until = cooldownUntil(state, this.opts.cooldownFor(kind));
      out.push({
        key,
        kind,
        entity,
        firing: state.firing,
        since: iso(state.since),
        lastNotifiedAt: iso(state.lastNotifiedAt),
        cooldownUntil: iso(until),
        notifications: state.notifications,
      });
    }
    return out.sort((a, b) => Number(b.firing) - Number(a.firing) || a.key.localeCompare(b.key));
  }

  private buildSnapshot(now: number, sources: SourceStatus[], signals: Signal[], tickMs: number): Snapshot {
    const outs = [...this.lastOutputs.values()];
    const pick = <K extends keyof SourceOutput>(k: K) => outs.find((o) => o[k] !== undefined)?.[k];
    const processes = (pick("processes") ?? []).slice(0, MAX_PROCESSES);
    const allProcs = pick("processes")?.length ?? 0;
    return {
      type: "snapshot",
      seq: this.nextSeq(),
      at: new Date(now).toISOString(),
      tickMs: round(tickMs),
      enabled: true,
      sources,
      orch: pick("orch") ?? this.opts.orchIdle,
      processes,
      processesTruncated: (pick("processesTruncated") ?? 0) + Math.max(0, allProcs - processes.length),
      signals,
      alerts: this.alerts(),
      host: pick("host") ?? null,
      containers: pick("containers") ?? [],
      deps: pick("deps") ?? [],
    };
  }

  private emptySnapshot(tickMs: number): Snapshot {
    return {
      type: "snapshot",
      seq: this.nextSeq(),
      at: new Date(this.clock.now()).toISOString(),
      tickMs: round(tickMs),
      enabled: this.opts.enabled,
      sources: [],
      orch: this.opts.orchIdle,
      processes: [],
      processesTruncated: 0,
      signals: [],
      alerts: [],
      host: null,
      containers: [],
      deps: [],
    };
  }

  /** A listener that throws must not stop the tick. */
  private safe(listener: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log.error("listener_failed", { listener, error: errorText(e) });
    }
  }

  private get log(): Logger {
    return this.opts.log ?? silentLogger;
  }
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function fmtSeconds(ms: number): string {
  return `${Math.round(ms / 10) / 100} s`;
}
