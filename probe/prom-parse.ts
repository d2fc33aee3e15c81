// Parser of the Prometheus text exposition format 0.0.4 that reads a body the way a
// real Prometheus server (2.42, its lexer in model/textparse/promlex.l) reads a scrape,
// checked against that server over test/fixtures/prom/. Where the text is odd,
// Prometheus's reading wins over the format's documentation:
// - values are Go floats without hex forms or `_` (NaN, ±Inf in any case; 0x1p3 refused);
// - timestamps are unsigned decimal int64 (`-5` refused); CR is not a line break;
// - a label value may hold any escape (`\t` stays `\t` verbatim) and even a raw newline,
//   must be valid UTF-8, and an empty one means the label is absent;
// - no blank may precede a metric name (blanks before `#` are fine);
// - `# TYPE` needs exactly one known lowercase type; `# HELP` may repeat or lack text;
// - a NUL byte where a line starts ends the body (we count it as malformed: the rest is lost);
// - a series repeated keeps its first value.
// Unlike Prometheus, which drops the whole scrape at the first error, a malformed line
// is counted and skipped and the rest is kept. Pure and total; linear in the body; the
// output is capped so a hostile body cannot grow memory without bound.

import { isUtf8 } from "node:buffer";

export interface PromSample {
  name: string;
  /** no empty values: Prometheus stores `x{a=""}` as `x` */
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
}

export interface PromParseResult {
  samples: PromSample[];
  /** metric family name → counter | gauge | histogram | summary | untyped (the last TYPE line) */
  types: Record<string, string>;
  malformed: number;
  /** the first few malformed lines (shortened), with why, for a log line */
  malformedExamples: string[];
  /** sample lines not parsed because `maxSamples` was reached */
  dropped: number;
  /** samples of a series already seen in this body (Prometheus keeps the first) */
  duplicates: number;
}

export interface PromParseOptions {
  maxSamples?: number;
  maxTypes?: number;
  maxExamples?: number;
}

const DEFAULT_MAX_SAMPLES = 100_000;
const DEFAULT_MAX_TYPES = 10_000;
const DEFAULT_MAX_EXAMPLES = 5;
const EXAMPLE_CHARS = 160;
const INT64_MAX = 9_223_372_036_854_775_807n;

const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const LF = 10;
const NUL = 0;

/** Thrown inside one entry only; never escapes parsePrometheusText. */
class Malformed extends Error {
  why = "";
}
// One preallocated instance: a hostile body may hold a million malformed lines, and
// capturing a stack trace for each would cost more than parsing them.
const MALFORMED = new Malformed("malformed line");
function bad(why: string): Malformed {
  MALFORMED.why = why;
  return MALFORMED;
}

/**
 * `body` as bytes (what the server sent: label values and HELP text must be valid UTF-8,
 * as Prometheus demands) or as an already decoded string.
 */
