// The proc source: the thin I/O edge over WATCHDOG_PROC_ROOT. Everything it decides is
// in proc-parse.ts. Speed: synchronous open/read/close into one reused buffer (a scan
// of 10,000 pids with fs.promises is ~7× slower); each pid's cmdline is read first and
// its stat only when the cmdline matched, so the common case costs three syscalls.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import type { Config } from "../config.js";
import type { ProcessInfo, Signal } from "../protocol.js";
import { MAX_PROCESSES } from "../protocol.js";
import type { CollectContext, Source, SourceOutput } from "../source.js";
import type { SignalTexts } from "../signal-texts.js";
import {
  ageSeconds,
  buildPidReusedSignal,
  buildProcessInfo,
  buildProcSignal,
  matchCmdline,
  matchLabel,
  oldestFirst,
  parseBtime,
  parseCmdline,
  parseStat,
  parseUptime,
  type PatternMatch,
  type ProcStat,
} from "./proc-parse.js";

/** A cmdline longer than this is matched and shown truncated (ARG_MAX can be megabytes). */
const CMDLINE_MAX = 64 * 1024;
const SMALL_MAX = 4096;
// O_NONBLOCK: a FIFO in a fake tree must not hang the scan; O_NOFOLLOW: a symlinked
// `cmdline -> environ` in a fake tree must not lead us into the environment.
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW;

type ProcSkipReason = "nonNumeric" | "vanished" | "unreadable" | "garbage";

