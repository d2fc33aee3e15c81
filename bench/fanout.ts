// Fan-out bench: the real stream server, 32 clients in a separate process (as remote
// extensions would be), a snapshot with 500 processes. Measures the time from
// broadcast() (tick end, serialization included) to the last client receiving the
// frame, over ROUNDS rounds, and the server process's RSS.
//   npx tsx bench/fanout.ts            (env: FANOUT_ROUNDS, FANOUT_CLIENTS)
// Clocks: both processes use performance.timeOrigin + performance.now() (epoch ms, sub-ms).
import { fork } from "node:child_process";
import { cpus, loadavg } from "node:os";
import WebSocket from "ws";
import { MAX_CLIENTS, MAX_PROCESSES, SnapshotSchema } from "../probe/protocol.js";
import { startServer } from "../probe/server/http.js";
import { generateToken } from "../probe/server/token.js";
import { makeHello, makeSnapshot } from "../test/probe/server/fixtures.js";

const ROUNDS = Number(process.env.FANOUT_ROUNDS ?? 200);
const CLIENTS = Number(process.env.FANOUT_CLIENTS ?? MAX_CLIENTS);
const GAP_MS = 20; // rounds are isolated, as ticks 15 s apart are
const now = () => performance.timeOrigin + performance.now();
const SEQ_RE = /"seq":(\d+)/;

type FromClients = { ready: true } | { seq: number; lastAt: number } | { error: string };

/** Child process: CLIENTS connections; reports, per snapshot seq, when the last of them got it. */
async function clients(url: string, token: string): Promise<void> {
  const got = new Map<number, { n: number; lastAt: number }>();
  const send = (m: FromClients) => process.send!(m);
  await Promise.all(
    Array.from(
      { length: CLIENTS },
      () =>
        new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
          let frames = 0;
          ws.on("message", (data: Buffer) => {
            const at = now();
            if (++frames === 2) resolve(); // hello + first snapshot
            const m = SEQ_RE.exec(data.subarray(0, 64).toString("latin1"));
            if (!m || frames <= 2) return;
            const seq = Number(m[1]);
            const g = got.get(seq) ?? { n: 0, lastAt: 0 };
            g.n++;
            g.lastAt = Math.max(g.lastAt, at);
            got.set(seq, g);
            if (g.n === CLIENTS) {
              got.delete(seq);
              send({ seq, lastAt: g.lastAt });
            }
          });
          ws.on("error", (e) => {
            send({ error: e.message });
            reject(e);
          });
          ws.on("close", (code) => {
            if (code !== 1001) send({ error: `closed ${code}` });
          });
        }),
    ),
  );
  send({ ready: true });
  process.on("disconnect", () => process.exit(0));
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const token = generateToken();
  const base = makeSnapshot(1, MAX_PROCESSES);
  SnapshotSchema.parse(base);
  let latest = base;
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    token,
    hello: makeHello,
    snapshot: () => latest,
    alive: () => true,
    metricsText: () => "",
  });
  const rssIdle = process.memoryUsage().rss;
  const child = fork(process.argv[1]!, ["--clients", server.url, token], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiters = new Map<number, (lastAt: number) => void>();
  let ready!: () => void;
  const readyP = new Promise<void>((r) => {
    ready = r;
  });
  child.on("message", (m: FromClients) => {
    if ("error" in m) {
      console.error(`client process: ${m.error}`);
      process.exitCode = 1;
    } else if ("ready" in m) ready();
    else waiters.get(m.seq)?.(m.lastAt);
  });
  try {
    await readyP;
    const lat: number[] = [];
    const sync: number[] = [];
    const cpu: number[] = [];
    let rssMax = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const seq = 1000 + r;
      const snap = { ...base, seq, at: new Date().toISOString() };
      latest = snap;
      const arrived = new Promise<number>((resolve) => waiters.set(seq, resolve));
      const t0 = now();
      const c0 = process.cpuUsage();
      server.broadcast(snap);
      sync.push(now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      const lastAt = await arrived;
      waiters.delete(seq);
      lat.push(lastAt - t0);
      rssMax = Math.max(rssMax, process.memoryUsage().rss);
      await new Promise((res) => setTimeout(res, GAP_MS));
    }
    lat.sort((a, b) => a - b);
    sync.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    const bytes = Buffer.byteLength(JSON.stringify(base));
    const mib = (n: number) => (n / 1048576).toFixed(1);
    console.log(
      `fan-out: ${CLIENTS} clients, ${base.processes.length} processes, snapshot ${(bytes / 1024).toFixed(0)} KiB, ${ROUNDS} rounds`,
    );
    console.log(
      `  broadcast → last client: p50 ${pct(lat, 50).toFixed(2)} ms  p99 ${pct(lat, 99).toFixed(2)} ms  max ${lat.at(-1)!.toFixed(2)} ms`,
    );
    console.log(
      `  of which broadcast() itself (serialize once + queue to every socket): p50 ${pct(sync, 50).toFixed(2)} ms  p99 ${pct(sync, 99).toFixed(2)} ms wall; CPU p50 ${pct(cpu, 50).toFixed(2)} ms  p99 ${pct(cpu, 99).toFixed(2)} ms`,
    );
    console.log(`  machine load average (1 min): ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
    console.log(
      `  server process RSS: ${mib(process.memoryUsage().rss)} MiB now, ${mib(rssMax)} MiB max; ${mib(rssIdle)} MiB before the clients came (goal: p99 < 25 ms)`,
    );
    console.log(
      "BENCH " +
        JSON.stringify({
          bench: "fanout",
          clients: CLIENTS,
          processes: base.processes.length,
          rounds: ROUNDS,
          p50Ms: pct(lat, 50),
          p99Ms: pct(lat, 99),
          rssMaxBytes: rssMax,
          rssIdleBytes: rssIdle,
        }),
    );
    if (server.stats().clients !== CLIENTS) {
      console.error(`clients dropped: ${JSON.stringify(server.stats())}`);
      process.exitCode = 1;
    }
  } finally {
    child.disconnect();
    child.kill("SIGTERM"); // the child we forked, by its own handle
    await server.close();
  }
}

if (process.argv[2] === "--clients") {
  clients(process.argv[3]!, process.argv[4]!).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
