import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createProcSource } from "../../../probe/collectors/proc.js";
import { scanThreadCount } from "../../../probe/collectors/proc-thread.js";
import { parseConfig, type Config } from "../../../probe/config.js";
import { TickLoop, type DecisionEvent } from "../../../probe/loop.js";
import { ProcessSchema, SignalSchema } from "../../../probe/protocol.js";
import type { Source, SourceOutput } from "../../../probe/source.js";

const FIX = join(import.meta.dirname, "../../fixtures/proc");
// tmpfs when there is one: creating hundreds of small files on a busy ext4 takes seconds
const TMP = (() => {
  try {
    fs.accessSync("/dev/shm", fs.constants.W_OK);
    return "/dev/shm";
  } catch {
    return tmpdir();
  }
})();
const ctx = () => ({ now: Date.now(), signal: new AbortController().signal });

function procConfig(env: Record<string, string>): Config["proc"] {
  const r = parseConfig({ WATCHDOG_PROC_ENABLED: "true", ...env });
  if (!r.ok) throw new Error(r.errors.join("; "));
  return r.config.proc;
}

function source(root: string, extra: Record<string, string> = {}): Source {
  return createProcSource(procConfig({ WATCHDOG_PROC_ROOT: root, ...extra }), { timeoutMs: 5000, clkTck: 100 });
}

const temps: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A writable fake /proc: uptime 1000 s, btime set, and the pids given. */
function tempTree(): {
  root: string;
  pid(pid: number, o: { cmdline: string; starttime?: number | string; ppid?: number; comm?: string }): void;
} {
  const root = fs.mkdtempSync(join(TMP, "wd-proc-"));
  temps.push(root);
  fs.writeFileSync(join(root, "uptime"), "1000.00 1900.00\n");
  fs.writeFileSync(join(root, "stat"), "cpu 1 2 3\nbtime 1781000000\n");
  return {
    root,
    pid(pid, o) {
      const dir = join(root, String(pid));
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(join(dir, "cmdline"), o.cmdline);
      fs.writeFileSync(
        join(dir, "stat"),
        `${pid} (${o.comm ?? "python"}) S ${o.ppid ?? 1} ${pid} ${pid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ${o.starttime ?? 50000} 1 1\n`,
      );
    },
  };
}

describe("proc source on the fixture tree", () => {
  it("lists matched processes oldest first, redacted, with orphaned and blocking", async () => {
    const out = await source(FIX).collect(ctx());
    const procs = out.processes!.map((p) => ProcessSchema.parse(p));
    expect(procs.map((p) => p.pid)).toEqual([4900, 4800, 4242, 4300]);
    expect(procs.map((p) => [p.pid, p.orphaned, p.blocking])).toEqual([
      [4900, true, true], // ppid 1
      [4800, false, true], // under bash
      [4242, true, true], // under a container's tini
      [4300, false, false], // 60 s old, under python
    ]);
    expect(procs[2]).toMatchObject({
      comm: "python",
      ppid: 50,
      ageS: 7260,
      cmdline: "python -m pytest tests/ --token=***",
      startedAt: "2026-06-10T11:59:00.000Z",
    });
    expect(procs[3]!.comm).toBe("pytest) (x");
    expect(procs[3]!.argv).toEqual([
      "pytest",
      "-k",
      "not slow and token",
      "tests/test_auth.py::test_login[password=x]",
    ]);
    expect(procs[1]!.cmdline).toBe("pytest --db postgres://app:***@db:5432/test tests/");
    expect(out.processesTruncated).toBe(0);
  });

  it("gives one active proc_blocking signal per blocking pid", async () => {
    const out = await source(FIX).collect(ctx());
    const sigs = out.signals.map((s) => SignalSchema.parse(s));
    // in /proc's own order; compare as a set
    expect(sigs.map((s) => [s.key, s.active, s.title]).sort()).toEqual([
      ["proc_blocking:4242", true, "pytest 4242 running for 2h 1m"],
      ["proc_blocking:4800", true, "pytest 4800 running for 3h"],
      ["proc_blocking:4900", true, "pytest 4900 running for 1d 1h"],
    ]);
  });

  it("skips and counts zombies' absence, garbage, vanished, unreadable and non-numeric entries", async () => {
    const out = await source(FIX).collect(ctx());
    // self, thread-self, sys, cpuinfo, stat, uptime | 4500 | 4600 | 5000 (symlink), 5100 (directory)
    expect(out.skipped).toEqual({ nonNumeric: 6, garbage: 1, vanished: 1, unreadable: 2 });
    expect(out.processes!.some((p) => p.pid === 4400)).toBe(false); // the zombie has no cmdline
  });

  it("matches regex and multi-word patterns on the spaced cmdline", async () => {
    const pids = async (patterns: string) =>
      (await source(FIX, { WATCHDOG_PROC_PATTERNS: patterns }).collect(ctx()))
        .processes!.map((p) => p.pid)
        .sort((a, b) => a - b);
    expect(await pids("/pytest -x$/")).toEqual([4900]);
    expect(await pids("m pytest")).toEqual([4242, 4900]);
    expect(await pids("/^pytest --db/,tini")).toEqual([50, 4800]);
    expect(await pids("no-such-program")).toEqual([]);
  });

  it("never lets an environment or a secret out", async () => {
    const text = JSON.stringify(await source(FIX).collect(ctx()));
    for (const secret of ["SENTINEL_ENVIRON", "abc123", "hunter2"]) expect(text).not.toContain(secret);
  });

  it("never opens anything named environ: an environ that would block the scan does not", async () => {
    const t = tempTree();
    t.pid(4242, { cmdline: "python\0-m\0pytest\0" });
    // a FIFO blocks whoever opens it for reading: had the scan opened it, it would have hung
    execFileSync("mkfifo", [join(t.root, "4242/environ")]);
    const out = await source(t.root, { WATCHDOG_PROC_AGE_MIN: "0" }).collect(ctx());
    expect(out.processes!.map((p) => p.pid)).toEqual([4242]);
  });

  it("reads nothing at all when disabled", async () => {
    const threadsBefore = scanThreadCount();
    const calls = [vi.spyOn(fs, "openSync"), vi.spyOn(fs, "readdirSync"), vi.spyOn(fs, "readFileSync")];
    const src = createProcSource(procConfig({ WATCHDOG_PROC_ENABLED: "false", WATCHDOG_PROC_ROOT: FIX }), {
      timeoutMs: 1000,
    });
    expect(await src.collect(ctx())).toEqual({ signals: [], processes: [], processesTruncated: 0 });
    for (const c of calls) expect(c).not.toHaveBeenCalled();
    expect(scanThreadCount()).toBe(threadsBefore); // and no scan worker was started
  });
});

