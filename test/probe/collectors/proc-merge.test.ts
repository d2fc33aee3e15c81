import { describe, expect, it } from "vitest";
import { emptyMemory, mergeScan, type ProcMemory } from "../../../probe/collectors/proc-merge.js";
import type { FoundProcess, ScanResult } from "../../../probe/collectors/proc-scan.js";

function found(pid: number, starttime = 100): FoundProcess {
  return {
    info: {
      pid,
      ppid: 1,
      comm: "python",
      state: "S",
      ageS: 7200,
      startedAt: null,
      orphaned: true,
      blocking: true,
      argv: ["pytest"],
      cmdline: "pytest",
    },
    starttime,
    label: "pytest",
  };
}

function scan(o: Partial<ScanResult>): ScanResult {
  return {
    found: [],
    skipped: { nonNumeric: 0, vanished: 0, unreadable: 0, garbage: 0, stuck: 0 },
    unreadable: [],
    garbage: [],
    ...o,
  };
}

const keys = (r: ReturnType<typeof mergeScan>) => r.output.signals.map((s) => `${s.key} ${s.active}`);

describe("mergeScan: kernel errors are not exits", () => {
  const seen = (pids: number[]): ProcMemory =>
    mergeScan(emptyMemory(), scan({ found: pids.map((p) => found(p)) }), []).next;

  it.each(["EACCES", "EPERM", "EIO"])("a watched pid unreadable with %s keeps its state and warns", (code) => {
    const r = mergeScan(
      seen([10, 11]),
      scan({ found: [found(11)], unreadable: [{ pid: 10, file: "cmdline", code }] }),
      [],
    );
    expect(r.output.processes!.map((p) => p.pid).sort()).toEqual([10, 11]);
    expect(keys(r)).toEqual(["proc_blocking:11 true", "proc_blocking:10 true", "source_error:proc:unreadable true"]);
    expect(r.output.signals.at(-1)!.detail).toContain(`pid 10: ${code} reading its cmdline`);
    expect(r.output.skipped).toMatchObject({ keptLastState: 1 });
  });

  it("a pid that is no longer listed has exited: no signal, so the loop recovers it", () => {
    const r = mergeScan(seen([10, 11]), scan({ found: [found(11)] }), []);
    expect(keys(r)).toEqual(["proc_blocking:11 true"]);
  });

  it("an unreadable pid nobody watched is only counted", () => {
    const r = mergeScan(
      seen([11]),
      scan({ found: [found(11)], unreadable: [{ pid: 99, file: "stat", code: "EACCES" }] }),
      [],
    );
    expect(keys(r)).toEqual(["proc_blocking:11 true"]);
  });

  it("says once that every pid is readable again", () => {
    const held = mergeScan(seen([10]), scan({ unreadable: [{ pid: 10, file: "stat", code: "EIO" }] }), []);
    const back = mergeScan(held.next, scan({ found: [found(10)] }), []);
    expect(keys(back)).toEqual(["proc_blocking:10 true", "source_error:proc:unreadable false"]);
    expect(keys(mergeScan(back.next, scan({ found: [found(10)] }), []))).toEqual(["proc_blocking:10 true"]);
  });

  it("a kept pid keeps its start time, so a later reuse of it is still seen", () => {
    const held = mergeScan(seen([10]), scan({ garbage: [10] }), []);
    const reused = mergeScan(held.next, scan({ found: [found(10, 999)] }), []);
    expect(reused.output.signals[0]).toMatchObject({ key: "proc_blocking:10", active: false });
  });
});
