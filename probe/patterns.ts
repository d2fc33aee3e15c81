// Operator regexes (WATCHDOG_PROC_PATTERNS `/…/`) run on every command line of the host, and
// any local user chooses those command lines. JavaScript's RegExp backtracks: `/(a+)+$/`
// against `aaaa…a!` never returns. So the probe compiles the pattern itself and runs it as
// a Pike VM (Thompson NFA with priorities): every position of the text is visited once by
// each instruction at most, time O(text × pattern), whatever the pattern or the text. The
// match is the one JavaScript would find (leftmost, then first alternative / greedy first).
// Pure. Syntax that a linear engine cannot run (backreferences, lookarounds) is refused
// with the reason, and so is syntax we do not implement; see the README for the list.

/** Instruction count past which a pattern is refused: cost per character grows with it. */
const MAX_PROGRAM = 2000;
const MAX_SOURCE = 512;
const MAX_DEPTH = 32;

type Test = (c: number) => boolean;
type Node =
  | { t: "char"; test: Test }
  | { t: "cat"; xs: Node[] }
  | { t: "alt"; xs: Node[] }
  | { t: "rep"; x: Node; min: number; max: number; lazy: boolean }
  | { t: "assert"; kind: "^" | "$" | "b" | "B" };

const CHAR = 0;
const SPLIT = 1;
const JMP = 2;
const ASSERT = 3;
const MATCH = 4;
type Inst =
  | { op: typeof CHAR; test: Test }
  | { op: typeof SPLIT; x: number; y: number }
  | { op: typeof JMP; x: number }
  | { op: typeof ASSERT; kind: "^" | "$" | "b" | "B" }
  | { op: typeof MATCH };

interface LinearMatch {
  index: number;
  /** the matched text, as `RegExp.exec(...)[0]` */
  text: string;
}
export interface LinearRegex {
  source: string;
  flags: string;
  exec(s: string): LinearMatch | null;
}

const isLineTerm = (c: number): boolean => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
const isWordChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const WIDE_SPACE = /\s/;
const isSpaceChar = (c: number): boolean =>
  c < 128 ? c === 32 || (c >= 9 && c <= 13) : WIDE_SPACE.test(String.fromCharCode(c));
const isDigitChar = (c: number): boolean => c >= 48 && c <= 57;

/** ECMAScript's Canonicalize for non-unicode regexes with the i flag. */
function canon(c: number): number {
  const ch = String.fromCharCode(c);
  const up = ch.toUpperCase();
  if (up.length !== 1) return c;
  const u = up.charCodeAt(0);
  return c >= 128 && u < 128 ? c : u;
}

class Parser {
  i = 0;
  constructor(
    readonly src: string,
    readonly ignoreCase: boolean,
    readonly dotAll: boolean,
  ) {}

  fail(why: string): never {
    throw new Error(`${why} at position ${this.i} of /${this.src}/`);
  }

  parseAlt(depth: number): Node {
    if (depth > MAX_DEPTH) this.fail(`groups nested deeper than ${MAX_DEPTH}`);
    const xs = [this.parseCat(depth)];
    while (this.src[this.i] === "|") {
      this.i++;
      xs.push(this.parseCat(depth));
    }
    return xs.length === 1 ? xs[0]! : { t: "alt", xs };
  }

