// The metrics source: one GET of the orchestrator's /metrics per tick serves both the
// heartbeat (`orch_down`, debounced) and the metric rules (one signal per matching series).
// Never raises: a failed fetch is an answer ("the orchestrator did not answer"), not an error.
import type { Config } from "../config.js";
import { DEBOUNCE_INITIAL, debounce, type DebounceState } from "../debounce.js";
import { HttpRequestError, bytes, httpRequest, seconds } from "../http-request.js";
import { compare, labelsMatch, type MetricRule } from "../metric-rules.js";
import { parsePrometheusText, type PromSample } from "../prom-parse.js";
import type { OrchState, Signal } from "../protocol.js";
import { makeSignal } from "../signals.js";
import type { Source, SourceOutput } from "../source.js";
import { SIGNAL_EN, type SignalTexts } from "../signal-texts.js";

const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** A rule matching more series than this is a misconfigured rule, not that many alerts. */
const MAX_RULE_SIGNALS = 1000;
const MAX_REASON_CHARS = 200;

export interface MetricsSourceOptions {
  /** overrides `cfg.timeoutS` for the whole request (connect, headers and body) */
  fetchTimeoutMs?: number;
  maxBodyBytes?: number;
  texts?: SignalTexts;
}

/** `body` is the raw bytes: Prometheus refuses invalid UTF-8, which a decoded string would hide. */
export type FetchResult = { ok: true; status: number; body: Buffer } | { ok: false; reason: string };

export function createMetricsSource(cfg: Config["metrics"], opts: MetricsSourceOptions = {}): Source {
  const fetchTimeoutMs = opts.fetchTimeoutMs ?? cfg.timeoutS * 1000;
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const threshold = cfg.downTicks;
  const tx = opts.texts ?? SIGNAL_EN;
  let health: DebounceState = DEBOUNCE_INITIAL;
  let lastOkAt: number | null = null;
  let lastError: string | null = null;
  let ticked = false;
  // Rule signals of the last answered fetch: a failed fetch says nothing about them.
  let ruleSignals: Signal[] = [];

  const orch = (): OrchState => ({
    configured: cfg.url !== null,
    up: cfg.url === null || !ticked ? null : !health.down,
    failures: health.failures,
    threshold,
    lastOkAt: lastOkAt === null ? null : new Date(lastOkAt).toISOString(),
    lastError,
  });

  return {
    name: "metrics",
    // Outlives the fetch's own timeout, so a slow orchestrator counts as a failed
    // check (and feeds the debounce) rather than as a failed source.
    timeoutMs: fetchTimeoutMs + Math.max(2000, fetchTimeoutMs / 2),
    async collect(ctx): Promise<SourceOutput> {
      if (cfg.url === null) return { signals: [], orch: orch() };
      const url = cfg.url;
      const res = await fetchMetrics(url, { timeoutMs: fetchTimeoutMs, maxBodyBytes, signal: ctx.signal });
      ticked = true;
      let skipped: Record<string, number> | undefined;
      if (res.ok) {
        lastOkAt = ctx.now;
        lastError = null;
        const parsed = parsePrometheusText(res.body);
        const rules = matchRules(cfg.rules, parsed.samples, tx);
        ruleSignals = rules.signals;
        skipped = { malformed_lines: parsed.malformed };
        if (parsed.dropped) skipped["samples_over_cap"] = parsed.dropped;
        if (rules.overCap) skipped["rule_matches_over_cap"] = rules.overCap;
      } else {
        lastError = res.reason;
      }
      health = debounce(health, res.ok, threshold);
      const out: SourceOutput = {
        signals: [orchDownSignal(health, threshold, lastError, url, tx), ...ruleSignals],
        orch: orch(),
      };
      if (skipped) out.skipped = skipped;
      return out;
    },
  };
}

export function orchDownSignal(
  h: DebounceState,
  threshold: number,
  lastError: string | null,
  url: string,
  tx: SignalTexts = SIGNAL_EN,
): Signal {
  const where = displayUrl(url);
  if (!h.down) return makeSignal("orch_down", "orchestrator", false, "critical", tx.orchUp, where);
  return makeSignal(
    "orch_down",
    "orchestrator",
    true,
    "critical",
    tx.orchDownTitle(lastError, h.failures, threshold),
    tx.orchDownDetail(where, h.failures),
  );
}

/** Each rule × each matching series → one active signal, kind = the rule's name. */
export function matchRules(
  rules: readonly MetricRule[],
  samples: readonly PromSample[],
  tx: SignalTexts = SIGNAL_EN,
): { signals: Signal[]; overCap: number } {
  const signals: Signal[] = [];
  const seen = new Set<string>();
  let overCap = 0;
  for (const rule of rules) {
    for (const s of samples) {
      if (s.name !== rule.metric || !labelsMatch(s.labels, rule.labels) || !compare(rule.op, s.value, rule.value))
        continue;
      const entity = renderLabels(s.labels);
      const sig = makeSignal(
        rule.name,
        entity,
        true,
        "warning",
        `${rule.name}: ${s.name}${entity === "-" ? "" : `{${entity}}`} = ${formatValue(s.value)}`,
        tx.ruleDetail(rule.source),
      );
      if (seen.has(sig.key)) continue; // the same series exposed twice
      if (signals.length >= MAX_RULE_SIGNALS) {
        overCap++;
        continue;
      }
      seen.add(sig.key);
      signals.push(sig);
    }
  }
  return { signals, overCap };
}

/** Stable series identity: `job="x",queue="y"` sorted by key, values escaped as in the format; `-` when none. */
export function renderLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return "-";
  return keys
    .map((k) => `${k}="${labels[k]!.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`)
    .join(",");
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/** The URL without credentials or query string: what may be shown and sent in alerts. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

/** One GET of /metrics (see http-request.ts: one deadline, a size cap, the abort signal). Never rejects. */
export async function fetchMetrics(
  url: string,
  o: { timeoutMs: number; maxBodyBytes: number; signal?: AbortSignal },
): Promise<FetchResult> {
  try {
    const ans = await httpRequest({
      method: "GET",
      url,
      headers: { accept: "text/plain;version=0.0.4;q=1,*/*;q=0.1", "user-agent": "orchestrator-watchdog" },
      // no agent: a fresh connection per tick, so no pooled socket can go stale between ticks
      timeoutMs: o.timeoutMs,
      maxBodyBytes: o.maxBodyBytes,
      readBody: is2xx,
      signal: o.signal,
    });
    if (!is2xx(ans.status)) return { ok: false, reason: `HTTP ${ans.status}` };
    return { ok: true, status: ans.status, body: ans.bytes };
  } catch (e) {
    return { ok: false, reason: reasonOf(e, o) };
  }
}

function is2xx(status: number): boolean {
  return status >= 200 && status <= 299;
}

/**
 * The short reason an orchestrator check failed, as snapshots and alerts show it:
 * `ECONNREFUSED`, `timeout after 5 s`… rather than a long message with addresses in it.
 */
function reasonOf(e: unknown, o: { timeoutMs: number; maxBodyBytes: number }): string {
  if (e instanceof HttpRequestError) {
    if (e.failure === "timeout") return `timeout after ${seconds(o.timeoutMs)}`;
    if (e.failure === "too-large") return `body over ${bytes(o.maxBodyBytes)}`;
    if (e.failure === "network" && e.code) return e.code;
    return shorten(e.detail);
  }
  return shorten(e instanceof Error ? e.message || e.name : String(e));
}

function shorten(msg: string): string {
  return msg.length > MAX_REASON_CHARS ? `${msg.slice(0, MAX_REASON_CHARS)}…` : msg;
}
