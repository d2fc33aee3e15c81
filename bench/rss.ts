// The probe's memory where it matters: the bundled probe (dist/probe.js, as deployed)
// scanning a host with ~10,000 processes (1% posing as pytest) while 32 stream clients
// are connected. Reports VmRSS and the high-water mark VmHWM from /proc/<pid>/status
// after several ticks, with the V8 flags of the container image (PROBE_NODE_FLAGS="" for
// node's defaults), next to a bare `node` with the same flags measured at the same moment.
// Every sleeper, the bare node and the probe are ended by their own pids.
//
//   npm run build && npx tsx bench/rss.ts [--processes 10000]
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync } from "node:fs";
import { createInterface } from "node:readline";
import WebSocket from "ws";
import { end, mib, NODE_FLAGS, startBareNode, startProbe, statusBytes } from "./probe-process.js";

const at = process.argv.indexOf("--processes");
const TARGET = at > 0 ? Number(process.argv[at + 1]) : 10_000;
const CLIENTS = 32;
const TOKEN = "bench-rss-token-0123456789abcdef";
const GOAL_MIB = 65;

const pidCount = () => readdirSync("/proc").filter((n) => /^\d+$/.test(n)).length;

/** A bash that starts n sleepers (every 100th named like a pytest run) and prints their pids. */
async function startSleepers(n: number): Promise<{ shell: ChildProcess; pids: number[] }> {
  const script =
    `for i in $(seq 1 ${n}); do if (( i % 100 == 0 )); then (exec -a "python -m pytest tests/test_bench_$i.py" sleep 900) & ` +
    `else sleep 900 & fi; echo $!; done; echo done; wait`;
  // bash's own "Killed" job reports at clean-up are noise: its stderr is dropped
  const shell = spawn("bash", ["-c", script], { stdio: ["ignore", "pipe", "ignore"] });
  const pids: number[] = [];
  for await (const line of createInterface({ input: shell.stdout })) {
    if (line === "done") break;
    pids.push(Number(line));
  }
  return { shell, pids };
}

async function main(): Promise<void> {
  const need = Math.max(0, TARGET - pidCount());
  const t0 = performance.now();
  const sleepers = await startSleepers(need);
  console.error(`started ${need} sleepers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const bare = startBareNode();
  let probe: ChildProcess | null = null;
  const sockets: WebSocket[] = [];
  try {
    const started = await startProbe({
      WATCHDOG_PROC_ENABLED: "true",
      WATCHDOG_PROC_AGE_MIN: "0",
      WATCHDOG_TICK_S: "1",
      WATCHDOG_WS_PORT: "0",
      WATCHDOG_WS_TOKEN: TOKEN,
    });
    probe = started.child;
    const url = started.url;
    let matched = 0;
    await Promise.all(
      Array.from(
        { length: CLIENTS },
        () =>
          new Promise<void>((resolve, reject) => {
            const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
            sockets.push(ws);
            let snapshots = 0;
            ws.on("message", (d: Buffer) => {
              const m = JSON.parse(d.toString("utf8")) as {
                type: string;
                processes: unknown[];
                processesTruncated: number;
              };
              if (m.type !== "snapshot") return;
              matched = m.processes.length + m.processesTruncated;
              if (++snapshots === 8) resolve();
            });
            ws.on("error", reject);
          }),
      ),
    );
    const rss = statusBytes(probe.pid!, "VmRSS");
    const hwm = statusBytes(probe.pid!, "VmHWM");
    const anon = statusBytes(probe.pid!, "RssAnon");
    const bareRss = statusBytes(bare.pid!, "VmRSS");
    console.log(
      `probe${NODE_FLAGS.length ? ` (node ${NODE_FLAGS.join(" ")})` : ""} RSS scanning ${pidCount()} processes (${matched} matched) with ${CLIENTS} clients: ` +
        `${mib(rss)} MiB now (own memory ${mib(anon)} MiB), ${mib(hwm)} MiB peak; bare node ${mib(bareRss)} MiB: ${(rss / bareRss).toFixed(2)}× (goal < ${GOAL_MIB} MiB)`,
    );
    console.log(
      "BENCH " +
        JSON.stringify({
          bench: "rss",
          processes: pidCount(),
          matched,
          clients: CLIENTS,
          rssBytes: rss,
          hwmBytes: hwm,
          bareRssBytes: bareRss,
          anonBytes: anon,
        }),
    );
  } finally {
    for (const ws of sockets) ws.terminate();
    end(probe);
    end(bare);
    for (const pid of sleepers.pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
    if (sleepers.shell.pid && sleepers.shell.exitCode === null) process.kill(sleepers.shell.pid, "SIGKILL");
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
