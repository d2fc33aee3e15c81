// `npm run soak` → scripts/soak.mjs → `tsx test/soak/run.ts [--seed N] [--ticks N] [--outbox N]`.
// Prints the seed first (a failing run is reproduced by passing it back), progress, the
// figures, and one summary line; exits 1 on any violation.
import { gcExposed } from "./heap.js";
import { randomSeed } from "./prng.js";
import { runSoak } from "./soak.js";

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`soak: --${name} needs a whole number, got "${process.argv[i + 1] ?? ""}"`);
    process.exit(2);
  }
  return v;
}

async function main(): Promise<void> {
  const seed = arg("seed", randomSeed());
  const ticks = arg("ticks", 10_000);
  const outboxMax = arg("outbox", 100);
  console.log(`soak: seed ${seed} (gc ${gcExposed() ? "exposed" : "not exposed: heap figures are noisier"})`);
  const r = await runSoak({ seed, ticks, outboxMax, print: (l) => console.log(l) });
  console.log(`soak: ${(r.figures.realMs / 1000).toFixed(1)} s real time`);
  console.log(r.summary);
  // one machine-readable line for scripts/bench.mjs's summary table
  console.log("BENCH " + JSON.stringify({ bench: "soak", ticks, seed, ok: r.ok, summary: r.summary }));
  process.exitCode = r.ok ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(`soak: crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});
