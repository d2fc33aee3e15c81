// Parser of the Prometheus text exposition format 0.0.4, following the rules of
// the reference parser (prometheus/common expfmt): `# HELP` / `# TYPE` / other
// comments, labels with `\\` `\"` `\n` escapes and an optional trailing comma,
// Go float syntax for values (NaN, ±Inf, hex floats), optional int64 ms timestamps,
// `le` / `quantile` labels of histograms and summaries that must be floats.
// Pure and total: a malformed line is counted and skipped, never thrown; the output
// is capped so a hostile body cannot grow memory without bound.

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
}

export interface PromParseResult {
  samples: PromSample[];
  /** metric family name → counter | gauge | histogram | summary | untyped */
  types: Record<string, string>;
  malformed: number;
  /** the first few malformed lines (shortened), with why, for a log line */
  malformedExamples: string[];
  /** sample lines not parsed because `maxSamples` was reached */
  dropped: number;
}

export interface PromParseOptions {
  maxSamples?: number;
  maxTypes?: number;
  maxExamples?: number;
}

export const DEFAULT_MAX_SAMPLES = 100_000;
const DEFAULT_MAX_TYPES = 10_000;
const DEFAULT_MAX_EXAMPLES = 5;
const EXAMPLE_CHARS = 160;
const MAX_LABELS = 128;
const INT64_MAX = 9_223_372_036_854_775_807n;

const METRIC_NAME_RE = /^[A-Za-z_:][A-Za-z0-9_:]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export function parsePrometheusText(text: string, opts: PromParseOptions = {}): PromParseResult {
  const maxSamples = opts.maxSamples ?? DEFAULT_MAX_SAMPLES;
  const maxTypes = opts.maxTypes ?? DEFAULT_MAX_TYPES;
  const maxExamples = opts.maxExamples ?? DEFAULT_MAX_EXAMPLES;
  const samples: PromSample[] = [];
  // Maps, not objects: a metric named `__proto__` is valid and must stay data.
  const types = new Map<string, string>();
  const helped = new Set<string>();
  const examples: string[] = [];
  let malformed = 0;
  let dropped = 0;

  const bad = (line: string, why: string) => {
    malformed++;
    if (examples.length < maxExamples) {
      const shown = line.length > EXAMPLE_CHARS ? `${line.slice(0, EXAMPLE_CHARS)}…` : line;
      examples.push(`${why}: ${JSON.stringify(shown)}`);
    }
  };

  let pos = 0;
  const len = text.length;
  while (pos <= len) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = len;
    const lineStart = pos;
    pos = end + 1;
    if (end > lineStart && text.charCodeAt(end - 1) === 13) end--; // CRLF
    let b = lineStart;
    while (b < end && isBlankCode(text.charCodeAt(b))) b++;
    if (b === end) continue; // blank line
    const line = () => text.slice(lineStart, end);

    if (text.charCodeAt(b) === 35 /* # */) {
      // Only HELP and TYPE carry meaning; spot them without allocating for other comments.
      let k = b + 1;
      while (k < end && isBlankCode(text.charCodeAt(k))) k++;
      if (!text.startsWith("HELP", k) && !text.startsWith("TYPE", k)) continue;
      const r = parseComment(text.slice(b, end));
      if (r.kind === "bad") bad(line(), r.why);
      else if (r.kind === "help") {
        if (helped.has(r.name)) bad(line(), "second HELP line for this metric");
        else if (helped.size < maxTypes) helped.add(r.name);
      } else if (r.kind === "type") {
        if (types.has(r.name)) bad(line(), "second TYPE line for this metric");
        else if (types.size < maxTypes) types.set(r.name, r.type);
      }
      continue;
    }

    if (samples.length >= maxSamples) {
      dropped++;
      continue;
    }
    const r = parseSample(text.slice(b, end));
    if (typeof r === "string") {
      bad(line(), r);
      continue;
    }
    const why = checkSpecialLabel(r, types);
    if (why) {
      bad(line(), why);
      continue;
    }
    samples.push(r);
  }
  return { samples, types: Object.fromEntries(types), malformed, malformedExamples: examples, dropped };
}

type Comment =
  | { kind: "comment" }
  | { kind: "help"; name: string }
  | { kind: "type"; name: string; type: string }
  | { kind: "bad"; why: string };

/** `# HELP name text`, `# TYPE name type`; any other `#` line is a plain comment. */
function parseComment(body: string): Comment {
  const toks = body.slice(1).replace(/^[ \t]+/, "");
  const m = /^(\S+)(?:[ \t]+(.*))?$/.exec(toks);
  if (!m || (m[1] !== "HELP" && m[1] !== "TYPE")) return { kind: "comment" };
  const rest = m[2] ?? "";
  if (rest.trim() === "") return { kind: "comment" }; // `# HELP` alone: the reference parser ignores it
  const nm = /^([^ \t]+)(?:[ \t]+(.*))?$/.exec(rest)!;
  const name = nm[1]!;
  if (!METRIC_NAME_RE.test(name)) return { kind: "bad", why: `invalid metric name in ${m[1]} comment` };
  const arg = nm[2] ?? "";
  if (m[1] === "HELP") {
    // HELP text escapes `\\` and `\n` (some writers also `\"`); we keep no help text,
    // but a bad escape makes the line malformed, as in the reference parser.
    for (const e of arg.matchAll(/\\(.?)/g)) {
      if (e[1] !== "\\" && e[1] !== "n" && e[1] !== '"') return { kind: "bad", why: "invalid escape in HELP text" };
    }
    return { kind: "help", name };
  }
  const type = arg.trim().toLowerCase();
  if (type === "") return { kind: "comment" };
  if (!TYPES.has(type)) return { kind: "bad", why: `unknown metric type "${arg.trim()}"` };
  return { kind: "type", name, type };
}

