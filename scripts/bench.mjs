// `npm run bench`: every benchmark in one run on this machine, each next to a reference
// measured in the same run, then the "How it performs" table for the README.
//   npm run bench [-- --quick]   (--quick: 2,000 processes only, fewer rounds)
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { build } from "esbuild";

const quick = process.argv.includes("--quick");
const results = {};

/** Benches run bundled, with plain node, as the probe runs in production (tsx alone adds ~35 MiB RSS). */
async function bundle(entry) {
  const out = `.cache/bench/${entry.replace(/[/.]/g, "_")}.cjs`;
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    outfile: out,
    logLevel: "warning",
  });
  return out;
}
async function bench(label, entry, args = [], env = {}) {
  if (!existsSync(entry)) return;
  const file = await bundle(entry);
  await run(label, process.execPath, ["--expose-gc", file, ...args], env);
}

/** The reference for dist/probe.js: the ws library alone, bundled the way scripts/build.mjs bundles the probe. */
async function wsAloneBytes() {
  const r = await build({
    stdin: { contents: 'module.exports = require("ws");', resolveDir: process.cwd() },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    legalComments: "none",
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: "warning",
  });
  return r.outputFiles[0].contents.length;
}

function run(label, cmd, args, env = {}) {
  return new Promise((resolve) => {
    console.log(`\n== ${label}`);
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.on("exit", (code) => {
      for (const line of out.split("\n")) {
        if (!line.startsWith("BENCH ")) continue;
        const j = JSON.parse(line.slice(6));
        results[j.bench] = j;
      }
      if (code !== 0) console.log(`(${label} exited with ${code})`);
      resolve(code);
    });
  });
}

const started = Date.now();
const loadAtStart = loadavg()[0];
await run("build and package", "npm", ["run", "--silent", "package"]);
const probeBytes = existsSync("dist/probe.js") ? statSync("dist/probe.js").size : null;
const wsBytes = await wsAloneBytes();
await bench("proc scan", "bench/proc-scan.ts", quick ? ["--sizes", "2000", "--runs", "3"] : []);
await bench(
  "event-loop delay during proc scans",
  "bench/proc-eld.ts",
  quick ? ["--sizes", "2000", "--scans", "3"] : [],
);
await bench("tick cost", "bench/tick.ts", ["--ticks", quick ? "50" : "200"]);
await bench("stream fan-out", "bench/fanout.ts", [], { FANOUT_ROUNDS: quick ? "50" : "200" });
await bench("idle probe RSS after a minute", "bench/idle-rss.ts", quick ? ["--seconds", "20"] : []);
await bench("probe RSS at 10,000 processes and 32 clients", "bench/rss.ts", quick ? ["--processes", "2000"] : []);
await bench("extension activation", "bench/activation.ts");
await bench("metrics text parser", "bench/prom-parse.ts");
await bench("linear-time text work at 128 KiB", "bench/text-linear.ts");
await bench("soak", "test/soak/run.ts", quick ? ["--ticks", "2000"] : []);

