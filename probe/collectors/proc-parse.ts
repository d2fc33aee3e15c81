// Pure parsers and builders for the proc source: text of /proc files in, plain data
// out. No I/O, no clock: the I/O edge (proc.ts) reads, these decide.
import type { ProcPattern } from "../config.js";
import type { ProcessInfo, Signal } from "../protocol.js";
import { redactArgv, redactText } from "../redact.js";
import { makeSignal } from "../signals.js";
import { SIGNAL_EN, type SignalTexts } from "../signal-texts.js";
import { displaySafe } from "../../common/display-safe.js";

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** clock ticks after boot */
  starttime: number;
}

const UINT = /^\d+$/;

/**
 * `/proc/<pid>/stat`. The comm sits between the first `(` and the *last* `)`: a process
 * may name itself `a) (b`. Returns null for anything that is not a whole stat line.
 */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf(" (");
  const close = text.lastIndexOf(")");
  if (open <= 0 || close < open) return null;
  const pidText = text.slice(0, open);
  if (!UINT.test(pidText)) return null;
  // after ") ": state(3) ppid(4) … starttime(22)
  const rest = text
    .slice(close + 2)
    .trimEnd()
    .split(" ");
  if (rest.length < 20) return null;
  const state = rest[0]!;
  const ppidText = rest[1]!;
  const startText = rest[19]!;
  if (!/^[A-Za-z]$/.test(state) || !UINT.test(ppidText) || !UINT.test(startText)) return null;
  const pid = Number(pidText),
    ppid = Number(ppidText),
    starttime = Number(startText);
  // digits beyond 2^53 are no number we can compute with: the line is garbage
  if (!Number.isSafeInteger(pid) || !Number.isSafeInteger(ppid) || !Number.isSafeInteger(starttime)) return null;
  return { pid, comm: text.slice(open + 2, close), state, ppid, starttime };
}

/**
 * `/proc/<pid>/cmdline`: NUL-separated, usually NUL-terminated. Empty for zombies and
 * kernel threads. A process that rewrote its title may use spaces and no NULs: one element.
 */
export function parseCmdline(text: string): string[] {
  if (text === "") return [];
  // some programs pad a rewritten title with NULs: drop them all at the end
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  return end === 0 ? [] : text.slice(0, end).split("\0");
}

/** `/proc/uptime`: "12345.67 23456.78" → 12345.67 (seconds since boot). */
export function parseUptime(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s/.exec(text + " ");
  return m ? Number(m[1]) : null;
}

/** `btime` of `/proc/stat`: boot time in seconds since the epoch. */
export function parseBtime(text: string): number | null {
  const m = /^btime\s+(\d+)\s*$/m.exec(text);
  const n = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(n) ? n : null;
}

/** Parent comms that mean "nobody is waiting for this process any more". */
const INIT_COMMS: ReadonlySet<string> = new Set(["tini", "docker-init", "dumb-init", "init", "systemd", "s6-svscan"]);

/** docs/protocol.md: ppid 0 or 1, or a parent that is an init (a container's tini under `pid: host`). */
export function isOrphaned(ppid: number, parentComm: string | null): boolean {
  return ppid <= 1 || (parentComm !== null && INIT_COMMS.has(parentComm));
}

/** Seconds since the process started: uptime − starttime / CLK_TCK, never negative. */
export function ageSeconds(uptimeS: number, starttimeTicks: number, clkTck: number): number {
  return Math.max(0, uptimeS - starttimeTicks / clkTck);
}

export interface PatternMatch {
  pattern: ProcPattern;
  /** what matched: the substring, or the regex's match (shown in the signal's title) */
  text: string;
}

/**
 * Matches a cmdline against the patterns, first hit wins. `joined` is argv joined by
 * spaces. Patterns with no whitespace can be tried on the raw NUL-separated text too
 * (same answer, no copy): pass it as `raw` and the spaced copy is made only if needed.
 * An empty cmdline (zombie, kernel thread) never matches.
 */