const isBlank = (c: string | undefined) => c === " " || c === "\t";
const isBlankCode = (c: number) => c === 32 || c === 9;
const isNameStart = (c: string) => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_" || c === ":";
const isNameChar = (c: string) => isNameStart(c) || (c >= "0" && c <= "9");

/** One sample line (no leading blanks): the sample, or why it is malformed. */
function parseSample(s: string): PromSample | string {
  let i = 0;
  const n = s.length;
  const skip = () => {
    while (i < n && isBlank(s[i])) i++;
  };

  if (!isNameStart(s[0]!)) return "invalid metric name";
  while (i < n && isNameChar(s[i]!)) i++;
  const name = s.slice(0, i);
  if (i < n && !isBlank(s[i]) && s[i] !== "{") return "invalid metric name";
  skip();

  const pairs: [string, string][] = [];
  if (s[i] === "{") {
    i++;
    const seen = new Set<string>();
    for (;;) {
      skip();
      if (s[i] === "}") {
        i++;
        break;
      }
      const ls = i;
      if (i >= n || !isNameStart(s[i]!) || s[i] === ":") return "invalid label name";
      while (i < n && isNameChar(s[i]!) && s[i] !== ":") i++;
      const key = s.slice(ls, i);
      skip();
      if (s[i] !== "=") return `expected "=" after label name "${key}"`;
      i++;
      skip();
      if (s[i] !== '"') return `expected '"' to open the value of label "${key}"`;
      i++;
      let value = "";
      let closed = false;
      while (i < n) {
        const c = s[i]!;
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        if (c === "\\") {
          const e = s[i + 1];
          if (e === "\\" || e === '"') value += e;
          else if (e === "n") value += "\n";
          else return `invalid escape in the value of label "${key}"`;
          i += 2;
          continue;
        }
        // copy a run of plain characters at once
        let j = i + 1;
        while (j < n && s[j] !== '"' && s[j] !== "\\") j++;
        value += s.slice(i, j);
        i = j;
      }
      if (!closed) return `unterminated value of label "${key}"`;
      if (key === "__name__") return 'label name "__name__" is reserved';
      if (seen.has(key)) return `duplicate label "${key}"`;
      if (seen.size >= MAX_LABELS) return `more than ${MAX_LABELS} labels`;
      seen.add(key);
      pairs.push([key, value]);
      skip();
      if (s[i] === ",") {
        i++;
        continue;
      }
      if (s[i] === "}") {
        i++;
        break;
      }
      return 'expected "," or "}" after a label value';
    }
    skip();
  }

  const vs = i;
  while (i < n && !isBlank(s[i])) i++;
  const vtok = s.slice(vs, i);
  if (vtok === "") return "missing value";
  const value = parseGoFloat(vtok);
  if (value === null) return `value "${vtok}" is not a number`;
  skip();

  let timestamp: number | undefined;
  if (i < n) {
    const ts = i;
    while (i < n && !isBlank(s[i])) i++;
    const ttok = s.slice(ts, i);
    if (!/^[+-]?\d{1,19}$/.test(ttok)) return `timestamp "${ttok}" is not an integer`;
    const big = BigInt(ttok.replace(/^\+/, ""));
    if (big > INT64_MAX || big < -INT64_MAX - 1n) return `timestamp "${ttok}" is out of int64 range`;
    timestamp = Number(big);
    skip();
    if (i < n) return "unexpected text after the timestamp";
  }

  const sample: PromSample = { name, labels: Object.fromEntries(pairs), value };
  if (timestamp !== undefined) sample.timestamp = timestamp;
  return sample;
}

/** Histogram buckets need a float `le`, summary quantiles a float `quantile`, as the reference parser demands. */
function checkSpecialLabel(s: PromSample, types: Map<string, string>): string | null {
  const label = (key: string): string | null => {
    if (!Object.hasOwn(s.labels, key)) return null;
    return parseGoFloat(s.labels[key]!) === null ? `"${key}" label "${s.labels[key]}" is not a number` : null;
  };
  if (types.get(s.name) === "summary") return label("quantile");
  if (s.name.endsWith("_bucket") && types.get(s.name.slice(0, -7)) === "histogram") {
    if (!Object.hasOwn(s.labels, "le")) return 'histogram bucket without an "le" label';
    return label("le");
  }
  return null;
}

const DEC_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/;

/** Go's strconv.ParseFloat syntax, as the reference parser uses it; null when not a number. */
export function parseGoFloat(tok: string): number | null {
  const lower = tok.toLowerCase();
  if (lower === "nan") return NaN;
  if (/^[+-]?inf(inity)?$/.test(lower)) return lower.startsWith("-") ? -Infinity : Infinity;
  if (DEC_RE.test(tok)) {
    const v = Number(tok);
    // Go rejects an out-of-range literal (1e999) instead of rounding it to Inf.
    return Number.isFinite(v) ? v : null;
  }
  const h = HEX_RE.exec(tok);
  if (h) {
    const int = h[2] ?? "",
      frac = h[3] ?? "";
    if (int === "" && frac === "") return null;
    const mant = parseInt(`${int}${frac}` || "0", 16);
    const v = mant * 2 ** (Number(h[4]) - 4 * frac.length);
    if (!Number.isFinite(v)) return null;
    return h[1] === "-" ? -v : v;
  }
  return null;
}