  parseCat(depth: number): Node {
    const xs: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== "|" && this.src[this.i] !== ")") {
      const atom = this.parseAtom(depth);
      xs.push(this.parseQuant(atom));
    }
    return { t: "cat", xs };
  }

  parseQuant(atom: Node): Node {
    const c = this.src[this.i];
    let min: number;
    let max: number;
    if (c === "*" || c === "+" || c === "?") {
      this.i++;
      [min, max] = c === "*" ? [0, Infinity] : c === "+" ? [1, Infinity] : [0, 1];
    } else if (c === "{") {
      const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(this.src.slice(this.i, this.i + 12));
      if (!m) this.fail("a { that is not a quantifier {n}, {n,} or {n,m} (write \\{ for the character)");
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] ? Number(m[3]) : Infinity;
      if (max < min) this.fail("a quantifier {n,m} with m < n");
    } else return atom;
    if (atom.t === "assert") this.fail("a quantifier after an assertion");
    const lazy = this.src[this.i] === "?";
    if (lazy) this.i++;
    const next = this.src[this.i];
    if (next === "*" || next === "+" || next === "?" || next === "{") this.fail("a quantifier after a quantifier");
    return { t: "rep", x: atom, min, max, lazy };
  }

  parseAtom(depth: number): Node {
    const c = this.src[this.i]!;
    this.i++;
    switch (c) {
      case "(": {
        if (this.src[this.i] === "?") {
          const kind = this.src.slice(this.i, this.i + 3);
          if (kind.startsWith("?:")) this.i += 2;
          else if (kind === "?<=" || kind === "?<!" || kind.startsWith("?=") || kind.startsWith("?!"))
            this.fail("a lookaround (not supported: it needs backtracking)");
          else if (kind.startsWith("?<")) {
            const close = this.src.indexOf(">", this.i);
            if (close < 0) this.fail("an unterminated group name");
            this.i = close + 1;
          } else this.fail("an unknown group (?");
        }
        const inner = this.parseAlt(depth + 1);
        if (this.src[this.i] !== ")") this.fail("a ( without its )");
        this.i++;
        return inner;
      }
      case ")":
        return this.fail("a ) without its (");
      case "*":
      case "+":
      case "?":
      case "{":
        return this.fail(`nothing to repeat before ${c}`);
      case "[":
        return this.parseClass();
      case ".":
        return { t: "char", test: this.dotAll ? () => true : (x) => !isLineTerm(x) };
      case "^":
        return { t: "assert", kind: "^" };
      case "$":
        return { t: "assert", kind: "$" };
      case "\\": {
        const e = this.src[this.i];
        if (e === "b" || e === "B") {
          this.i++;
          return { t: "assert", kind: e };
        }
        return { t: "char", test: this.parseEscape(false) };
      }
      default:
        return { t: "char", test: this.literal(c.charCodeAt(0)) };
    }
  }

  literal(code: number): Test {
    if (!this.ignoreCase) return (x) => x === code;
    const k = canon(code);
    return (x) => x === code || canon(x) === k;
  }

  /** After a backslash: a class escape, a control escape or an escaped punctuation mark. */
  parseEscape(inClass: boolean): Test {
    const e = this.src[this.i];
    if (e === undefined) this.fail("a \\ at the end");
    this.i++;
    switch (e) {
      case "d":
        return isDigitChar;
      case "D":
        return (x) => !isDigitChar(x);
      case "w":
        return isWordChar;
      case "W":
        return (x) => !isWordChar(x);
      case "s":
        return isSpaceChar;
      case "S":
        return (x) => !isSpaceChar(x);
      case "t":
        return this.literal(9);
      case "n":
        return this.literal(10);
      case "r":
        return this.literal(13);
      case "v":
        return this.literal(11);
      case "f":
        return this.literal(12);
      case "0":
        if (isDigitChar(this.src.charCodeAt(this.i))) this.fail("an octal escape");
        return this.literal(0);
      case "x":
      case "u": {
        const len = e === "x" ? 2 : 4;
        const hex = this.src.slice(this.i, this.i + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) this.fail(`a \\${e} escape without ${len} hex digits`);
        this.i += len;
        return this.literal(parseInt(hex, 16));
      }
      default:
        if (/[1-9]/.test(e)) this.fail("a backreference (not supported: it needs backtracking)");
        if (e === "k") this.fail("a named backreference (not supported: it needs backtracking)");
        if (inClass && e === "b") return this.literal(8);
        if (/[A-Za-z0-9]/.test(e)) this.fail(`an unsupported escape \\${e}`);
        return this.literal(e.charCodeAt(0));
    }
  }

  /** `[...]` or `[^...]`; ranges of single characters; class escapes \d \w \s and their negations. */
  parseClass(): Node {
    const negate = this.src[this.i] === "^";
    if (negate) this.i++;
    const tests: Test[] = [];
    while (this.src[this.i] !== "]") {
      if (this.i >= this.src.length) this.fail("a [ without its ]");
      const lo = this.classAtom();
      if (this.src[this.i] === "-" && this.src[this.i + 1] !== "]" && this.i + 1 < this.src.length) {
        this.i++;
        const hi = this.classAtom();
        if (typeof lo !== "number" || typeof hi !== "number") this.fail("a range with a class escape in it");
        if (hi < lo) this.fail("a range out of order");
        tests.push(this.range(lo, hi));
      } else tests.push(typeof lo === "number" ? this.literal(lo) : lo);
    }
    this.i++;
    const any = (x: number) => tests.some((t) => t(x));
    return { t: "char", test: negate ? (x) => !any(x) : any };
  }

  /** One member of a class: a character code, or the test of a class escape. */
  classAtom(): number | Test {
    const c = this.src.charCodeAt(this.i);
    this.i++;
    if (c !== 92) return c;
    const e = this.src[this.i];
    if (e !== undefined && "dDwWsS".includes(e)) return this.parseEscape(true);
    const before = this.i;
    this.parseEscape(true);
    // re-read the single character the escape stands for
    const text = this.src.slice(before - 1, this.i);
    return escapedCode(text);
  }

  range(lo: number, hi: number): Test {
    if (!this.ignoreCase) return (x) => x >= lo && x <= hi;
    // JS folds every member of the range: a code matches if some member has its canonical form
    return (x) => {
      const k = canon(x);
      if (x >= lo && x <= hi) return true;
      const lower = String.fromCharCode(x).toLowerCase();
      const l = lower.length === 1 ? lower.charCodeAt(0) : x;
      return (l >= lo && l <= hi && canon(l) === k) || (k >= lo && k <= hi);
    };
  }
}

