// The metrics source: one GET of the orchestrator's /metrics per tick serves both the
// heartbeat (`orch_down`, debounced) and the metric rules (one signal per matching series).
// Never raises: a failed fetch is an answer ("the orchestrator did not answer"), not an error.
import http from "node:http";
import https from "node:https";
import type { Config } from "../config.js";
import { DEBOUNCE_INITIAL, debounce, type DebounceState } from "../debounce.js";
import { compare, labelsMatch, type MetricRule } from "../metric-rules.js";
import { parsePrometheusText, type PromSample } from "../prom-parse.js";
import type { OrchState, Signal } from "../protocol.js";
import { makeSignal } from "../signals.js";
import type { Source, SourceOutput } from "../source.js";

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** A rule matching more series than this is a misconfigured rule, not that many alerts. */
export const MAX_RULE_SIGNALS = 1000;
const MAX_REASON_CHARS = 200;

export interface MetricsSourceOptions {
  /** overrides `cfg.timeoutS` for the whole request (connect, headers and body) */
  fetchTimeoutMs?: number;
  maxBodyBytes?: number;
}

export type FetchResult = { ok: true; status: number; body: string } | { ok: false; reason: string };

export function createMetricsSource(cfg: Config["metrics"], opts: MetricsSourceOptions = {}): Source {
  const fetchTimeoutMs = opts.fetchTimeoutMs ?? cfg.timeoutS * 1000;
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const threshold = cfg.downTicks;
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
        const rules = matchRules(cfg.rules, parsed.samples);
        ruleSignals = rules.signals;
        skipped = { malformed_lines: parsed.malformed };
        if (parsed.dropped) skipped["samples_over_cap"] = parsed.dropped;
        if (rules.overCap) skipped["rule_matches_over_cap"] = rules.overCap;
      } else {
        lastError = res.reason;
      }
      health = debounce(health, res.ok, threshold);
      const out: SourceOutput = {
        signals: [orchDownSignal(health, threshold, lastError, url), ...ruleSignals],
        orch: orch(),
      };
      if (skipped) out.skipped = skipped;
      return out;
    },
  };
}

function orchDownSignal(h: DebounceState, threshold: number, lastError: string | null, url: string): Signal {
  const where = displayUrl(url);
  if (!h.down) return makeSignal("orch_down", "orchestrator", false, "critical", "orchestrator is up", where);
  return makeSignal(
    "orch_down",
    "orchestrator",
    true,
    "critical",
    `orchestrator down: ${lastError ?? "no answer"} (${h.failures} failed checks in a row, threshold ${threshold})`,
    `GET ${where} has not answered 2xx for ${h.failures} consecutive ticks`,
  );
}

/** Each rule × each matching series → one active signal, kind = the rule's name. */
export function matchRules(
  rules: readonly MetricRule[],
  samples: readonly PromSample[],
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
        `rule ${rule.source}`,
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

/**
 * One GET with a hard deadline over connect, headers AND body (a body that drips
 * forever is a timeout), a body size cap, and the caller's abort signal. Never rejects.
 */
export function fetchMetrics(
  url: string,
  o: { timeoutMs: number; maxBodyBytes: number; signal?: AbortSignal },
): Promise<FetchResult> {
  return new Promise<FetchResult>((resolve) => {
    let done = false;
    let req: http.ClientRequest | null = null;
    let timer: NodeJS.Timeout | null = null;
    const onAbort = () => finish({ ok: false, reason: "aborted" });
    function finish(r: FetchResult): void {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
      req?.destroy();
      resolve(r);
    }
    if (o.signal?.aborted) return finish({ ok: false, reason: "aborted" });
    o.signal?.addEventListener("abort", onAbort, { once: true });
    timer = setTimeout(() => finish({ ok: false, reason: `timeout after ${seconds(o.timeoutMs)}` }), o.timeoutMs);

    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return finish({ ok: false, reason: "invalid URL" });
    }
    const mod = u.protocol === "https:" ? https : u.protocol === "http:" ? http : null;
    if (!mod) return finish({ ok: false, reason: `unsupported protocol ${u.protocol}` });
    try {
      req = mod.get(u, {
        // a fresh connection per tick: no pooled socket can go stale between ticks
        agent: false,
        headers: { accept: "text/plain;version=0.0.4;q=1,*/*;q=0.1", "user-agent": "orchestrator-watchdog" },
      });
    } catch (e) {
      return finish({ ok: false, reason: reasonOf(e) });
    }
    req.on("error", (e) => finish({ ok: false, reason: reasonOf(e) }));
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) return finish({ ok: false, reason: `HTTP ${status}` });
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        if (done) return;
        size += c.length;
        if (size > o.maxBodyBytes) return finish({ ok: false, reason: `body over ${bytes(o.maxBodyBytes)}` });
        chunks.push(c);
      });
      res.on("end", () => finish({ ok: true, status, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", (e) => finish({ ok: false, reason: reasonOf(e) }));
      // closed before the end of the body (a no-op once finished)
      res.on("close", () => finish({ ok: false, reason: "connection closed mid-body" }));
    });
  });
}

/** `ECONNREFUSED`, `CERT_HAS_EXPIRED`… rather than a long message with addresses in it. */
function reasonOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code === "string" && code) return code;
  const msg = e instanceof Error ? e.message || e.name : String(e);
  return msg.length > MAX_REASON_CHARS ? `${msg.slice(0, MAX_REASON_CHARS)}…` : msg;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toFixed(2))} s`;
}

function bytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
