// Text work per command line at 128 KiB, worst shapes: redaction and /regex/ patterns must
// cost linear time whatever the input. Reference in the same run: one indexOf scan over the
// same string (a floor for any work that reads every character).
//   npx tsx bench/text-linear.ts
import { compileLinear } from "../probe/patterns.js";
import { redactText } from "../probe/redact.js";

const N = 128 * 1024;
type Shape = (n: number) => string;
const REDACT_SHAPES: [string, Shape][] = [
  ["`?a?a…` after a URL", (n) => "pytest http://x" + "?a".repeat(n / 2)],
  ["`&a=b&a=b…` query", (n) => "pytest http://x?" + "&a=b".repeat(n / 4)],
  ["scheme run without `//`", (n) => "x://" + "a".repeat(n) + ":"],
  ["quote run after a header", (n) => "Authorization:" + "'".repeat(n) + "x"],
  ["`--a=--a=…` nested flags", (n) => "--a=".repeat(n / 4) + "x"],
  ["`--password x` repeats", (n) => "--password x ".repeat(Math.floor(n / 13))],
];
const PATTERN_SHAPES: [string, string, Shape][] = [
  ["/(a+)+$/ on a…a!", "(a+)+$", (n) => "a".repeat(n) + "!"],
  ["/py\\.?test.*-k\\s+\\S+/i on pytest repeats", "py\\.?test.*-k\\s+\\S+", (n) => "pytest ".repeat(n / 7)],
];

function median(f: () => void): number {
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    f();
    runs.push(performance.now() - t);
  }
  return runs.sort((a, b) => a - b)[3]!;
}
/** Flat copy, as a cmdline read from /proc is. */
const flat = (s: string): string => Buffer.from(s).toString();

const rows: { what: string; ms: number; smallMs: number; refMs: number }[] = [];
function row(what: string, shape: Shape, work: (s: string) => unknown): void {
  const s = flat(shape(N));
  const small = flat(shape(N / 16));
  rows.push({
    what,
    ms: median(() => work(s)),
    smallMs: median(() => work(small)),
    refMs: median(() => s.indexOf("\u0000")),
  });
}
for (const [what, shape] of REDACT_SHAPES) row(`redaction, ${what}`, shape, redactText);
for (const [what, body, shape] of PATTERN_SHAPES) {
  const re = compileLinear(body, "i");
  row(`pattern ${what}`, shape, (s) => re.exec(s));
}
for (const r of rows)
  console.log(
    `${r.what}: 128 KiB ${r.ms.toFixed(2)} ms, 8 KiB ${r.smallMs.toFixed(2)} ms (×${(r.ms / r.smallMs).toFixed(1)}; indexOf scan ${r.refMs.toFixed(3)} ms)`,
  );
console.log(`BENCH ${JSON.stringify({ bench: "text-linear", kib: N / 1024, rows })}`);
