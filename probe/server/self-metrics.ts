// The probe's own figures as Prometheus text exposition (format 0.0.4), for GET /metrics.
// Pure: the caller gathers the figures (loop, Telegram outbox, stream stats) into
// ProbeFigures; this only renders. Labels carry kinds, entities (a pid, a container,
// a metric rule's label string), sources and outcomes — never a command line or a secret.
import type { Action, Snapshot } from "../protocol.js";
import type { LoopDelayFigures } from "./event-loop-delay.js";

export interface ProbeFigures {
  /** the tick loop is alive (its last completed tick is younger than the bound /healthz uses) */
  up: boolean;
  /** the kill switch (WATCHDOG_ENABLED) */
  enabled: boolean;
  build: { version: string; node: string };
  /** process start, ms since the epoch */
  startedAtMs: number;
  ticksTotal: number;
  /** duration of the last tick, null before the first */
  lastTickMs: number | null;
  /** monotonic age of the last completed tick, null before the first */
  lastTickAgeMs?: number | null;
  /** the age past which /healthz answers 503 */
  tickAgeBoundMs?: number;
  /** event-loop delay (see event-loop-delay.ts), null before the first sample */
  eventLoopDelay?: LoopDelayFigures | null;
  /** every known signal or alert: 1 while active (see signalStates) */
  signals: Array<{ kind: string; entity: string; active: boolean }>;
  decisions: Partial<Record<Action, number>>;
  /** last tick's duration per source (null when it has not run) and errors since start */
  sources: Array<{ name: string; lastMs: number | null; errorsTotal: number }>;
  /** null when Telegram is not configured */
  telegram: {
    deliveries: Record<string, number>;
    outboxDepth: number;
    droppedTotal: number;
    /** attempts that failed without a verdict on the message, by reason (config, not_bot_api…) */
    failedAttempts?: Record<string, number>;
  } | null;
  /** null when Alertmanager is not configured */
  /** typed, not a free map: an outcome under another name would not be the one the help text lists */
  alertmanager?: { posts: Record<"sent" | "failed" | "dropped", number> } | null;
  stream: {
    clients: number;
    rejectedUnauthorized: number;
    rejectedFull: number;
    closedPolicy: number;
    closedBacklog: number;
    closedNoPong: number;
  } | null;
  /** resident set size in bytes, if the caller measured it */
  rssBytes?: number;
}

const ACTIONS: Action[] = ["alert", "repeat", "recovery"];
/** Delivery outcomes every channel reports, listed at 0 before the first message. */
const OUTCOMES = ["sent", "failed"];
/** Alertmanager's posts also count those its queue gave up (full, or unsent at shutdown); Telegram has a family for that. */
const AM_OUTCOMES = [...OUTCOMES, "dropped"];
/** Why a Telegram attempt failed without a verdict; each listed at 0 from the start. */
const ATTEMPT_REASONS = ["config", "not_bot_api", "rate_limited", "server_error", "network"] as const;

/** One state per signal key: the snapshot's signals, plus alerts whose signal is no longer listed. */
export function signalStates(s: Snapshot): Array<{ kind: string; entity: string; active: boolean }> {
  const out = new Map<string, { kind: string; entity: string; active: boolean }>();
  for (const sig of s.signals) {
    const prev = out.get(sig.key);
    out.set(sig.key, { kind: sig.kind, entity: sig.entity, active: sig.active || (prev?.active ?? false) });
  }
  for (const a of s.alerts) {
    if (!out.has(a.key)) out.set(a.key, { kind: a.kind, entity: a.entity, active: a.firing });
  }
  return [...out.values()];
}

/** `\`, `"` and newlines escaped as the exposition format requires. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export function formatValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

type Labels = Record<string, string>;
type Sample = [Labels, number];
type FamilyType = "gauge" | "counter" | "summary";

class Exposition {
  private readonly lines: string[] = [];
  family(
    name: string,
    type: FamilyType,
    help: string,
    samples: Sample[],
    suffixed: Array<[string, number]> = [],
  ): void {
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const keys = Object.keys(labels);
      const l = keys.length ? `{${keys.map((k) => `${k}="${escapeLabelValue(labels[k]!)}"`).join(",")}}` : "";
      this.lines.push(`${name}${l} ${formatValue(value)}`);
    }
    // a summary's _sum and _count
    for (const [suffix, value] of suffixed) this.lines.push(`${name}${suffix} ${formatValue(value)}`);
  }
  text(): string {
    return this.lines.join("\n") + "\n";
  }
}

const b = (x: boolean) => (x ? 1 : 0);
const byName =
  <T>(key: (t: T) => string) =>
  (x: T, y: T) =>
    key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0;

/** Counters by outcome: the known outcomes always present (at 0), any others after them. */
function outcomes(counts: Record<string, number>, known: string[], label: string): Sample[] {
  const names = [
    ...known,
    ...Object.keys(counts)
      .filter((k) => !known.includes(k))
      .sort(),
  ];
  return names.map((n) => [{ [label]: n }, counts[n] ?? 0]);
}