const ms = (n) => (n == null ? "—" : `${n.toFixed(1)} ms`);
const x = (a, b) => (a == null || b == null ? "—" : `${(a / b).toFixed(2)}×`);
const rows = [];
for (const r of results["proc-scan"]?.rows ?? []) {
  rows.push([
    `proc scan, ${r.pids.toLocaleString("en")} processes`,
    `${ms(r.ours)} (ps ${ms(r.ps)}, C floor ${ms(r.cFull)})`,
    `${x(r.ours, r.cFull)} C floor, ${x(r.ours, r.ps)} ps`,
    "`npx tsx bench/proc-scan.ts`",
  ]);
}
for (const r of results["proc-eld"]?.rows ?? []) {
  rows.push([
    `event-loop delay p99 during proc scans, ${r.pids.toLocaleString("en")} processes (fake /proc)`,
    `${ms(r.eldP99Ms)} (max ${ms(r.eldMaxMs)}; scan ${ms(r.scanMedianMs)})`,
    "goal < 20 ms",
    "`npx tsx bench/proc-eld.ts`",
  ]);
}
const t = results.tick;
if (t) {
  rows.push(["tick, proc off", ms(t.procOffMs), `${x(t.procOffMs, t.psMs)} one ps`, "`npx tsx bench/tick.ts`"]);
  rows.push(["tick, proc on", ms(t.procOnMs), `${x(t.procOnMs, t.psMs)} one ps`, "`npx tsx bench/tick.ts`"]);
}
const f = results.fanout;
if (f) {
  rows.push([
    `fan-out to ${f.clients} clients (${f.processes} processes)`,
    `p50 ${ms(f.p50Ms)}, p99 ${ms(f.p99Ms)}`,
    "goal p99 < 25 ms",
    "`npx tsx bench/fanout.ts`",
  ]);
  rows.push([
    "stream server RSS, 32 clients",
    `${(f.rssMaxBytes / 2 ** 20).toFixed(1)} MiB`,
    "bench process with the server only",
    "`npx tsx bench/fanout.ts`",
  ]);
}
const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
if (probeBytes !== null)
  rows.push([
    "`dist/probe.js`",
    `${(probeBytes / 1024).toFixed(0)} KiB`,
    `${x(probeBytes, wsBytes)} the \`ws\` library alone (${(wsBytes / 1024).toFixed(0)} KiB); goal < 300 KB`,
    "`npm run build`",
  ]);
const idle = results["idle-rss"];
if (idle)
  rows.push([
    `idle probe RSS, proc on, after ${idle.seconds} s`,
    `${mib(idle.rssBytes)} (own memory ${mib(idle.anonBytes)})`,
    `${x(idle.rssBytes, idle.bareRssBytes)} a bare \`node\` (${mib(idle.bareRssBytes)}); goal < 55 MiB`,
    "`npx tsx bench/idle-rss.ts`",
  ]);
const m = results.rss;
if (m)
  rows.push([
    `probe RSS, ${m.processes.toLocaleString("en")} processes scanned, ${m.clients} clients`,
    `${mib(m.rssBytes)} (own memory ${mib(m.anonBytes)})`,
    `${x(m.rssBytes, m.bareRssBytes)} a bare \`node\` (${mib(m.bareRssBytes)}); goal < 65 MiB`,
    "`npx tsx bench/rss.ts`",
  ]);
if (existsSync("dist/orchestrator-watchdog.vsix")) {
  rows.push([
    "VSIX size",
    `${(statSync("dist/orchestrator-watchdog.vsix").size / 1024).toFixed(0)} KiB`,
    "goal < 1 MB",
    "`npm run package`",
  ]);
}
const a = results.activation;
if (a)
  rows.push([
    "extension activation",
    ms(a.activateMs),
    `${x(a.activateMs, a.referenceMs)} require("ws")`,
    "`npx tsx bench/activation.ts`",
  ]);
for (const r of results["prom-parse"]?.rows ?? []) {
  rows.push([
    `/metrics parser, ${r.shape}`,
    `1 MiB ${ms(r.oneMiBMs)}, 8 MiB ${ms(r.eightMiBMs)}`,
    `${x(r.eightMiBMs, r.oneMiBMs)} for 8× the bytes (linear: ≈8×)`,
    "`npx tsx bench/prom-parse.ts`",
  ]);
}
for (const r of results["text-linear"]?.rows ?? []) {
  rows.push([
    `${r.what}, 128 KiB command line`,
    `${ms(r.ms)} (8 KiB ${ms(r.smallMs)})`,
    `${x(r.ms, r.smallMs)} for 16× the bytes (linear: ≈16×); one indexOf scan ${r.refMs.toFixed(3)} ms; goal < 5 ms`,
    "`npx tsx bench/text-linear.ts`",
  ]);
}
const s = results.soak;
if (s)
  rows.push([
    `soak, ${s.ticks.toLocaleString("en")} ticks with faults`,
    s.ok ? "OK" : "FAILED",
    s.summary.replace(/^soak: /, ""),
    "`npm run soak`",
  ]);

console.log(
  `\n## How it performs\n\nOne run of \`npm run bench\` on ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load average ${loadAtStart.toFixed(1)} at the start, Node ${process.version}, ${((Date.now() - started) / 60000).toFixed(1)} min.\n`,
);
console.log("| what | measured | against | reproduce |");
console.log("|---|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
