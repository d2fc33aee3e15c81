// Pure: one scan's result plus what the source remembers from the last tick → this tick's
// output. Only a pid that is no longer listed, or whose files are gone (ENOENT, ESRCH),
// has exited. A pid we knew whose files turn unreadable (EACCES, EPERM, EIO…), whose stat
// turns to garbage, or that a stuck scan thread is still reading keeps its last state:
// it stays listed and its alert keeps firing, and a warning says why.
import type { ProcessInfo, Signal } from "../protocol.js";
import { MAX_PROCESSES } from "../protocol.js";
import type { SourceOutput } from "../source.js";
import { SIGNAL_EN, type SignalTexts } from "../signal-texts.js";
import { makeSignal } from "../signals.js";
import { buildPidReusedSignal, buildProcSignal, oldestFirst } from "./proc-parse.js";
import type { FoundProcess, ScanResult } from "./proc-scan.js";

export interface ProcMemory {
  /** every pid listed last tick */
  known: ReadonlyMap<number, FoundProcess>;
  /** pid → starttime of every pid reported as blocking last tick */
  active: ReadonlyMap<number, number>;
  /** whether last tick raised the unreadable-pids warning */
  warned: boolean;
}

export const emptyMemory = (): ProcMemory => ({ known: new Map(), active: new Map(), warned: false });

const UNREADABLE_ENTITY = "proc:unreadable";
const DETAIL_MAX = 20;

export function mergeScan(
  prev: ProcMemory,
  scan: ScanResult,
  stuck: readonly { pid: number; where: string }[],
  texts: SignalTexts = SIGNAL_EN,
): { output: SourceOutput; next: ProcMemory } {
  const held = new Map<number, string>();
  for (const u of scan.unreadable) if (prev.known.has(u.pid)) held.set(u.pid, `${u.code} reading its ${u.file}`);
  for (const pid of scan.garbage) if (prev.known.has(pid)) held.set(pid, "its stat is garbage");
  const stuckNotes = new Map<number, string>();
  for (const s of stuck)
    if (s.pid > 0 && !stuckNotes.has(s.pid)) stuckNotes.set(s.pid, `a scan thread is stuck reading ${s.where}`);
  for (const [pid, why] of stuckNotes) if (prev.known.has(pid)) held.set(pid, why);

  const entries: FoundProcess[] = [...scan.found];
  for (const pid of held.keys()) entries.push(prev.known.get(pid)!);

  const signals: Signal[] = [];
  const known = new Map<number, FoundProcess>();
  const active = new Map<number, number>();
  for (const f of entries) {
    known.set(f.info.pid, f);
    if (!f.info.blocking) continue;
    // The alert key is per pid, so a reused pid (same pid, other starttime) first gets one
    // tick with an inactive signal (the old process's recovery) and alerts on the next.
    const before = prev.active.get(f.info.pid);
    if (before !== undefined && before !== f.starttime) {
      signals.push(buildPidReusedSignal(f.info.pid, f.label, texts));
      continue;
    }
    active.set(f.info.pid, f.starttime);
    signals.push(buildProcSignal(f.info, f.label, texts));
  }

  const notes = new Map([...stuckNotes, ...held]);
  if (notes.size > 0) signals.push(unreadableSignal(notes, held.size));
  else if (prev.warned)
    signals.push(makeSignal("source_error", UNREADABLE_ENTITY, false, "info", "proc: every pid is readable again"));

  const withStart = entries.map((f) => Object.assign({ ...f.info }, { starttime: f.starttime }));
  const { kept, truncated } = oldestFirst(withStart, MAX_PROCESSES);
  const processes: ProcessInfo[] = kept.map(({ starttime: _, ...p }) => p);
  const counted = Object.fromEntries(Object.entries(scan.skipped).filter(([, v]) => v > 0));
  if (held.size > 0) counted.keptLastState = held.size;
  return {
    output: { signals, processes, processesTruncated: truncated, skipped: counted },
    next: { known, active, warned: notes.size > 0 },
  };
}

function unreadableSignal(notes: ReadonlyMap<number, string>, keptCount: number): Signal {
  const lines = [...notes]
    .sort((a, b) => a[0] - b[0])
    .slice(0, DETAIL_MAX)
    .map(([pid, why]) => `pid ${pid}: ${why}`);
  if (notes.size > DETAIL_MAX) lines.push(`… and ${notes.size - DETAIL_MAX} more`);
  const title =
    keptCount > 0
      ? `proc: ${keptCount} watched ${keptCount === 1 ? "pid is" : "pids are"} unreadable; last state kept, not recovered`
      : `proc: ${notes.size} ${notes.size === 1 ? "pid is" : "pids are"} skipped while a scan thread is stuck`;
  return makeSignal(
    "source_error",
    UNREADABLE_ENTITY,
    true,
    "warning",
    title,
    `${lines.join("\n")}\nA read error other than ENOENT/ESRCH does not mean the process exited.`,
  );
}