export function matchCmdline(
  joined: string | (() => string),
  patterns: readonly ProcPattern[],
  raw?: string,
): PatternMatch | null {
  let spaced: string | null = typeof joined === "string" ? joined : null;
  const getSpaced = () => (spaced ??= (joined as () => string)());
  for (const p of patterns) {
    if (p.kind === "substring") {
      const hay = raw !== undefined && !/\s/.test(p.text) ? raw : getSpaced();
      if (hay.length > 0 && hay.includes(p.text)) return { pattern: p, text: p.text };
    } else {
      const hay = getSpaced();
      if (hay.length === 0) continue;
      const m = p.re.exec(hay);
      if (m) return { pattern: p, text: m.text || p.source };
    }
  }
  return null;
}

/** A short, redacted name for the title: `pytest`, or what a regex matched (capped). */
export function matchLabel(m: PatternMatch): string {
  const t = redactText(m.text.trim()).replace(/\s+/g, " ");
  return t.length > 40 ? `${t.slice(0, 39)}…` : t || m.pattern.source;
}

export interface ProcFacts {
  stat: ProcStat;
  /** raw argv (redacted here, never before) */
  argv: string[];
  ageS: number;
  /** boot time (s since epoch) if known; startedAt is null without it */
  btimeS: number | null;
  parentComm: string | null;
  thresholdS: number;
}

const MAX_DATE_MS = 8.64e15;

/** Builds the wire form of a matched process. argv and cmdline are redacted here. */
export function buildProcessInfo(f: ProcFacts, clkTck: number): ProcessInfo {
  const argv = redactArgv(f.argv);
  const startedMs = f.btimeS === null ? NaN : Math.round((f.btimeS + f.stat.starttime / clkTck) * 1000);
  // a date past what Date can hold is unknown, not an error that fails the scan
  const startedAt = Math.abs(startedMs) <= MAX_DATE_MS ? new Date(startedMs).toISOString() : null;
  return {
    pid: f.stat.pid,
    ppid: f.stat.ppid,
    // a process chooses its own comm (prctl), so it is shown redacted like the rest
    comm: redactText(f.stat.comm),
    state: f.stat.state,
    ageS: Math.round(f.ageS * 100) / 100,
    startedAt,
    orphaned: isOrphaned(f.stat.ppid, f.parentComm),
    // at threshold 0 every match blocks, even one started this very tick
    blocking: f.ageS >= f.thresholdS,
    argv,
    // joined from the redacted argv: redacting the joined text could split `--token "a b"`
    cmdline: argv.join(" "),
  };
}

const DETAIL_CMDLINE_MAX = 300;

/** `proc_blocking:<pid>`, critical: what, which pid, how long, whose child, and the cmdline head. */
export function buildProcSignal(p: ProcessInfo, label: string, tx: SignalTexts = SIGNAL_EN): Signal {
  const head = p.cmdline.length > DETAIL_CMDLINE_MAX ? `${p.cmdline.slice(0, DETAIL_CMDLINE_MAX - 1)}…` : p.cmdline;
  // the detail's lines are ours: a CR/LF inside an argument must not add one
  const detail = [
    tx.procWho(p.pid, displaySafe(p.comm), displaySafe(p.state), p.ppid, p.orphaned),
    tx.procRunning(tx.duration(p.ageS), p.startedAt),
    tx.procCmdline(displaySafe(head)),
  ].join("\n");
  return makeSignal(
    "proc_blocking",
    String(p.pid),
    p.blocking,
    "critical",
    tx.procTitle(label, p.pid, tx.duration(p.ageS)),
    detail,
  );
}

/** The old process behind a reused pid has ended: its alert recovers before the new one may fire. */
export function buildPidReusedSignal(pid: number, label: string, tx: SignalTexts = SIGNAL_EN): Signal {
  return makeSignal(
    "proc_blocking",
    String(pid),
    false,
    "critical",
    tx.procReusedTitle(label, pid),
    tx.procReusedDetail(pid),
  );
}

/** Oldest first (then by pid), at most `max`; the rest is counted, not listed. */
export function oldestFirst<T extends { starttime: number; pid: number }>(
  items: T[],
  max: number,
): { kept: T[]; truncated: number } {
  const sorted = [...items].sort((a, b) => a.starttime - b.starttime || a.pid - b.pid);
  return { kept: sorted.slice(0, max), truncated: Math.max(0, sorted.length - max) };
}