export function renderSelfMetrics(f: ProbeFigures): string {
  const e = new Exposition();
  e.family("watchdog_up", "gauge", "1 while the probe's tick loop is alive.", [[{}, b(f.up)]]);
  e.family("watchdog_enabled", "gauge", "1 unless the kill switch WATCHDOG_ENABLED is off.", [[{}, b(f.enabled)]]);
  e.family("watchdog_build_info", "gauge", "Probe version and Node.js runtime.", [
    [{ version: f.build.version, node: f.build.node }, 1],
  ]);
  e.family("watchdog_start_time_seconds", "gauge", "Probe start time, seconds since the Unix epoch.", [
    [{}, f.startedAtMs / 1000],
  ]);
  e.family("watchdog_ticks_total", "counter", "Ticks run since start.", [[{}, f.ticksTotal]]);
  e.family(
    "watchdog_tick_duration_seconds",
    "gauge",
    "Duration of the last tick.",
    f.lastTickMs === null ? [] : [[{}, f.lastTickMs / 1000]],
  );
  if (f.lastTickAgeMs !== undefined)
    e.family(
      "watchdog_last_tick_age_seconds",
      "gauge",
      "Time since the last tick completed (monotonic clock).",
      f.lastTickAgeMs === null ? [] : [[{}, f.lastTickAgeMs / 1000]],
    );
  if (f.tickAgeBoundMs !== undefined)
    e.family(
      "watchdog_last_tick_age_bound_seconds",
      "gauge",
      "Age of the last completed tick past which /healthz answers 503: 2 x tick + longest source timeout + 10 s.",
      [[{}, f.tickAgeBoundMs / 1000]],
    );
  if (f.eventLoopDelay !== undefined) {
    const d = f.eventLoopDelay;
    e.family(
      "watchdog_event_loop_delay_seconds",
      "summary",
      "Event-loop delay: quantiles over the last minute or so, sum and count since start.",
      d
        ? [
            [{ quantile: "0.5" }, d.p50S],
            [{ quantile: "0.99" }, d.p99S],
          ]
        : [],
      d
        ? [
            ["_sum", d.sumS],
            ["_count", d.count],
          ]
        : [],
    );
    e.family(
      "watchdog_event_loop_delay_max_seconds",
      "gauge",
      "Longest event-loop delay over the last minute or so.",
      d ? [[{}, d.maxS]] : [],
    );
  }

  const signals = [...f.signals].sort(byName((s) => `${s.kind}\u0000${s.entity}`));
  e.family(
    "watchdog_signal_active",
    "gauge",
    "1 while a signal is active, 0 for a known signal or alert that is not.",
    signals.map((s) => [{ kind: s.kind, entity: s.entity }, b(s.active)]),
  );
  e.family(
    "watchdog_decisions_total",
    "counter",
    "Decisions taken since start, by action.",
    ACTIONS.map((a) => [{ action: a }, f.decisions[a] ?? 0]),
  );

  const sources = [...f.sources].sort(byName((s) => s.name));
  e.family(
    "watchdog_source_duration_seconds",
    "gauge",
    "How long each source took in the last tick.",
    sources.filter((s) => s.lastMs !== null).map((s) => [{ source: s.name }, s.lastMs! / 1000]),
  );
  e.family(
    "watchdog_source_errors_total",
    "counter",
    "Failed collections (threw, timed out, returned garbage) per source.",
    sources.map((s) => [{ source: s.name }, s.errorsTotal]),
  );

  if (f.telegram) {
    e.family(
      "watchdog_telegram_deliveries_total",
      "counter",
      "Telegram messages by delivery outcome: sent, failed.",
      outcomes(f.telegram.deliveries, OUTCOMES, "outcome"),
    );
    e.family("watchdog_telegram_outbox_depth", "gauge", "Telegram messages waiting to be sent.", [
      [{}, f.telegram.outboxDepth],
    ]);
    e.family(
      "watchdog_telegram_dropped_total",
      "counter",
      "Telegram reminders dropped because the outbox overflowed.",
      [[{}, f.telegram.droppedTotal]],
    );
    if (f.telegram.failedAttempts)
      e.family(
        "watchdog_telegram_failed_attempts_total",
        "counter",
        "Telegram send attempts that failed and will be retried, by reason: config (the Bot API refuses the token or chat; messages wait), not_bot_api (a proxy or gateway answered), rate_limited, server_error, network.",
        outcomes(f.telegram.failedAttempts, [...ATTEMPT_REASONS], "reason"),
      );
  }
  if (f.alertmanager) {
    e.family(
      "watchdog_alertmanager_posts_total",
      "counter",
      "Posts to Alertmanager by outcome: sent, failed (after its retries), dropped (queue full or unsent at shutdown).",
      outcomes(f.alertmanager.posts, AM_OUTCOMES, "outcome"),
    );
  }
  if (f.stream) {
    const s = f.stream;
    e.family("watchdog_stream_clients", "gauge", "Clients connected to the stream.", [[{}, s.clients]]);
    e.family("watchdog_stream_rejected_total", "counter", "Stream upgrades refused, by reason.", [
      [{ reason: "unauthorized" }, s.rejectedUnauthorized],
      [{ reason: "full" }, s.rejectedFull],
    ]);
    e.family("watchdog_stream_dropped_total", "counter", "Stream clients dropped by the probe, by reason.", [
      [{ reason: "policy" }, s.closedPolicy],
      [{ reason: "backlog" }, s.closedBacklog],
      [{ reason: "no_pong" }, s.closedNoPong],
    ]);
  }
  if (f.rssBytes !== undefined) {
    e.family("watchdog_resident_memory_bytes", "gauge", "Resident set size of the probe process.", [[{}, f.rssBytes]]);
  }
  return e.text();
}