export function parsePrometheusText(body: string | Uint8Array, opts: PromParseOptions = {}): PromParseResult {
  const maxSamples = opts.maxSamples ?? DEFAULT_MAX_SAMPLES;
  const maxTypes = opts.maxTypes ?? DEFAULT_MAX_TYPES;
  const maxExamples = opts.maxExamples ?? DEFAULT_MAX_EXAMPLES;
  // A body of valid UTF-8 (the usual case) is decoded once; otherwise it is read as
  // latin1 (one char per byte: the syntax is ASCII) and each label value and HELP text
  // is checked and decoded on its own, so only the lines that hold bad bytes fail.
  const buf = typeof body === "string" ? null : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const bytes = buf !== null && !isUtf8(buf);
  const text = typeof body === "string" ? body : buf!.toString(bytes ? "latin1" : "utf8");
  const sc = new Scanner(text, bytes);
  const samples: PromSample[] = [];
  // Maps and sets, not objects: a metric named `__proto__` is valid and must stay data.
  const types = new Map<string, string>();
  const series = new Set<string>();
  const examples: string[] = [];
  let malformed = 0;
  let dropped = 0;
  let duplicates = 0;

  const note = (lineStart: number, why: string) => {
    malformed++;
    if (examples.length >= maxExamples) return;
    const line = text.slice(lineStart, Math.min(lineEnd(text, lineStart), lineStart + EXAMPLE_CHARS + 1));
    const shown = line.length > EXAMPLE_CHARS ? `${line.slice(0, EXAMPLE_CHARS)}…` : line;
    examples.push(`${why}: ${JSON.stringify(bytes ? latin1ToUtf8Lossy(shown) : shown)}`);
  };
  // Prometheus ends the body there without an error; we end it too (same samples) but
  // say so, since everything after it is lost to Prometheus as well.
  const NUL_END = "NUL byte: Prometheus reads nothing after it";

  const len = text.length;
  let pos = 0;
  while (pos < len) {
    const lineStart = pos;
    let b = pos;
    while (b < len && isBlank(text.charCodeAt(b))) b++;
    if (b >= len) break;
    const c = text.charCodeAt(b);
    if (c === LF) {
      pos = b + 1;
      continue;
    }
    if (c === NUL) {
      note(lineStart, NUL_END);
      break;
    }
    try {
      if (c === 35 /* # */) {
        const r = sc.comment(b);
        if (r.kind === "end") {
          note(lineStart, NUL_END);
          break;
        }
        pos = r.next;
        if (r.kind === "type" && (types.has(r.name) || types.size < maxTypes)) types.set(r.name, r.type);
        continue;
      }
      if (samples.length >= maxSamples) {
        dropped++;
        pos = lineEnd(text, b) + 1;
        continue;
      }
      if (!isNameStart(c)) throw bad("invalid metric name");
      if (b > lineStart) throw bad("blank before the metric name");
      const r = sc.sample(b);
      pos = r.next;
      const key = seriesKey(r.sample, r.pairs);
      if (series.has(key)) duplicates++;
      else {
        series.add(key);
        samples.push(r.sample);
      }
    } catch (e) {
      if (!(e instanceof Malformed)) throw e;
      note(lineStart, e.why);
      // Resume on the next line. An entry reaches past its first line only inside a
      // quoted label value, which ends at the latest where the next label value opens,
      // so each byte is read a bounded number of times.
      pos = lineEnd(text, lineStart) + 1;
    }
  }
  return {
    samples,
    types: Object.fromEntries(types),
    malformed,
    malformedExamples: examples,
    dropped,
    duplicates,
  };
}

type CommentResult =
  | { kind: "comment" | "help"; next: number }
  | { kind: "type"; name: string; type: string; next: number }
  | { kind: "end" };

class Scanner {
  constructor(
    private readonly s: string,
    private readonly bytes: boolean,
  ) {}

  /** A line starting with `#` at `i`. */
  comment(i: number): CommentResult {
    const s = this.s;
    const end = lineEnd(s, i);
    const next = end + 1;
    if (!isBlank(s.charCodeAt(i + 1))) {
      // `#word`: a plain comment, where Prometheus's lexer takes any NUL for the end of the body
      return s.slice(i + 1, end).includes("\0") ? { kind: "end" } : { kind: "comment", next };
    }
    let k = i + 1;
    while (isBlank(s.charCodeAt(k))) k++;
    if (s.charCodeAt(k) === NUL) return { kind: "end" };
    const keyword = s.startsWith("HELP", k) ? "HELP" : s.startsWith("TYPE", k) ? "TYPE" : null;
    if (keyword === null || !isBlank(s.charCodeAt(k + 4))) return { kind: "comment", next };
    k += 4;
    while (isBlank(s.charCodeAt(k))) k++;
    const n0 = k;
    if (!isNameStart(s.charCodeAt(k))) throw bad(`invalid metric name in ${keyword} comment`);
    while (isNameChar(s.charCodeAt(k))) k++;
    const name = s.slice(n0, k);
    // The text is what follows the name minus its first character, whatever that is
    // (`# TYPE a,gauge` is a gauge); blanks alone are no text.
    const rest = s.slice(k, end);
    const arg = /^[ \t]*$/.test(rest) ? "" : rest.slice(1);
    if (keyword === "HELP") {
      if (this.bytes) decodeUtf8(arg, "HELP text");
      return { kind: "help", next };
    }
    if (!TYPES.has(arg)) throw bad(`unknown metric type ${JSON.stringify(arg)} in TYPE comment`);
    return { kind: "type", name, type: arg, next };
  }

