// The bundled probe (one file, its scan worker inside) against fake /proc trees that the
// kernel makes hostile: a cmdline that blocks every read (a FIFO), and files that turn
// unreadable (mode 000, read by a probe running as nobody, where modes apply).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ServerMessageSchema, type Decision, type Snapshot } from "../../../probe/protocol.js";
import { buildProbeBundle } from "../../helpers/probe-bundle.js";

const TOKEN = "bundle-token-0123456789abcdef";
const dir = fs.mkdtempSync(join(tmpdir(), "watchdog-proc-bundle-"));
const bundle = join(dir, "probe.js");
const started: ChildProcess[] = [];
const temps: string[] = [];

beforeAll(async () => {
  fs.chmodSync(dir, 0o755); // nobody runs it too
  await buildProbeBundle(bundle);
});
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function tree(pids: number[]): string {
  const root = fs.mkdtempSync(join("/dev/shm", "wd-bundle-"));
  fs.chmodSync(root, 0o755);
  temps.push(root);
  fs.writeFileSync(join(root, "uptime"), "100000.00 1900.00\n");
  fs.writeFileSync(join(root, "stat"), "cpu 1 2 3\nbtime 1781000000\n");
  for (const pid of pids) {
    fs.mkdirSync(join(root, String(pid)), { mode: 0o755 });
    fs.writeFileSync(join(root, `${pid}/cmdline`), `python\0-m\0pytest\0-k\0t${pid}\0`);
    fs.writeFileSync(
      join(root, `${pid}/stat`),
      `${pid} (python) S 1 ${pid} ${pid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 500 1 1\n`,
    );
  }
  return root;
}

/** `node probe.js` (as nobody with asNobody), and the frames of one stream client. */
async function run(env: Record<string, string>, asNobody = false) {
  const argv = [process.execPath, bundle];
  const [cmd, ...args] = asNobody ? ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", ...argv] : argv;
  const child = spawn(cmd!, args, {
    env: { PATH: process.env.PATH ?? "", WATCHDOG_WS_PORT: "0", WATCHDOG_WS_TOKEN: TOKEN, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    cwd: dir,
  });
  started.push(child);
  let stdout = "",
    stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) =>
    child.on("exit", (code, signal) => r({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (d) => {
      stdout += d;
      const m = /"event":"listening".*?"url":"([^"]+)"/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    child.on("exit", () => reject(new Error(`probe exited before listening: ${stderr}`)));
  });
  const snaps: Snapshot[] = [];
  const decisions: Decision[] = [];
  const waiters: (() => void)[] = [];
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
  ws.on("message", (d) => {
    const m = ServerMessageSchema.parse(JSON.parse((d as Buffer).toString()));
    if (m.type === "snapshot") snaps.push(m);
    if (m.type === "decision") decisions.push(m);
    for (const w of waiters.splice(0)) w();
  });
  /** the first snapshot (from now on) that fits */
  const snapshot = (ok: (s: Snapshot) => boolean) =>
    new Promise<Snapshot>((resolve, reject) => {
      const from = snaps.length;
      const check = () => {
        const s = snaps.slice(from).find(ok);
        if (s) resolve(s);
        else if (child.exitCode !== null) reject(new Error(`probe exited: ${stderr}`));
        else waiters.push(check);
      };
      check();
    });
  return { child, exited, url, ws, snapshot, decisions, err: () => stderr };
}

const proc = (s: Snapshot) => s.sources.find((x) => x.name === "proc");
const sig = (s: Snapshot, key: string) => s.signals.find((x) => x.key === key);

