// Parser bench: how long parsePrometheusText takes on 1 MiB and 8 MiB bodies of several
// shapes, typical and hostile. Linear work shows as a time ratio near 8.
//   npx tsx bench/prom-parse.ts
import { parsePrometheusText } from "../probe/prom-parse.js";

const MiB = 1024 * 1024;

/** Repeats line(i) until the body reaches `size` bytes. */
function body(size: number, line: (i: number) => string): Buffer {
  const parts: string[] = [];
  for (let n = 0, i = 0; n < size; i++) {
    const l = line(i);
    parts.push(l);
    n += l.length;
  }
  return Buffer.from(parts.join(""));
}

const SHAPES: [string, (size: number) => Buffer][] = [
  [
    "typical exposition",
    (size) =>
      body(size, (i) =>
        i % 10 === 0
          ? `# HELP orch_jobs_${i} Jobs by state.\n# TYPE orch_jobs_${i} gauge\n`
          : `orch_jobs_${i - (i % 10)}{state="s${i}",queue="default",le="0.25"} ${i * 1.5}\n`,
      ),
  ],
  ["every line malformed", (size) => body(size, (i) => `<html><body>502 Bad Gateway ${i}</body></html>\n`)],
  ["label values left open (each ends on the next line)", (size) => body(size, (i) => `x{a="${i}${"y".repeat(40)}\n`)],
  ["one label value the size of the body", (size) => Buffer.from(`x{a="${"y".repeat(size)}"} 1\n`)],
  ["escapes in every label value", (size) => body(size, (i) => `x{a="${i}${'\\"\\\\\\n'.repeat(8)}"} 1\n`)],
];

function time(b: Buffer): number {
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    parsePrometheusText(b, { maxSamples: Number.MAX_SAFE_INTEGER });
    runs.push(performance.now() - t);
  }
  return runs.sort((a, b) => a - b)[2]!;
}

const rows = SHAPES.map(([shape, make]) => {
  const small = time(make(MiB));
  const large = time(make(8 * MiB));
  console.log(`${shape}: 1 MiB ${small.toFixed(1)} ms, 8 MiB ${large.toFixed(1)} ms, ×${(large / small).toFixed(1)}`);
  return { shape, oneMiBMs: small, eightMiBMs: large };
});
console.log(`BENCH ${JSON.stringify({ bench: "prom-parse", rows })}`);
