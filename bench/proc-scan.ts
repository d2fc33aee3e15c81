// Proc scan speed: the probe's scan next to `ps -eo pid,ppid,etimes,args` and next to a
// minimal C program (bench/cfloor.c, the syscall floor), all in the same run, at 2,000
// and 10,000 processes. Spawns cheap sleepers (1% posing as pytest) and kills every one
// of them by pid at the end, also on error or Ctrl-C; if even that fails, they all exit
// by themselves after SLEEP_S.
//
//   npx tsx bench/proc-scan.ts [--sizes 2000,10000] [--runs 7] [--warmup 2]
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createProcSource } from "../probe/collectors/proc.js";
import { runAsProcScanWorker } from "../probe/collectors/proc-worker.js";
import { parseStat } from "../probe/collectors/proc-parse.js";
import { parseConfig } from "../probe/config.js";

const SLEEP_S = 900;
const SHELLS = 4;
const PYTEST_EVERY = 100;
const DEADLINE_MS = 12 * 60_000;

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}
const SIZES = arg("sizes", "2000,10000").split(",").map(Number);
const RUNS = Number(arg("runs", "7"));
const WARMUP = Number(arg("warmup", "2"));

function pidCount(): number {
  return fs.readdirSync("/proc").filter((n) => /^\d+$/.test(n)).length;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Sleepers started by a few bash loops that stay their parents (and reap them). */
class Sleepers {
  readonly shells: ChildProcess[] = [];
  readonly pids = new Set<number>();
  pytest = 0;
  private next = 0;

  async add(n: number): Promise<void> {
    const per = Math.ceil(n / SHELLS);
    const started: Promise<void>[] = [];
    for (let s = 0; s < SHELLS && n > 0; s++) {
      const count = Math.min(per, n);
      n -= count;
      const first = this.next;
      this.next += count;
      for (let i = first; i < first + count; i++) if (i % PYTEST_EVERY === 0) this.pytest++;
      const script = `for ((i=${first};i<${first + count};i++)); do
          if (( i % ${PYTEST_EVERY} == 0 )); then (exec -a "python -m pytest tests/test_bench_$i.py --token=bench$i" sleep ${SLEEP_S}) &
          else sleep ${SLEEP_S} & fi
          echo $!
        done
        echo READY
        wait`;
      // stderr ignored: bash reports every killed job there
      const sh = spawn("bash", ["-c", script], { stdio: ["ignore", "pipe", "ignore"] });
      this.shells.push(sh);
      started.push(
        new Promise((resolve, reject) => {
          const lines = createInterface({ input: sh.stdout });
          lines.on("line", (l) => {
            if (l === "READY") resolve();
            else if (/^\d+$/.test(l)) this.pids.add(Number(l));
          });
          sh.on("exit", (code) => reject(new Error(`spawner shell exited early (code ${code})`)));
        }),
      );
    }
    await Promise.all(started);
  }

  /** SIGKILL every sleeper that is still a child of one of our shells, then the shells. */
  async killAll(): Promise<void> {
    const shellPids = new Set(this.shells.map((s) => s.pid));
    let killed = 0;
    for (const pid of this.pids) {
      let ppid: number | undefined;
      try {
        ppid = parseStat(fs.readFileSync(`/proc/${pid}/stat`, "utf8"))?.ppid;
      } catch {
        continue;
      }
      if (ppid === undefined || !shellPids.has(ppid)) continue; // not ours any more: never touch it
      try {
        process.kill(pid, "SIGKILL");
        killed++;
      } catch {
        /* already gone */
      }
    }
    this.pids.clear();
    // each shell's `wait` returns once its children are reaped
    const exits = this.shells.map((sh) =>
      sh.exitCode !== null || sh.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((r) => sh.once("exit", () => r())),
    );
    const timer = setTimeout(() => {
      for (const sh of this.shells)
        if (sh.exitCode === null && sh.pid)
          try {
            process.kill(sh.pid, "SIGKILL");
          } catch {
            /* gone */
          }
    }, 15_000);
    await Promise.all(exits);
    clearTimeout(timer);
    this.shells.length = 0;
    console.error(`cleaned up ${killed} sleepers`);
  }
}

function buildCFloor(dir: string): string | null {
  const out = join(dir, "cfloor");
  try {
    execFileSync("cc", ["-O2", "-o", out, join(process.cwd(), "bench", "cfloor.c")], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    return out;
  } catch (e) {
    console.error(`C floor not built (${(e as Error).message}); install a C compiler (gcc) to include it`);
    return null;
  }
}

function timeC(bin: string, mode: "full" | "cmdline"): number {
  const r = spawnSync(bin, ["/proc", "1", mode], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`cfloor failed: ${r.stderr}`);
  return Number(r.stdout.trim().split(" ")[0]);
}

function timePs(): number {
  const t0 = performance.now();
  const r = spawnSync("ps", ["-eo", "pid,ppid,etimes,args"], {
    stdio: ["ignore", "pipe", "ignore"],
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`ps failed with status ${r.status}`);
  return ms;
}

interface Row {
  target: number;
  pids: number;
  matched: number;
  expected: number;
  ours: number;
  ps: number;
  cFull: number | null;
  cCmd: number | null;
}

async function measure(target: number, cfloor: string | null, sleepers: Sleepers): Promise<Row> {
  const cfg = parseConfig({
    WATCHDOG_PROC_ENABLED: "true",
    WATCHDOG_PROC_AGE_MIN: "0",
    WATCHDOG_PROC_PATTERNS: "pytest",
  });
  if (!cfg.ok) throw new Error(cfg.errors.join("; "));
  // threshold 0: every match is blocking, so the run includes building every signal
  const src = createProcSource(cfg.config.proc, { timeoutMs: 60_000 });
  const ctx = { now: Date.now(), signal: new AbortController().signal };
  const ours: number[] = [],
    ps: number[] = [],
    cFull: number[] = [],
    cCmd: number[] = [];
  let matched = 0;
  for (let r = 0; r < WARMUP + RUNS; r++) {
    const keep = r >= WARMUP;
    // interleaved, so a noisy neighbour hurts all three alike
    const t0 = performance.now();
    const out = await src.collect(ctx);
    const ms = performance.now() - t0;
    matched = out.processes!.filter((p) => sleepers.pids.has(p.pid)).length;
    if (keep) ours.push(ms);
    const p = timePs();
    if (keep) ps.push(p);
    if (cfloor) {
      const f = timeC(cfloor, "full"),
        c = timeC(cfloor, "cmdline");
      if (keep) {
        cFull.push(f);
        cCmd.push(c);
      }
    }
  }
  return {
    target,
    pids: pidCount(),
    matched,
    expected: sleepers.pytest,
    ours: median(ours),
    ps: median(ps),
    cFull: cfloor ? median(cFull) : null,
    cCmd: cfloor ? median(cCmd) : null,
  };
}

function printTable(rows: Row[]): void {
  const f = (n: number | null) => (n === null ? "—" : n.toFixed(1));
  const x = (a: number, b: number | null) => (b === null ? "—" : `${(a / b).toFixed(2)}×`);
  console.log(
    `\nproc scan, median of ${RUNS} runs after ${WARMUP} warm-up (ms); ours = createProcSource().collect(), threshold 0, pattern "pytest"`,
  );
  console.log(
    "| processes | matched | ours | ps -eo pid,ppid,etimes,args | C floor (stat+cmdline) | C cmdline only | ours / C floor | ours / ps |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    console.log(
      `| ${r.pids} | ${r.matched}/${r.expected} | ${f(r.ours)} | ${f(r.ps)} | ${f(r.cFull)} | ${f(r.cCmd)} | ${x(r.ours, r.cFull)} | ${x(r.ours, r.ps)} |`,
    );
  }
  console.log("goal: ours ≤ 0.8× C floor and ≤ 0.45× ps");
  // one machine-readable line for scripts/bench.mjs's summary table
  console.log("BENCH " + JSON.stringify({ bench: "proc-scan", runs: RUNS, rows }));
}

async function main(): Promise<void> {
  const pidMax = Number(fs.readFileSync("/proc/sys/kernel/pid_max", "utf8"));
  const nproc = Number(execFileSync("bash", ["-c", "ulimit -u"], { encoding: "utf8" }).trim()) || Infinity;
  const dir = fs.mkdtempSync(join(tmpdir(), "wd-bench-"));
  const sleepers = new Sleepers();
  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= sleepers.killAll().finally(() => fs.rmSync(dir, { recursive: true, force: true })));
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      void cleanup().finally(() => process.exit(130));
    });
  }
  const deadline = setTimeout(() => {
    console.error("bench deadline passed; cleaning up");
    void cleanup().finally(() => process.exit(1));
  }, DEADLINE_MS);
  try {
    const cfloor = buildCFloor(dir);
    const rows: Row[] = [];
    for (const target of SIZES) {
      const need = target - pidCount();
      if (target + 1000 > pidMax || target > nproc) {
        console.error(`skipping ${target}: pid_max ${pidMax}, ulimit -u ${nproc} (raise them to bench this size)`);
        continue;
      }
      if (need > 0) {
        const t0 = performance.now();
        await sleepers.add(need);
        console.error(
          `spawned ${need} sleepers in ${((performance.now() - t0) / 1000).toFixed(1)} s (${sleepers.pids.size} in all)`,
        );
      }
      rows.push(await measure(target, cfloor, sleepers));
    }
    printTable(rows);
  } finally {
    clearTimeout(deadline);
    await cleanup();
  }
}

// bundled, this file is also the proc scan worker (probe/collectors/proc-thread.ts)
if (!runAsProcScanWorker())
  main().catch((e) => {
    console.error(`bench failed: ${(e as Error).stack ?? e}`);
    process.exitCode = 1;
  });