  /** A sample starting at `i` (a metric name character). */
  sample(i: number): { sample: PromSample; pairs: [string, string][]; next: number } {
    const s = this.s;
    const n = s.length;
    const n0 = i;
    while (isNameChar(s.charCodeAt(i))) i++;
    const name = s.slice(n0, i);
    i = skipBlanks(s, i);
    const pairs: [string, string][] = [["__name__", name]];
    if (s.charCodeAt(i) === 123 /* { */) i = this.labels(i + 1, pairs);

    i = skipBlanks(s, i);
    const v0 = i;
    for (let c = s.charCodeAt(i); i < n && c !== 123 && !isBlank(c) && c !== LF; c = s.charCodeAt(++i));
    if (i === v0) throw bad("missing value");
    const vtok = s.slice(v0, i);
    const value = parseGoFloat(vtok);
    if (value === null) throw bad(`value ${JSON.stringify(vtok)} is not a number`);

    i = skipBlanks(s, i);
    let timestamp: number | undefined;
    if (i < n && s.charCodeAt(i) !== LF) {
      const t0 = i;
      while (isDigit(s.charCodeAt(i))) i++;
      const ttok = s.slice(t0, i);
      if (ttok === "") throw bad("timestamp is not an unsigned integer");
      const big = BigInt(ttok);
      if (big > INT64_MAX) throw bad(`timestamp ${ttok} is out of int64 range`);
      timestamp = Number(big);
      i = skipBlanks(s, i);
      if (i < n && s.charCodeAt(i) !== LF) throw bad("unexpected text after the timestamp");
    }

    const sample: PromSample = { name, labels: storedLabels(pairs), value };
    if (timestamp !== undefined) sample.timestamp = timestamp;
    return { sample, pairs, next: i + 1 };
  }

  /** Label pairs after `{` at `i`; returns the index after `}`. */
  private labels(i: number, pairs: [string, string][]): number {
    const s = this.s;
    const n = s.length;
    i = skipBlanks(s, i);
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 125 /* } */) return i + 1;
      if (!isLabelStart(c)) throw bad("invalid label name");
      const k0 = i;
      while (isLabelChar(s.charCodeAt(i))) i++;
      const key = s.slice(k0, i);
      i = skipBlanks(s, i);
      if (s.charCodeAt(i) !== 61 /* = */) throw bad(`expected "=" after label name "${key}"`);
      i = skipBlanks(s, i + 1);
      if (s.charCodeAt(i) !== 34 /* " */) throw bad(`expected '"' to open the value of label "${key}"`);
      const q0 = ++i;
      let escaped = false;
      for (;;) {
        if (i >= n) throw bad(`unterminated value of label "${key}"`);
        const e = s.charCodeAt(i);
        if (e === 34) break;
        if (e === 92 /* \ */) {
          // any escaped character but a newline, as Prometheus's lexer allows
          if (i + 1 >= n || s.charCodeAt(i + 1) === LF)
            throw bad(`backslash before a line break in the value of label "${key}"`);
          escaped = true;
          i += 2;
          continue;
        }
        // copy a run of plain characters at once (a raw newline included, as Prometheus does)
        i++;
        while (i < n && s.charCodeAt(i) !== 34 && s.charCodeAt(i) !== 92) i++;
      }
      let value = s.slice(q0, i);
      i++;
      if (this.bytes) value = decodeUtf8(value, `value of label "${key}"`);
      if (escaped) value = unescapeLabelValue(value);
      pairs.push([key, value]);
      i = skipBlanks(s, i);
      // a comma is optional between pairs and after the last one; two in a row are not
      if (s.charCodeAt(i) === 44 /* , */) i = skipBlanks(s, i + 1);
    }
  }
}