describe("proc source failures", () => {
  it("rejects with one error naming the root when the root cannot be listed", async () => {
    await expect(source("/nonexistent/proc-root").collect(ctx())).rejects.toThrow(
      "cannot list /nonexistent/proc-root: ENOENT",
    );
  });

  it("rejects naming uptime when uptime is unreadable or garbage", async () => {
    const t = tempTree();
    fs.rmSync(join(t.root, "uptime"));
    await expect(source(t.root).collect(ctx())).rejects.toThrow(`cannot read ${t.root}/uptime: ENOENT`);
    fs.writeFileSync(join(t.root, "uptime"), "soon\n");
    await expect(source(t.root).collect(ctx())).rejects.toThrow("cannot parse");
  });

  it("counts a pid whose files are gone (ENOENT) as vanished and goes on", async () => {
    const t = tempTree();
    t.pid(700, { cmdline: "pytest\0a\0" });
    t.pid(701, { cmdline: "pytest\0b\0" });
    t.pid(702, { cmdline: "pytest\0c\0" });
    fs.rmSync(join(t.root, "700/stat")); // exited between the two reads
    fs.rmSync(join(t.root, "701/cmdline")); // exited after the listing
    const out = await source(t.root, { WATCHDOG_PROC_AGE_MIN: "0" }).collect(ctx());
    expect(out.processes!.map((p) => p.pid)).toEqual([702]);
    expect(out.skipped).toEqual({ vanished: 2, nonNumeric: 2 }); // + uptime, stat
  });
});

