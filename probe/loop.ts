// The tick: ask every source (each isolated, each with its own timeout), run every
// signal through decide(), and publish one snapshot. Never raises; ticks never overlap.
import { realClock, WallAnchor, type Clock } from "./clock.js";
import { cooldownUntil, decide, type AlertState } from "./decide.js";
import type { Action, Alert, OrchState, Signal, Snapshot, SourceStatus } from "./protocol.js";
import { MAX_PROCESSES } from "./protocol.js";
import { makeSignal } from "./signals.js";
import { SIGNAL_EN, type SignalTexts } from "./signal-texts.js";
import { errorText } from "./errors.js";
import { silentLogger, type Logger } from "./log.js";
import { malformedOutput } from "./source-check.js";
import type { Source, SourceOutput } from "./source.js";

export type { Clock } from "./clock.js";

export interface DecisionEvent {
  seq: number;
  /** wall label of the decision, ms since the epoch */
  at: number;
  action: Action;
  signal: Signal;
  /** the alert state with its instants as wall labels: `at − since` is the monotonic time active */
  state: AlertState;
}

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
  /** monotonic ms for liveness ages (health()); performance.now() unless a test drives it */
  monoNow?(): number;
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

class SourceTimeout extends Error {}

/**
 * Margin on top of 2 × tick + the longest source timeout before a quiet loop counts as
 * stuck: timers firing late under load, GC pauses, the synchronous work of a tick.
 */
export const HEALTH_SLACK_MS = 10_000;

/** The liveness verdict behind /healthz; `reason` is one line. */
export interface LoopHealth {
  ok: boolean;
  reason: string;
  /** ms since the last completed tick (monotonic), null before the first */
  lastTickAgeMs: number | null;
  boundMs: number;
}

export class TickLoop {
  private readonly clock: Clock;
  /** labels monotonic instants (which decide) with wall times (which people read) */
  private readonly wall = new WallAnchor();
  private readonly texts: SignalTexts;
  /** `last`: the signal as it last fired, so its recovery is told (and labelled) the way its alert was */
  private readonly states = new Map<string, { state: AlertState; kind: string; entity: string; last: Signal }>();
  private readonly lastOutputs = new Map<string, SourceOutput>();
  private seq = 0;
  private latest: Snapshot;
  private timer: unknown = null;
  private running: Promise<Snapshot> | null = null;
  private stopped = true;
  /** bumped by every start(): a run of an older start, resuming after its tick, ends there */
  private chain = 0;
  ticks = 0;
  /** monotonic times for health(): the last start(), the last completed tick, the tick in progress */
  private startedMono: number | null = null;
  private lastDone: { tick: number; at: number } | null = null;
  private current: { tick: number; at: number; pending: string[] } | null = null;
  readonly sourceErrors = new Map<string, number>();