/**
 * The labels Prometheus stores: a name with an empty value is removed (every pair of that
 * name), then the metric name must remain and no name may repeat. `pairs` is left holding
 * the stored pairs.
 */
function storedLabels(pairs: [string, string][]): Record<string, string> {
  let empty: Set<string> | null = null;
  for (const [k, v] of pairs) if (v === "") (empty ??= new Set()).add(k);
  if (empty) {
    if (empty.has("__name__")) throw bad('an empty "__name__" label removes the metric name');
    const kept = pairs.filter(([k]) => !empty.has(k));
    pairs.length = 0;
    pairs.push(...kept);
  }
  // pairs[0] is the metric name; a label named __name__ repeats it
  const names = new Set<string>();
  for (const [k] of pairs) {
    if (names.has(k)) throw bad(k === "__name__" ? 'label name "__name__" is reserved' : `duplicate label "${k}"`);
    names.add(k);
  }
  return Object.fromEntries(pairs.slice(1));
}

/** One string per label set, whatever the values hold (each part is length-prefixed). */
function seriesKey(s: PromSample, pairs: [string, string][]): string {
  const sorted = pairs.length > 2 ? pairs.slice(1).sort((a, b) => (a[0] < b[0] ? -1 : 1)) : pairs.slice(1);
  let key = `${s.name.length}:${s.name}`;
  for (const [k, v] of sorted) key += `${k.length}:${k}${v.length}:${v}`;
  return key;
}

/** `\\` `\"` `\n` are replaced; any other escape stays as written, as in Prometheus. */
function unescapeLabelValue(v: string): string {
  return v.replace(/\\(.)/gs, (all, c: string) => (c === "\\" ? "\\" : c === '"' ? '"' : c === "n" ? "\n" : all));
}

function decodeUtf8(latin1: string, what: string): string {
  if (!/[\x80-\xff]/.test(latin1)) return latin1; // ASCII reads the same either way
  const buf = Buffer.from(latin1, "latin1");
  if (!isUtf8(buf)) throw bad(`${what} is not valid UTF-8`);
  return buf.toString("utf8");
}

function latin1ToUtf8Lossy(s: string): string {
  return Buffer.from(s, "latin1").toString("utf8");
}

function lineEnd(s: string, i: number): number {
  const e = s.indexOf("\n", i);
  return e < 0 ? s.length : e;
}

function skipBlanks(s: string, i: number): number {
  while (isBlank(s.charCodeAt(i))) i++;
  return i;
}

const isBlank = (c: number) => c === 32 || c === 9;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isLabelStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isLabelChar = (c: number) => isLabelStart(c) || isDigit(c);
const isNameStart = (c: number) => isLabelStart(c) || c === 58;
const isNameChar = (c: number) => isNameStart(c) || isDigit(c);

const DEC_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL_RE = /^(?:[+-]?inf(?:inity)?|nan)$/i;

/**
 * Go's strconv.ParseFloat as Prometheus calls it: decimal forms, ±Inf/Infinity and NaN in
 * any case, but no hex floats and no `_` (Prometheus refuses `p`, `P` and `_`); null when
 * not a number, or out of float64 range.
 */
export function parseGoFloat(tok: string): number | null {
  if (SPECIAL_RE.test(tok)) {
    const lower = tok.toLowerCase();
    if (lower === "nan") return NaN;
    return lower.startsWith("-") ? -Infinity : Infinity;
  }
  if (!DEC_RE.test(tok)) return null;
  const v = Number(tok);
  // Go refuses an out-of-range literal (1e999) instead of rounding it to Inf.
  return Number.isFinite(v) ? v : null;
}