describe("the bundled probe's proc scan", () => {
  it("scans in its worker, abandons a scan stuck on a FIFO, answers /healthz meanwhile and stops on SIGTERM", async () => {
    const root = tree([800, 801]);
    const p = await run({
      WATCHDOG_PROC_ENABLED: "true",
      WATCHDOG_PROC_ROOT: root,
      WATCHDOG_PROC_AGE_MIN: "0",
      WATCHDOG_TICK_S: "0.5",
      WATCHDOG_SOURCE_TIMEOUT_S: "4",
    });
    const first = await p.snapshot((s) => proc(s)?.ok === true && s.processes.length === 2);
    expect(sig(first, "proc_blocking:800")?.active).toBe(true);

    // made aside and renamed over: a scan between an rm and a mkfifo would see pid 800 exit
    execFileSync("mkfifo", [join(root, "800/cmdline.fifo")]);
    fs.renameSync(join(root, "800/cmdline.fifo"), join(root, "800/cmdline"));
    const health = await fetch(p.url.replace("ws://", "http://").replace("/v1/stream", "/healthz"));
    expect(health.status).toBe(200);
    const failed = await p.snapshot((s) => proc(s)?.ok === false);
    expect(proc(failed)!.error).toContain(`stuck reading ${root}/800/cmdline (pid 800)`);
    expect(sig(failed, "proc_blocking:800")?.active).toBe(true);
    // next ticks: a fresh worker, pid 800 skipped while the old thread is stuck on it
    const again = await p.snapshot((s) => proc(s)?.ok === true);
    expect(sig(again, "source_error:proc:unreadable")?.detail).toContain("pid 800: a scan thread is stuck");
    expect(p.decisions.filter((d) => d.action === "recovery").map((d) => d.key)).toEqual(["source_error:proc"]);

    p.child.kill("SIGTERM");
    // process.exit() would wait for the stuck thread forever: the probe leaves by the signal
    expect(await p.exited).toEqual({ code: null, signal: "SIGTERM" });
    expect(p.err()).toContain(`stuck in the kernel (${root}/800/cmdline (pid 800))`);
    p.ws.close();
  });

  it("keeps an unreadable pid (EACCES, as nobody) listed and firing, with a warning, never a recovery", async () => {
    const root = tree([4242, 4243]);
    const p = await run(
      {
        WATCHDOG_PROC_ENABLED: "true",
        WATCHDOG_PROC_ROOT: root,
        WATCHDOG_PROC_AGE_MIN: "0",
        WATCHDOG_TICK_S: "0.3",
      },
      true,
    );
    await p.snapshot((s) => proc(s)?.ok === true && s.alerts.filter((a) => a.firing).length === 2);
    fs.chmodSync(join(root, "4242/cmdline"), 0o000);
    fs.chmodSync(join(root, "4243/stat"), 0o000);
    const held = await p.snapshot((s) => sig(s, "source_error:proc:unreadable")?.active === true);
    // a second tick with the files still unreadable: nothing recovers on the way either
    const later = await p.snapshot((s) => s.seq > held.seq);
    for (const s of [held, later]) {
      expect(s.processes.map((x) => x.pid).sort()).toEqual([4242, 4243]);
      expect(sig(s, "proc_blocking:4242")?.active).toBe(true);
      expect(sig(s, "proc_blocking:4243")?.active).toBe(true);
    }
    expect(sig(held, "source_error:proc:unreadable")).toMatchObject({ severity: "warning" });
    expect(sig(held, "source_error:proc:unreadable")!.title).toContain("2 watched pids are unreadable");
    expect(sig(held, "source_error:proc:unreadable")!.detail).toContain("pid 4242: EACCES reading its cmdline");
    expect(sig(held, "source_error:proc:unreadable")!.detail).toContain("pid 4243: EACCES reading its stat");
    expect(p.decisions.filter((d) => d.action === "recovery")).toEqual([]);

    // the process really exits: its directory goes, and only then it recovers
    fs.rmSync(join(root, "4242"), { recursive: true });
    await p.snapshot((s) => !s.processes.some((x) => x.pid === 4242));
    expect(p.decisions.filter((d) => d.action === "recovery").map((d) => d.key)).toEqual(["proc_blocking:4242"]);
    p.ws.close();
    p.child.kill("SIGTERM");
    expect((await p.exited).code).toBe(0);
  });
});