  constructor(private readonly opts: LoopOptions) {
    this.clock = opts.clock ?? realClock;
    this.texts = opts.texts ?? SIGNAL_EN;
    this.wall.observe(this.clock);
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
    this.startedMono = this.mono();
    const chain = ++this.chain;
    const run = async () => {
      const started = this.clock.monoMs();
      // tick() is built not to raise; should it ever, the next tick must still be scheduled
      await this.tick().catch((e: unknown) => this.log.error("tick_failed", { error: errorText(e) }));
      if (this.stopped || chain !== this.chain) return;
      const wait = Math.max(0, this.opts.tickS * 1000 - (this.clock.monoMs() - started));
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
      this.current = null;
    });
    return this.running;
  }

  private async runTick(): Promise<Snapshot> {
    const t0 = performance.now();
    // `now` is monotonic: it decides. Sources and snapshots get its wall label.
    const now = this.wall.observe(this.clock);
    const tick = ++this.ticks;
    const pending = this.opts.enabled ? this.opts.sources.map((s) => s.name) : [];
    this.current = { tick, at: this.mono(), pending };
    if (!this.opts.enabled) {
      this.latest = this.emptySnapshot(performance.now() - t0);
      this.safe("onSnapshot", () => this.opts.onSnapshot?.(this.latest));
      this.lastDone = { tick, at: this.mono() };
      return this.latest;
    }
    const results = await Promise.all(this.opts.sources.map((s) => this.runSource(s, this.wall.wallOf(now))));
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
    this.lastDone = { tick, at: this.mono() };
    return this.latest;
  }

  private async runSource(
    src: Source,
    wallNow: number,
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
      const output = await Promise.race([src.collect({ now: wallNow, signal: ac.signal }), timeout]);
      const bad = malformedOutput(output);
      if (bad) throw new Error(`returned ${bad}`);
      return { ok: true, output, ms: performance.now() - t0 };
    } catch (e) {
      return { ok: false, error: errorText(e), ms: performance.now() - t0 };
    } finally {
      this.clock.clearTimeout(handle);
      timeout.catch(() => undefined);
      const pending = this.current?.pending;
      const i = pending?.indexOf(src.name) ?? -1;
      if (i >= 0) pending!.splice(i, 1);
    }
  }

  /**
   * How long a healthy loop can go without completing a tick: a tick that waits the longest
   * source timeout ends at most tick + timeout after the one before; one more tick and
   * HEALTH_SLACK_MS cover late timers. With the kill switch off no source runs.
   */
  get healthBoundMs(): number {
    const timeouts = this.opts.enabled ? this.opts.sources.map((s) => s.timeoutMs) : [];
    return 2 * this.opts.tickS * 1000 + Math.max(0, ...timeouts) + HEALTH_SLACK_MS;
  }

  /** Alive while the last completed tick (or the start, before one) is younger than healthBoundMs. */
  health(nowMono: number = this.mono()): LoopHealth {
    const boundMs = this.healthBoundMs;
    const lastTickAgeMs = this.lastDone && nowMono - this.lastDone.at;
    if (this.stopped || this.startedMono === null)
      return {
        ok: false,
        reason: `tick loop ${this.startedMono === null ? "not started" : "stopped"}`,
        lastTickAgeMs,
        boundMs,
      };
    // a restart after a long stop is measured from the restart
    const since = Math.max(this.startedMono, this.lastDone?.at ?? -Infinity);
    const last = this.lastDone
      ? `last completed tick ${this.lastDone.tick} ended ${fmtSeconds(nowMono - this.lastDone.at)} ago`
      : `no tick completed since the start ${fmtSeconds(nowMono - this.startedMono)} ago`;
    const cur = this.current;
    const running = cur
      ? `tick ${cur.tick} started ${fmtSeconds(nowMono - cur.at)} ago, ` +
        (cur.pending.length ? `waiting on ${cur.pending.join(", ")}` : "all sources answered")
      : "no tick running";
    const ok = nowMono - since <= boundMs;
    const reason = ok ? `${last}; ${running}` : `${running}; ${last} (bound ${fmtSeconds(boundMs)})`;
    return { ok, reason, lastTickAgeMs, boundMs };
  }

  private mono(): number {
    // the health verdict's clock: the loop's own monotonic clock unless a test gives one
    return this.opts.monoNow ? this.opts.monoNow() : this.clock.monoMs();
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
      if (entry.state.firing) this.decideOne({ ...entry.last, active: false }, false, now);
    }
    this.pruneRecovered(now);
  }

  private decideOne(sig: Signal, active: boolean, now: number): void {
    const entry = this.states.get(sig.key);
    if (!entry && !active) return; // nothing to remember about a quiet signal
    const { action, next } = decide(active, entry?.state, now, this.opts.cooldownFor(sig.kind));
    const last = active ? sig : (entry?.last ?? sig);
    this.states.set(sig.key, { state: next, kind: sig.kind, entity: sig.entity, last });
    if (action) {
      // Alertmanager resolves only an alert with the very labels it fired with; people
      // read the recovery of what they were alerted about, not the all-clear's own words.
      const told = action === "recovery" ? { ...last, active: false } : sig;
      const ev: DecisionEvent = {
        seq: this.nextSeq(),
        at: this.wall.wallOf(now),
        action,
        signal: told,
        state: this.labelled(next),
      };
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

  /** An alert state whose instants are wall labels instead of monotonic ones. */
  private labelled(s: AlertState): AlertState {
    const wallOf = (mono: number | null) => (mono === null ? null : this.wall.wallOf(mono));
    return { ...s, since: wallOf(s.since), lastNotifiedAt: wallOf(s.lastNotifiedAt) };
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
        since: this.iso(state.since),
        lastNotifiedAt: this.iso(state.lastNotifiedAt),
        cooldownUntil: this.iso(until),
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
      at: new Date(this.wall.wallOf(now)).toISOString(),
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
      at: new Date(this.wall.wallOf(this.clock.monoMs())).toISOString(),
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

  /** The wall label of a monotonic instant, as the protocol writes it. */
  private iso(mono: number | null): string | null {
    return mono === null ? null : new Date(this.wall.wallOf(mono)).toISOString();
  }

  private get log(): Logger {
    return this.opts.log ?? silentLogger;
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function fmtSeconds(ms: number): string {
  return `${Math.round(ms / 10) / 100} s`;
}