/** CLK_TCK from `getconf`, 100 when that fails (it is 100 on every Linux we know of). */
function readClkTck(): number {
  try {
    const out = execFileSync("getconf", ["CLK_TCK"], {
      encoding: "utf8",
      timeout: 2000,
      stdio: ["ignore", "pipe", "ignore"],
    });
    const n = Number(out.trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** Reads a file into `buf`; returns the byte count. Throws the fs error (with its code). */
function readInto(path: string, buf: Buffer): number {
  // Invariant 1 (read-only, no environ): a process's environment is never opened.
  if (path.endsWith("/environ") || path === "environ") throw new Error(`refusing to open ${path}`);
  const fd = fs.openSync(path, OPEN_FLAGS);
  try {
    return fs.readSync(fd, buf, 0, buf.length, null);
  } finally {
    fs.closeSync(fd);
  }
}

function reasonOf(e: unknown): ProcSkipReason {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ESRCH" ? "vanished" : "unreadable";
}

function codeOf(e: unknown): string {
  const err = e as Partial<NodeJS.ErrnoException> | null;
  return err?.code ?? err?.message ?? String(e);
}

interface Candidate {
  pid: number;
  argv: string[];
  match: PatternMatch;
  stat: ProcStat;
}

export function createProcSource(
  cfg: Config["proc"],
  opts: { timeoutMs: number; clkTck?: number; texts?: SignalTexts },
): Source {
  const name = "proc";
  if (!cfg.enabled) {
    // Invariant 4: disabled costs nothing; not even getconf runs.
    return {
      name,
      timeoutMs: opts.timeoutMs,
      collect: async () => ({ signals: [], processes: [], processesTruncated: 0 }),
    };
  }
  const root = cfg.root.length > 1 ? cfg.root.replace(/\/+$/, "") : cfg.root;
  const clkTck = opts.clkTck ?? readClkTck();
  const thresholdS = cfg.ageMin * 60;
  const big = Buffer.allocUnsafe(CMDLINE_MAX);
  const small = Buffer.allocUnsafe(SMALL_MAX);
  let btimeS: number | null = null;
  // pid → starttime of every pid we reported as blocking last tick. The alert key is per
  // pid, so a reused pid (same pid, other starttime) first gets one tick with an inactive
  // signal (the old process's recovery) and alerts on the next tick if it still blocks.
  // That needs no change to keys or to the loop, and costs one tick of delay in a case
  // that needs ~32k process starts in between.
  let prevActive = new Map<number, number>();
  // When every pattern is a plain word, a byte search in the buffer rules out the ~99% of
  // pids that do not match without decoding their cmdline into a string.
  const needles = cfg.patterns.every((p) => p.kind === "substring" && !/\s/.test(p.text))
    ? cfg.patterns.map((p) => Buffer.from((p as { text: string }).text, "utf8"))
    : null;
  const mayMatch = (n: number): boolean => {
    if (!needles) return true;
    const view = big.subarray(0, n);
    return needles.some((b) => view.indexOf(b) >= 0);
  };

  function readSmall(path: string): string {
    const n = readInto(path, small);
    return small.toString("utf8", 0, n);
  }

  function scan(skipped: Record<ProcSkipReason, number>): Candidate[] {
    let names: string[];
    try {
      names = fs.readdirSync(root);
    } catch (e) {
      throw new Error(`cannot list ${root}: ${codeOf(e)}`, { cause: e });
    }
    const found: Candidate[] = [];
    for (const entry of names) {
      const c = entry.charCodeAt(0);
      if (c < 48 || c > 57 || !/^\d+$/.test(entry)) {
        skipped.nonNumeric++;
        continue;
      }
      let n: number;
      try {
        n = readInto(`${root}/${entry}/cmdline`, big);
      } catch (e) {
        skipped[reasonOf(e)]++;
        continue;
      }
      if (n === 0 || !mayMatch(n)) continue; // n = 0: a zombie or kernel thread
      const raw = big.toString("utf8", 0, n);
      const match = matchCmdline(() => parseCmdline(raw).join(" "), cfg.patterns, raw);
      if (!match) continue;
      // only the few matches cost a stat read
      let stat: ProcStat | null;
      try {
        stat = parseStat(readSmall(`${root}/${entry}/stat`));
      } catch (e) {
        skipped[reasonOf(e)]++;
        continue;
      }
      if (!stat || String(stat.pid) !== entry) {
        skipped.garbage++;
        continue;
      }
      found.push({ pid: stat.pid, argv: parseCmdline(raw), match, stat });
    }
    return found;
  }

  function parentComm(ppid: number, cache: Map<number, string | null>): string | null {
    if (ppid <= 1) return null;
    let comm = cache.get(ppid);
    if (comm !== undefined) return comm;
    try {
      comm = parseStat(readSmall(`${root}/${ppid}/stat`))?.comm ?? null;
    } catch {
      comm = null; // the parent just exited: the child is being reparented to an init
    }
    cache.set(ppid, comm);
    return comm;
  }

  function collectSync(): SourceOutput {
    const skipped: Record<ProcSkipReason, number> = { nonNumeric: 0, vanished: 0, unreadable: 0, garbage: 0 };
    const found = scan(skipped);
    // after the scan, so nothing found can look younger than zero
    let uptime: number | null;
    try {
      uptime = parseUptime(readSmall(`${root}/uptime`));
    } catch (e) {
      throw new Error(`cannot read ${root}/uptime: ${codeOf(e)}`, { cause: e });
    }
    if (uptime === null) throw new Error(`cannot parse ${root}/uptime`);
    if (btimeS === null) {
      try {
        btimeS = parseBtime(fs.readFileSync(`${root}/stat`, "utf8"));
      } catch {
        /* startedAt stays null; retried next tick */
      }
    }

    const parents = new Map<number, string | null>();
    const signals: Signal[] = [];
    const nextActive = new Map<number, number>();
    const infos: (ProcessInfo & { starttime: number })[] = [];
    for (const f of found) {
      const info = buildProcessInfo(
        {
          stat: f.stat,
          argv: f.argv,
          ageS: ageSeconds(uptime, f.stat.starttime, clkTck),
          btimeS,
          parentComm: parentComm(f.stat.ppid, parents),
          thresholdS,
        },
        clkTck,
      );
      infos.push(Object.assign(info, { starttime: f.stat.starttime }));
      if (!info.blocking) continue;
      const label = matchLabel(f.match);
      const before = prevActive.get(f.pid);
      if (before !== undefined && before !== f.stat.starttime) {
        signals.push(buildPidReusedSignal(f.pid, label, opts.texts));
        continue;
      }
      nextActive.set(f.pid, f.stat.starttime);
      signals.push(buildProcSignal(info, label, opts.texts));
    }
    prevActive = nextActive;
    const { kept, truncated } = oldestFirst(infos, MAX_PROCESSES);
    const processes = kept.map(({ starttime: _, ...p }) => p);
    const counted = Object.fromEntries(Object.entries(skipped).filter(([, v]) => v > 0));
    return { signals, processes, processesTruncated: truncated, skipped: counted };
  }

  return {
    name,
    timeoutMs: opts.timeoutMs,
    // Synchronous on purpose: reads into one reused buffer are 7-10x faster than
    // fs.promises here (see bench/proc-scan.ts). The price: the loop's timeout can only
    // measure a slow scan, not interrupt it (a read that blocks in the kernel, as `ps`
    // also would, stalls the probe). A worker thread would lift that.
    async collect(_ctx: CollectContext): Promise<SourceOutput> {
      return collectSync();
    },
  };
}