/** The code of a one-character escape inside a class (`\-`, `\]`, `\n`, `\x41`, `\u00e9`). */
function escapedCode(text: string): number {
  const e = text[1]!;
  const simple: Record<string, number> = { t: 9, n: 10, r: 13, v: 11, f: 12, "0": 0, b: 8 };
  if (e in simple) return simple[e]!;
  if (e === "x" || e === "u") return parseInt(text.slice(2), 16);
  return e.charCodeAt(0);
}

function compile(node: Node, prog: Inst[]): void {
  if (prog.length > MAX_PROGRAM) throw new Error(`pattern too large (over ${MAX_PROGRAM} steps once compiled)`);
  switch (node.t) {
    case "char":
      prog.push({ op: CHAR, test: node.test });
      return;
    case "assert":
      prog.push({ op: ASSERT, kind: node.kind });
      return;
    case "cat":
      for (const x of node.xs) compile(x, prog);
      return;
    case "alt": {
      const jumps: { op: typeof JMP; x: number }[] = [];
      for (let k = 0; k < node.xs.length; k++) {
        const last = k === node.xs.length - 1;
        const split: Inst = { op: SPLIT, x: prog.length + 1, y: -1 };
        if (!last) prog.push(split);
        compile(node.xs[k]!, prog);
        if (!last) {
          const jump: { op: typeof JMP; x: number } = { op: JMP, x: -1 };
          prog.push(jump);
          jumps.push(jump);
          split.y = prog.length;
        }
      }
      for (const j of jumps) j.x = prog.length;
      return;
    }
    case "rep": {
      for (let k = 0; k < node.min; k++) compile(node.x, prog);
      if (node.max === Infinity) {
        const loop = prog.length;
        const split = { op: SPLIT, x: -1, y: -1 } as { op: typeof SPLIT; x: number; y: number };
        prog.push(split);
        compile(node.x, prog);
        prog.push({ op: JMP, x: loop });
        const [body, out] = [loop + 1, prog.length];
        [split.x, split.y] = node.lazy ? [out, body] : [body, out];
        return;
      }
      const splits: { op: typeof SPLIT; x: number; y: number }[] = [];
      for (let k = node.min; k < node.max; k++) {
        const split = { op: SPLIT, x: -1, y: -1 } as { op: typeof SPLIT; x: number; y: number };
        prog.push(split);
        splits.push(split);
        const body = prog.length;
        compile(node.x, prog);
        split.x = body;
      }
      const out = prog.length;
      for (const s of splits) [s.x, s.y] = node.lazy ? [out, s.x] : [s.x, out];
      return;
    }
  }
}

