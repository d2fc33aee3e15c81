// Event-loop delay while the proc source scans: how late the main thread answers (the
// stream, /healthz, SIGTERM) during back-to-back scans of a fake /proc with 10,000 and
// 50,000 pids (1% posing as pytest). A fake tree on tmpfs, not real sleepers: pid_max is
// often 32,768, and the main thread's delay does not depend on where the bytes come from.
//
//   npx tsx bench/proc-eld.ts [--sizes 10000,50000] [--scans 10]
import fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createProcSource } from "../probe/collectors/proc.js";
import { runAsProcScanWorker } from "../probe/collectors/proc-worker.js";
import { parseConfig } from "../probe/config.js";

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}
const SIZES = arg("sizes", "10000,50000").split(",").map(Number);
const SCANS = Number(arg("scans", "10"));
const PYTEST_EVERY = 100;

function fakeProc(n: number): string {
  const base = fs.accessSync("/dev/shm", fs.constants.W_OK) === undefined ? "/dev/shm" : tmpdir();
  const root = fs.mkdtempSync(join(base, "wd-eld-"));
  fs.writeFileSync(join(root, "uptime"), "100000.00 190000.00\n");
  fs.writeFileSync(join(root, "stat"), "cpu 1 2 3\nbtime 1781000000\n");
  for (let pid = 1000; pid < 1000 + n; pid++) {
    const dir = join(root, String(pid));
    fs.mkdirSync(dir);
    const pytest = pid % PYTEST_EVERY === 0;
    const cmd = pytest ? `python\0-m\0pytest\0tests/test_${pid}.py\0--token=t${pid}\0` : `sleep\0${pid}\0`;
    fs.writeFileSync(join(dir, "cmdline"), cmd);
    fs.writeFileSync(
      join(dir, "stat"),
      `${pid} (${pytest ? "python" : "sleep"}) S 1 ${pid} ${pid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ${pid * 10} 1 1\n`,
    );
  }
  return root;
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function measure(n: number) {
  const root = fakeProc(n);
  try {
    const cfg = parseConfig({
      WATCHDOG_PROC_ENABLED: "true",
      WATCHDOG_PROC_ROOT: root,
      WATCHDOG_PROC_AGE_MIN: "0",
      WATCHDOG_PROC_PATTERNS: "pytest",
    });
    if (!cfg.ok) throw new Error(cfg.errors.join("; "));
    const src = createProcSource(cfg.config.proc, { timeoutMs: 120_000, clkTck: 100 });
    const ctx = () => ({ now: Date.now(), signal: new AbortController().signal });
    await src.collect(ctx()); // warm-up (and, with a worker, its start)
    const h = monitorEventLoopDelay({ resolution: 1 });
    const scans: number[] = [];
    let matched = 0;
    h.enable();
    for (let i = 0; i < SCANS; i++) {
      const t0 = performance.now();
      matched = (await src.collect(ctx())).processes!.length;
      scans.push(performance.now() - t0);
      // the loop turns between ticks; only then can a delay caused by the scan be recorded
      await new Promise((r) => setTimeout(r, 20));
    }
    h.disable();
    return {
      pids: n,
      matched,
      scanMedianMs: pct(scans, 0.5),
      eldP99Ms: h.percentile(99) / 1e6,
      eldMaxMs: h.max / 1e6,
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows = [];
  for (const n of SIZES) rows.push(await measure(n));
  console.log(`\nevent-loop delay during ${SCANS} back-to-back proc scans of a fake /proc (ms)`);
  console.log("| pids | matched | scan (median) | event-loop delay p99 | max |");
  console.log("|---:|---:|---:|---:|---:|");
  for (const r of rows)
    console.log(
      `| ${r.pids} | ${r.matched} | ${r.scanMedianMs.toFixed(1)} | ${r.eldP99Ms.toFixed(1)} | ${r.eldMaxMs.toFixed(1)} |`,
    );
  console.log("goal: p99 < 20 ms");
  console.log("BENCH " + JSON.stringify({ bench: "proc-eld", scans: SCANS, rows }));
  process.exit(0);
}

if (!runAsProcScanWorker())
  main().catch((e) => {
    console.error(`bench failed: ${(e as Error).stack ?? e}`);
    process.exit(1);
  });
