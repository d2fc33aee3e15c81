// Tick cost: one whole tick (every configured source, decide(), snapshot) with the proc
// source off and on, against a local /metrics server, next to one `ps -e` run measured
// in the same process as a reference. With proc off /proc is never read, so the tick
// costs only the metrics fetch and the host source.
//
//   npx tsx bench/tick.ts [--ticks 200]
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseConfig } from "../probe/config.js";
import { TickLoop } from "../probe/loop.js";
import { buildSources, cooldownFor, orchIdle } from "../probe/sources.js";
import { runAsProcScanWorker } from "../probe/collectors/proc-worker.js";

const i = process.argv.indexOf("--ticks");
const TICKS = i > 0 ? Number(process.argv[i + 1]) : 200;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function measure(env: Record<string, string>): Promise<number> {
  const parsed = parseConfig(env);
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  const cfg = parsed.config;
  const loop = new TickLoop({
    enabled: true,
    tickS: 3600,
    sources: buildSources(cfg),
    cooldownFor: cooldownFor(cfg),
    orchIdle: orchIdle(cfg),
  });
  const times: number[] = [];
  for (let t = 0; t < TICKS; t++) {
    const t0 = performance.now();
    await loop.tick();
    times.push(performance.now() - t0);
  }
  return median(times.slice(Math.min(10, TICKS >> 2)));
}

async function main(): Promise<void> {
  const body = "# TYPE orch_up gauge\norch_up 1\norch_jobs_running 3\n";
  const server = createServer((_req, res) => res.end(body));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;

  try {
    const off = await measure({ WATCHDOG_METRICS_URL: url, WATCHDOG_PROC_ENABLED: "false" });
    const on = await measure({ WATCHDOG_METRICS_URL: url, WATCHDOG_PROC_ENABLED: "true", WATCHDOG_PROC_AGE_MIN: "0" });
    const ps: number[] = [];
    for (let t = 0; t < 20; t++) {
      const t0 = performance.now();
      spawnSync("ps", ["-eo", "pid,ppid,etimes,args"], { stdio: "ignore" });
      ps.push(performance.now() - t0);
    }
    const psMs = median(ps);
    console.log(`tick cost, median of ${TICKS} ticks (metrics from a loopback server + host source):`);
    console.log(
      `  proc off: ${off.toFixed(2)} ms   proc on: ${on.toFixed(2)} ms   one \`ps -eo pid,ppid,etimes,args\`: ${psMs.toFixed(2)} ms`,
    );
    console.log(`  proc off / ps: ${(off / psMs).toFixed(2)}×   proc on / ps: ${(on / psMs).toFixed(2)}×`);
    console.log("BENCH " + JSON.stringify({ bench: "tick", ticks: TICKS, procOffMs: off, procOnMs: on, psMs }));
  } finally {
    server.close();
  }
}

// bundled, this file is also the proc scan worker (probe/collectors/proc-thread.ts)
if (!runAsProcScanWorker())
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
