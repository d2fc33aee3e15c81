// `WATCHDOG_METRIC_RULES`: `name=metric<op>value` rules, `;`-separated, e.g.
// `agent_hung=orch_agent_hung>0; queue_stuck=orch_queue_oldest_seconds>=3600`.
// An optional label selector narrows the series: `x=orch_jobs{state="stuck"}>0`.
import { BUILTIN_KINDS } from "./signals.js";

export type RuleOp = ">" | ">=" | "<" | "<=" | "==" | "!=";

export interface MetricRule {
  name: string;
  metric: string;
  labels: Record<string, string>;
  op: RuleOp;
  value: number;
  source: string;
}

const RULE_RE =
  /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*(\{[^}]*\})?\s*(>=|<=|==|!=|>|<)\s*(\S+)$/;
const LABEL_RE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*$/;

export function parseMetricRules(text: string): { ok: true; rules: MetricRule[] } | { ok: false; error: string } {
  const rules: MetricRule[] = [];
  for (const raw of text.split(";")) {
    const src = raw.trim();
    if (!src) continue;
    const m = RULE_RE.exec(src);
    if (!m) return { ok: false, error: `rule "${src}" is not name=metric<op>value (ops: > >= < <= == !=)` };
    const value = parseRuleValue(m[5]!);
    if (value === null) return { ok: false, error: `rule "${src}": "${m[5]}" is not a number` };
    const labels: Record<string, string> = {};
    if (m[3]) {
      const inner = m[3].slice(1, -1).trim();
      for (const part of inner ? inner.split(",") : []) {
        const lm = LABEL_RE.exec(part);
        if (!lm)
          return { ok: false, error: `rule "${src}": bad label matcher "${part.trim()}" (expected key="value")` };
        labels[lm[1]!] = lm[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
      }
    }
    if (rules.some((r) => r.name === m[1])) return { ok: false, error: `rule name "${m[1]}" is used twice` };
    // the name becomes the signal's kind: a built-in one would get that kind's alert texts and cooldown
    if ((BUILTIN_KINDS as readonly string[]).includes(m[1]!)) {
      return { ok: false, error: `rule name "${m[1]}" is a built-in signal kind; choose another name` };
    }
    rules.push({ name: m[1]!, metric: m[2]!, labels, op: m[4] as RuleOp, value, source: src });
  }
  if (rules.length === 0) return { ok: false, error: "no rules given" };
  return { ok: true, rules };
}

function parseRuleValue(s: string): number | null {
  if (/^[+-]?Inf$/i.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  return Number(s);
}

/**
 * Whether a series' labels satisfy a rule's `key="value"` matchers, with PromQL's meaning:
 * an absent label has the empty value, so `{state=""}` selects series without `state`
 * (and Prometheus stores `x{state=""}` as `x`).
 */
export function labelsMatch(labels: Readonly<Record<string, string>>, want: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(want)) if ((Object.hasOwn(labels, k) ? labels[k] : "") !== v) return false;
  return true;
}

export function compare(op: RuleOp, a: number, b: number): boolean {
  switch (op) {
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case "==":
      return a === b;
    case "!=":
      return a !== b;
  }
}