/**
 * Compiles `/body/flags` for linear-time matching. Throws an Error that says why when the
 * pattern uses syntax the engine does not run. Flags: i, m, s; g and y are ignored.
 */
export function compileLinear(body: string, flags: string): LinearRegex {
  if (body.length > MAX_SOURCE) throw new Error(`pattern longer than ${MAX_SOURCE} characters`);
  for (const f of flags) if (!"imsgy".includes(f)) throw new Error(`flag ${f} is not supported (use i, m or s)`);
  // JavaScript must accept it too, so the two never disagree on what is valid
  new RegExp(body, flags.replace(/[gy]/g, ""));
  const p = new Parser(body, flags.includes("i"), flags.includes("s"));
  const tree = p.parseAlt(0);
  if (p.i < body.length) p.fail("a ) without its (");
  const prog: Inst[] = [];
  compile(tree, prog);
  prog.push({ op: MATCH });
  if (prog.length > MAX_PROGRAM) throw new Error(`pattern too large (over ${MAX_PROGRAM} steps once compiled)`);
  const multiline = flags.includes("m");
  return { source: body, flags, exec: (s) => run(prog, s, multiline) };
}

function run(prog: readonly Inst[], s: string, multiline: boolean): LinearMatch | null {
  const n = s.length;
  const size = prog.length;
  let cpc = new Int32Array(size);
  let cstart = new Int32Array(size);
  let npc = new Int32Array(size);
  let nstart = new Int32Array(size);
  let clen = 0;
  let nlen = 0;
  const mark = new Int32Array(size).fill(-1);
  let gen = 0;
  const stackPc = new Int32Array(size * 2 + 2);
  const stackStart = new Int32Array(size * 2 + 2);

  const holds = (kind: "^" | "$" | "b" | "B", pos: number): boolean => {
    if (kind === "^") return pos === 0 || (multiline && isLineTerm(s.charCodeAt(pos - 1)));
    if (kind === "$") return pos === n || (multiline && isLineTerm(s.charCodeAt(pos)));
    const w = (pos > 0 && isWordChar(s.charCodeAt(pos - 1))) !== (pos < n && isWordChar(s.charCodeAt(pos)));
    return kind === "b" ? w : !w;
  };
  /** Follows jumps, splits and assertions from pc at pos, in priority order; adds the threads that wait for a character or match. */
  const add = (list: "c" | "n", pc0: number, start: number, pos: number): void => {
    let sp = 0;
    stackPc[sp] = pc0;
    stackStart[sp++] = start;
    while (sp > 0) {
      const pc = stackPc[--sp]!;
      const st = stackStart[sp]!;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const inst = prog[pc]!;
      if (inst.op === JMP) {
        stackPc[sp] = inst.x;
        stackStart[sp++] = st;
      } else if (inst.op === SPLIT) {
        stackPc[sp] = inst.y;
        stackStart[sp++] = st;
        stackPc[sp] = inst.x;
        stackStart[sp++] = st;
      } else if (inst.op === ASSERT) {
        if (holds(inst.kind, pos)) {
          stackPc[sp] = pc + 1;
          stackStart[sp++] = st;
        }
      } else if (list === "c") {
        cpc[clen] = pc;
        cstart[clen++] = st;
      } else {
        npc[nlen] = pc;
        nstart[nlen++] = st;
      }
    }
  };

  let found = -1;
  let foundEnd = -1;
  gen++;
  for (let pos = 0; pos <= n; pos++) {
    if (found < 0) add("c", 0, pos, pos);
    if (clen === 0 && found >= 0) break;
    gen++;
    nlen = 0;
    const c = pos < n ? s.charCodeAt(pos) : -1;
    for (let k = 0; k < clen; k++) {
      const inst = prog[cpc[k]!]!;
      if (inst.op === MATCH) {
        found = cstart[k]!;
        foundEnd = pos;
        break; // threads after this one have lower priority
      }
      if (inst.op === CHAR && c >= 0 && inst.test(c)) add("n", cpc[k]! + 1, cstart[k]!, pos + 1);
    }
    [cpc, npc] = [npc, cpc];
    [cstart, nstart] = [nstart, cstart];
    clen = nlen;
  }
  return found < 0 ? null : { index: found, text: s.slice(found, foundEnd) };
}
