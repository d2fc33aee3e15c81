// One scan of WATCHDOG_PROC_ROOT: listing, reads, parsing, matching and redaction. Runs in
// the scan worker (proc-worker.ts), never on the main thread: a read may block in the
// kernel for good (a process stuck holding its mm lock, a hung mount), and only a thread
// that can be abandoned may wait on it. Speed: synchronous open/read/close into one reused
// buffer (fs.promises is ~7× slower at 10,000 pids); each pid's cmdline is read first and
// its stat only when the cmdline matched, so the common case costs three syscalls.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import type { ProcPattern } from "../config.js";
import type { ProcessInfo } from "../protocol.js";
import {
  ageSeconds,
  buildProcessInfo,
  matchCmdline,
  matchLabel,
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
// No O_NONBLOCK: it changes nothing for /proc files, and a read that blocks must be seen
// blocking (the worker's deadline handles it). O_NOFOLLOW: a symlinked `cmdline -> environ`
// in a fake tree must not lead us into the environment.
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW;

type ProcSkipReason = "nonNumeric" | "vanished" | "unreadable" | "garbage" | "stuck";

/** What the scan is reading right now, for the main thread to name when a scan hangs. */
export const SCAN_FILES = ["", "the listing of", "cmdline", "stat", "parent stat", "uptime", "stat (btime)"] as const;
type ScanFile = 1 | 2 | 3 | 4 | 5 | 6;
type ProgressSink = (pid: number, file: ScanFile) => void;

export interface ScanOptions {
  root: string;
  patterns: readonly ProcPattern[];
  thresholdS: number;
  clkTck: number;
}

export interface FoundProcess {
  info: ProcessInfo;
  starttime: number;
  /** short, redacted: what matched */
  label: string;
}

/** A pid whose files exist but could not be read (EACCES, EPERM, EIO…): not a process that exited. */
interface UnreadablePid {
  pid: number;
  file: "cmdline" | "stat";
  code: string;
}

export interface ScanResult {
  found: FoundProcess[];
  skipped: Record<ProcSkipReason, number>;
  unreadable: UnreadablePid[];
  /** pids skipped for a garbage stat line */
  garbage: number[];
}

/** CLK_TCK from `getconf`, 100 when that fails (it is 100 on every Linux we know of). */
export function readClkTck(): number {
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

/** Only these mean "the process is gone"; every other error is a pid we cannot see right now. */
function isGone(code: string): boolean {
  return code === "ENOENT" || code === "ESRCH";
}

function codeOf(e: unknown): string {
  const err = e as Partial<NodeJS.ErrnoException> | null;
  return err?.code ?? err?.message ?? String(e);
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

interface Candidate {
  pid: number;
  argv: string[];
  match: PatternMatch;
  stat: ProcStat;
}

export function createScanner(
  opts: ScanOptions,
  progress: ProgressSink,
): { scan(skip: ReadonlySet<number>): ScanResult } {
  const root = opts.root.length > 1 ? opts.root.replace(/\/+$/, "") : opts.root;
  const big = Buffer.allocUnsafe(CMDLINE_MAX);
  const small = Buffer.allocUnsafe(SMALL_MAX);
  let btimeS: number | null = null;
  // When every pattern is a plain word, a byte search in the buffer rules out the ~99% of
  // pids that do not match without decoding their cmdline into a string.
  const needles = opts.patterns.every((p) => p.kind === "substring" && !/\s/.test(p.text))
    ? opts.patterns.map((p) => Buffer.from((p as { text: string }).text, "utf8"))
    : null;
  const mayMatch = (n: number): boolean => {
    if (!needles) return true;
    const view = big.subarray(0, n);
    return needles.some((b) => view.indexOf(b) >= 0);
  };
  const readSmall = (path: string): string => small.toString("utf8", 0, readInto(path, small));

  function list(result: ScanResult, skip: ReadonlySet<number>): Candidate[] {
    progress(0, 1);
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
        result.skipped.nonNumeric++;
        continue;
      }
      const pid = Number(entry);
      if (skip.has(pid)) {
        result.skipped.stuck++;
        continue;
      }
      let n: number;
      progress(pid, 2);
      try {
        n = readInto(`${root}/${entry}/cmdline`, big);
      } catch (e) {
        miss(result, pid, "cmdline", e);
        continue;
      }
      if (n === 0 || !mayMatch(n)) continue; // n = 0: a zombie or kernel thread
      const raw = big.toString("utf8", 0, n);
      const match = matchCmdline(() => parseCmdline(raw).join(" "), opts.patterns, raw);
      if (!match) continue;
      // only the few matches cost a stat read
      let stat: ProcStat | null;
      progress(pid, 3);
      try {
        stat = parseStat(readSmall(`${root}/${entry}/stat`));
      } catch (e) {
        miss(result, pid, "stat", e);
        continue;
      }
      if (!stat || String(stat.pid) !== entry) {
        result.skipped.garbage++;
        result.garbage.push(pid);
        continue;
      }
      found.push({ pid, argv: parseCmdline(raw), match, stat });
    }
    return found;
  }

  function miss(result: ScanResult, pid: number, file: UnreadablePid["file"], e: unknown): void {
    const code = codeOf(e);
    if (isGone(code)) {
      result.skipped.vanished++;
      return;
    }
    result.skipped.unreadable++;
    result.unreadable.push({ pid, file, code });
  }

  function parentComm(ppid: number, cache: Map<number, string | null>): string | null {
    if (ppid <= 1) return null;
    let comm = cache.get(ppid);
    if (comm !== undefined) return comm;
    progress(ppid, 4);
    try {
      comm = parseStat(readSmall(`${root}/${ppid}/stat`))?.comm ?? null;
    } catch {
      comm = null; // the parent just exited: the child is being reparented to an init
    }
    cache.set(ppid, comm);
    return comm;
  }

  function scan(skip: ReadonlySet<number>): ScanResult {
    const result: ScanResult = {
      found: [],
      skipped: { nonNumeric: 0, vanished: 0, unreadable: 0, garbage: 0, stuck: 0 },
      unreadable: [],
      garbage: [],
    };
    const candidates = list(result, skip);
    // after the listing, so nothing found can look younger than zero
    progress(0, 5);
    let uptime: number | null;
    try {
      uptime = parseUptime(readSmall(`${root}/uptime`));
    } catch (e) {
      throw new Error(`cannot read ${root}/uptime: ${codeOf(e)}`, { cause: e });
    }
    if (uptime === null) throw new Error(`cannot parse ${root}/uptime`);
    if (btimeS === null) {
      progress(0, 6);
      try {
        btimeS = parseBtime(fs.readFileSync(`${root}/stat`, "utf8"));
      } catch {
        /* startedAt stays null; retried next scan */
      }
    }
    const parents = new Map<number, string | null>();
    for (const f of candidates) {
      // a process cannot have started after now: such a starttime is garbage, not a date
      if (f.stat.starttime / opts.clkTck > uptime + 1) {
        result.skipped.garbage++;
        result.garbage.push(f.pid);
        continue;
      }
      const info = buildProcessInfo(
        {
          stat: f.stat,
          argv: f.argv,
          ageS: ageSeconds(uptime, f.stat.starttime, opts.clkTck),
          btimeS,
          parentComm: parentComm(f.stat.ppid, parents),
          thresholdS: opts.thresholdS,
        },
        opts.clkTck,
      );
      result.found.push({ info, starttime: f.stat.starttime, label: matchLabel(f.match) });
    }
    return result;
  }

  return { scan };
}
