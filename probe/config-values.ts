// How the text of one WATCHDOG_* variable becomes a value. Pure: each parser gets the raw
// text and a `refuse` that records why it is refused (config.ts adds the variable's name).
import { parseMetricRules, type MetricRule } from "./metric-rules.js";
import { compileLinear, type LinearRegex } from "./patterns.js";

export interface Dep {
  name: string;
  host: string;
  port: number;
}
export type ProcPattern =
  { kind: "substring"; text: string; source: string } | { kind: "regex"; re: LinearRegex; source: string };

/** Records why the text is refused; what it returns is never used. */
type Refuse = (why: string) => never;
export type ValueParser<T> = (text: string, refuse: Refuse) => T;

const BOOL_TRUE = new Set(["true", "1", "yes", "on"]);
const BOOL_FALSE = new Set(["false", "0", "no", "off"]);

export const bool: ValueParser<boolean> = (v, refuse) => {
  const s = v.trim().toLowerCase();
  if (BOOL_TRUE.has(s)) return true;
  if (BOOL_FALSE.has(s)) return false;
  return refuse(`expected true or false, got "${v}"`);
};

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
export function num(opts: { min?: number; max?: number; int?: boolean; gt?: number }): ValueParser<number> {
  return (v, refuse) => {
    const s = v.trim();
    if (!NUMBER_RE.test(s)) return refuse(`expected a number, got "${v}"`);
    const n = Number(s);
    if (opts.int && !Number.isInteger(n)) return refuse(`expected a whole number, got ${s}`);
    if (opts.gt !== undefined && !(n > opts.gt)) return refuse(`must be greater than ${opts.gt}, got ${s}`);
    if (opts.min !== undefined && n < opts.min) return refuse(`must be at least ${opts.min}, got ${s}`);
    if (opts.max !== undefined && n > opts.max) return refuse(`must be at most ${opts.max}, got ${s}`);
    return n;
  };
}

export const httpUrl: ValueParser<string> = (v, refuse) => {
  let u: URL;
  try {
    u = new URL(v.trim());
  } catch {
    return refuse(`not a valid URL: "${v}"`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    return refuse(`must be an http:// or https:// URL, got "${u.protocol}"`);
  }
  return u.toString();
};

function list(v: string): string[] {
  return v
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Splits `pytest,/py\.test|tox,x/i` on commas that are outside a /regex/. */
export function splitPatterns(v: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < v.length) {
    while (i < v.length && /[\s,]/.test(v.charAt(i))) i++;
    if (i >= v.length) break;
    let j = i;
    if (v[i] === "/") {
      j = i + 1;
      while (j < v.length && v[j] !== "/") j += v[j] === "\\" ? 2 : 1;
      j++;
      while (j < v.length && /[a-z]/i.test(v.charAt(j))) j++;
      // a regex token ends at a comma or the end; anything else makes it a substring
      if (j < v.length && v[j] !== ",") while (j < v.length && v[j] !== ",") j++;
    } else {
      while (j < v.length && v[j] !== ",") j++;
    }
    const tok = v.slice(i, j).trim();
    if (tok) out.push(tok);
    i = j + 1;
  }
  return out;
}

/**
 * One token of WATCHDOG_PROC_PATTERNS as a pattern; throws why a /regex/ is refused. The
 * scan worker rebuilds its patterns from their sources with this too: a compiled regex
 * holds closures, which cannot cross to a worker thread.
 */
export function compilePattern(t: string): ProcPattern {
  const m = /^\/(.*)\/([a-z]*)$/is.exec(t);
  if (!m) return { kind: "substring", text: t, source: t };
  const [, body = "", flags = ""] = m;
  // linear-time matching whatever the command line: see patterns.ts
  return { kind: "regex", re: compileLinear(body, flags), source: t };
}

export const patterns: ValueParser<ProcPattern[]> = (v, refuse) => {
  const toks = splitPatterns(v);
  if (toks.length === 0) return refuse("needs at least one pattern");
  const out: ProcPattern[] = [];
  for (const t of toks) {
    try {
      out.push(compilePattern(t));
    } catch (e) {
      return refuse(`invalid regex ${t}: ${(e as Error).message}`);
    }
  }
  return out;
};

const DEP_RE = /^([A-Za-z0-9_.-]+)=(\[[0-9a-fA-F:]+\]|[^:\s[\]]+):(\d{1,5})$/;
export const deps: ValueParser<Dep[]> = (v, refuse) => {
  const out: Dep[] = [];
  for (const item of list(v)) {
    const m = DEP_RE.exec(item);
    const [, name = "", host = "", portText = ""] = m ?? [];
    const port = Number(portText);
    if (!m || port < 1 || port > 65535) return refuse(`expected name=host:port, got "${item}"`);
    // the name is the signal's entity and the debounce's key: two targets cannot share it
    if (out.some((d) => d.name === name)) return refuse(`dependency name "${name}" is used twice`);
    out.push({ name, host: host.replace(/^\[|\]$/g, ""), port });
  }
  return out;
};

/** Unique names that are not built-in signal kinds: see metric-rules.ts. */
export const metricRules: ValueParser<MetricRule[]> = (v, refuse) => {
  const r = parseMetricRules(v);
  return r.ok ? r.rules : refuse(r.error);
};

export const nonEmptyList: ValueParser<string[]> = (v, refuse) => {
  const l = list(v);
  return l.length > 0 ? l : refuse("needs at least one entry");
};

export const chatId: ValueParser<string> = (v, refuse) => {
  const s = v.trim();
  if (!/^(-?\d+|@[A-Za-z0-9_]{5,})$/.test(s)) return refuse(`expected a numeric chat id or @channelname, got "${v}"`);
  return s;
};

export const botToken: ValueParser<string> = (v, refuse) => {
  const s = v.trim();
  // never echo the value: it is a secret
  return /^\d+:[A-Za-z0-9_-]+$/.test(s) ? s : refuse("expected a Bot API token of the form 123456:ABC-…");
};

export const secret: ValueParser<string> = (v, refuse) => {
  const s = v.trim();
  return s.length >= 16 && !/\s/.test(s) ? s : refuse("must be at least 16 characters with no spaces");
};

export const host: ValueParser<string> = (v, refuse) => {
  const s = v.trim();
  return /^[A-Za-z0-9_.:-]+$/.test(s) ? s : refuse(`not a host name or address: "${v}"`);
};

export const absPath: ValueParser<string> = (v, refuse) => {
  const s = v.trim();
  return s.startsWith("/") ? s : refuse(`expected an absolute path, got "${v}"`);
};

export const absPaths: ValueParser<string[]> = (v, refuse) => {
  const l = list(v);
  if (l.length === 0 || l.some((p) => !p.startsWith("/"))) return refuse(`expected absolute paths, got "${v}"`);
  return l;
};

export const lang: ValueParser<"en" | "ru"> = (v, refuse) => {
  const s = v.trim().toLowerCase();
  return s === "en" || s === "ru" ? s : refuse(`expected en or ru, got "${v}"`);
};