describe("proc source across ticks", () => {
  it("sees a process that exec()s into a matching cmdline on the next tick", async () => {
    const t = tempTree();
    t.pid(900, { cmdline: "bash\0-c\0run-tests\0" });
    const src = source(t.root, { WATCHDOG_PROC_AGE_MIN: "0" });
    expect((await src.collect(ctx())).processes).toEqual([]);
    fs.writeFileSync(join(t.root, "900/cmdline"), "python\0-m\0pytest\0");
    const out = await src.collect(ctx());
    expect(out.processes!.map((p) => p.cmdline)).toEqual(["python -m pytest"]);
    expect(out.signals.map((s) => [s.key, s.active])).toEqual([["proc_blocking:900", true]]);
  });

  it("turns an exit and a reused pid into recoveries and fresh alerts through the loop", async () => {
    const t = tempTree();
    t.pid(900, { cmdline: "pytest\0", starttime: 10000 });
    const decisions: DecisionEvent[] = [];
    const loop = new TickLoop({
      enabled: true,
      tickS: 1,
      sources: [source(t.root, { WATCHDOG_PROC_AGE_MIN: "0" })],
      cooldownFor: () => 1800,
      orchIdle: { configured: false, up: null, failures: 0, threshold: 3, lastOkAt: null, lastError: null },
      onDecision: (d) => decisions.push(d),
    });
    const actions = () => decisions.splice(0).map((d) => `${d.action} ${d.signal.key}`);
    await loop.tick();
    expect(actions()).toEqual(["alert proc_blocking:900"]);
    await loop.tick();
    expect(actions()).toEqual([]); // same process, inside the cooldown
    t.pid(900, { cmdline: "pytest\0", starttime: 60000 }); // the pid now belongs to another process
    await loop.tick();
    expect(actions()).toEqual(["recovery proc_blocking:900"]);
    await loop.tick();
    expect(actions()).toEqual(["alert proc_blocking:900"]);
    fs.rmSync(join(t.root, "900"), { recursive: true }); // it exits
    const snap = await loop.tick();
    expect(actions()).toEqual(["recovery proc_blocking:900"]);
    expect(snap.processes).toEqual([]);
  });

  it("lists at most 500 processes, the oldest, and counts the rest; every blocking one still signals", async () => {
    const t = tempTree();
    for (let i = 0; i < 510; i++) t.pid(1000 + i, { cmdline: `pytest\0-k\0t${i}\0`, starttime: 90000 - i * 10 });
    const out = await source(t.root, { WATCHDOG_PROC_AGE_MIN: "0" }).collect(ctx());
    expect(out.processes).toHaveLength(500);
    expect(out.processesTruncated).toBe(10);
    expect(out.processes![0]!.pid).toBe(1509);
    expect(out.processes![499]!.pid).toBe(1010);
    expect(out.signals).toHaveLength(510);
  });
});

describe("proc source on the real /proc", () => {
  it("finds a live sleeper posing as pytest, by pid, blocking, with its token masked", async () => {
    const child = spawn("bash", ["-c", 'exec -a "python -m pytest tests/ --token=abc" sleep 30'], { stdio: "ignore" });
    const pid = child.pid!;
    try {
      for (let i = 0; i < 100; i++) {
        // until bash has exec'd
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
        if (cmd.startsWith("python -m pytest")) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const src = createProcSource(procConfig({ WATCHDOG_PROC_ROOT: "/proc", WATCHDOG_PROC_AGE_MIN: "0" }), {
        timeoutMs: 10_000,
      });
      const out: SourceOutput = await src.collect(ctx());
      const p = out.processes!.find((x) => x.pid === pid);
      expect(p).toMatchObject({ pid, ppid: process.pid, comm: "sleep", blocking: true, orphaned: false });
      expect(p!.argv).toEqual(["python -m pytest tests/ --token=***", "30"]);
      expect(p!.cmdline).toBe("python -m pytest tests/ --token=*** 30");
      expect(Date.parse(p!.startedAt!)).toBeGreaterThan(Date.now() - 60_000);
      expect(out.signals.find((s) => s.entity === String(pid))).toMatchObject({ active: true, severity: "critical" });
      expect(JSON.stringify(out)).not.toContain("--token=abc");
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("proc source on a garbage stat", () => {
  it("skips and counts a pid whose starttime is out of range; the others are still listed", async () => {
    const t = tempTree();
    t.pid(900, { cmdline: "pytest\0a\0" });
    t.pid(901, { cmdline: "pytest\0b\0", starttime: "99999999999999999999" });
    t.pid(902, { cmdline: "pytest\0c\0", starttime: 9007199254740991 }); // a number, but after now
    const out = await source(t.root, { WATCHDOG_PROC_AGE_MIN: "0" }).collect(ctx());
    expect(out.processes!.map((p) => p.pid)).toEqual([900]);
    expect(out.skipped).toMatchObject({ garbage: 2 });
  });

  it("keeps a watched pid whose stat turns to garbage, firing, with a warning", async () => {
    const t = tempTree();
    t.pid(900, { cmdline: "pytest\0a\0" });
    const decisions: DecisionEvent[] = [];
    const loop = new TickLoop({
      enabled: true,
      tickS: 1,
      sources: [source(t.root, { WATCHDOG_PROC_AGE_MIN: "0" })],
      cooldownFor: () => 1800,
      orchIdle: { configured: false, up: null, failures: 0, threshold: 3, lastOkAt: null, lastError: null },
      onDecision: (d) => decisions.push(d),
    });
    await loop.tick();
    t.pid(900, { cmdline: "pytest\0a\0", starttime: "99999999999999999999" });
    const snap = await loop.tick();
    expect(snap.sources).toMatchObject([{ name: "proc", ok: true }]);
    expect(snap.processes.map((p) => p.pid)).toEqual([900]);
    expect(snap.signals.find((s) => s.key === "source_error:proc:unreadable")?.detail).toContain(
      "pid 900: its stat is garbage",
    );
    expect(decisions.map((d) => `${d.action} ${d.signal.key}`)).toEqual([
      "alert proc_blocking:900",
      "alert source_error:proc:unreadable",
    ]);
  });
});
