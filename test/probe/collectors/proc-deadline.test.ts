// A read that blocks in the kernel: one pid's cmdline is a FIFO, which blocks whoever
// opens it for reading until a writer comes. The scan runs in a worker thread with a
// deadline, so the probe keeps answering and the source names where it was stuck.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startProbe, type Probe } from "../../../probe/app.js";
import { stuckThreads } from "../../../probe/collectors/proc-thread.js";
import { parseConfig } from "../../../probe/config.js";
import { silentLogger } from "../../../probe/log.js";
import type { Snapshot } from "../../../probe/protocol.js";

const TOKEN = "deadline-token-0123456789abcdef";
const temps: string[] = [];
const probes: Probe[] = [];
const fifos: string[] = [];

afterEach(async () => {
  for (const f of fifos.splice(0)) unblock(f);
  for (const p of probes.splice(0)) await p.stop();
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Lets a thread blocked opening `fifo` go on (it then reads end-of-file), and leaves a regular file there. */
function unblock(fifo: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK); // ENXIO: no reader waits
  } catch {
    /* nobody is blocked on it */
  }
  fs.rmSync(fifo, { force: true });
  fs.writeFileSync(fifo, "pytest\0");
  if (fd !== null) fs.closeSync(fd);
}

function tree(): string {
  const root = fs.mkdtempSync(join("/dev/shm", "wd-deadline-"));
  temps.push(root);
  fs.writeFileSync(join(root, "uptime"), "100000.00 1900.00\n");
  fs.writeFileSync(join(root, "stat"), "cpu 1 2 3\nbtime 1781000000\n");
  for (const pid of [800, 801]) {
    fs.mkdirSync(join(root, String(pid)));
    fs.writeFileSync(join(root, `${pid}/cmdline`), `python\0-m\0pytest\0-k\0t${pid}\0`);
    fs.writeFileSync(
      join(root, `${pid}/stat`),
      `${pid} (python) S 1 ${pid} ${pid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 500 1 1\n`,
    );
  }
  return root;
}

const procStatus = (s: Snapshot) => s.sources.find((x) => x.name === "proc")!;
const signal = (s: Snapshot, key: string) => s.signals.find((x) => x.key === key);
const alert = (s: Snapshot, key: string) => s.alerts.find((a) => a.key === key);

describe("a proc scan that blocks in the kernel", () => {
  it("is abandoned at its deadline, naming the pid and file, keeping the signals, while /healthz answers", async () => {
    const root = tree();
    const cfg = parseConfig({
      WATCHDOG_PROC_ENABLED: "true",
      WATCHDOG_PROC_ROOT: root,
      WATCHDOG_PROC_AGE_MIN: "0",
      WATCHDOG_SOURCE_TIMEOUT_S: "6",
      WATCHDOG_TICK_S: "3600", // ticks are driven by the test
      WATCHDOG_WS_PORT: "0",
      WATCHDOG_WS_TOKEN: TOKEN,
    });
    if (!cfg.ok) throw new Error(cfg.errors.join("; "));
    const probe = await startProbe(cfg.config, { log: silentLogger, token: TOKEN });
    probes.push(probe);
    const healthz = probe.url!.replace("ws://", "http://").replace("/v1/stream", "/healthz");

    // the worker may still be starting on a busy machine: a bounded number of tries
    let snap = await probe.loop.tick();
    for (let i = 0; i < 5 && !procStatus(snap).ok; i++) snap = await probe.loop.tick();
    expect(procStatus(snap)).toMatchObject({ ok: true });
    expect(signal(snap, "proc_blocking:800")?.active).toBe(true);
    expect(alert(snap, "proc_blocking:800")).toMatchObject({ firing: true, notifications: 1 });

    const fifo = join(root, "800/cmdline");
    fs.rmSync(fifo);
    execFileSync("mkfifo", [fifo]);
    fifos.push(fifo);
    let tickDone = false;
    const blocked = probe.loop.tick().finally(() => (tickDone = true));
    const health = await fetch(healthz);
    expect(health.status).toBe(200);
    expect(tickDone).toBe(false); // answered while the scan was still blocked

    snap = await blocked;
    expect(procStatus(snap).ok).toBe(false);
    expect(procStatus(snap).error).toContain(`stuck reading ${root}/800/cmdline (pid 800)`);
    expect(signal(snap, "source_error:proc")).toMatchObject({ active: true });
    // the last signals stay: neither process looks recovered
    expect(signal(snap, "proc_blocking:800")?.active).toBe(true);
    expect(signal(snap, "proc_blocking:801")?.active).toBe(true);
    expect(alert(snap, "proc_blocking:800")).toMatchObject({ firing: true, notifications: 1 });
    expect(stuckThreads().map((s) => s.pid)).toContain(800);

    // the next tick scans with a fresh worker, skipping the pid the old one is stuck on
    snap = await probe.loop.tick();
    expect(procStatus(snap)).toMatchObject({ ok: true });
    expect(snap.processes.map((p) => p.pid).sort()).toEqual([800, 801]);
    expect(signal(snap, "source_error:proc:unreadable")).toMatchObject({ active: true, severity: "warning" });
    expect(signal(snap, "source_error:proc:unreadable")!.detail).toContain(`pid 800: a scan thread is stuck reading`);
    expect(alert(snap, "proc_blocking:800")).toMatchObject({ firing: true, notifications: 1 });

    // once the read returns, the old thread ends and pid 800 is read again
    unblock(fifo);
    for (let i = 0; i < 50 && stuckThreads().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    snap = await probe.loop.tick();
    expect(procStatus(snap)).toMatchObject({ ok: true });
    expect(signal(snap, "source_error:proc:unreadable")?.active).toBe(false);
    expect(alert(snap, "proc_blocking:800")).toMatchObject({ firing: true, notifications: 1 });
  });
});
