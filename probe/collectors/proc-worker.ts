// The scan worker's side: a worker thread that runs proc-scan.ts on request and answers
// with plain data. While it reads it writes which pid and file into a SharedArrayBuffer,
// so the main thread can name where a scan hangs without asking the (stuck) thread.
// The bundled probe (dist/probe.js) starts itself as this worker; its entry calls
// runAsProcScanWorker() first (see proc-thread.ts for how the file is chosen).
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { compilePattern } from "../config-values.js";
import { createScanner, type ScanOptions, type ScanResult } from "./proc-scan.js";

export const WORKER_MARKER = "watchdogProcScanWorker";

export interface WorkerInit {
  [WORKER_MARKER]: true;
  /** the scan's options, patterns as their sources (a compiled regex cannot be cloned) */
  options: Omit<ScanOptions, "patterns"> & { patterns: string[] };
  /** Int32Array view: [0] pid being read (0: none), [1] ScanFile code */
  progress: SharedArrayBuffer;
}

export type ToWorker = { type: "scan"; id: number; skip: number[] };
export type FromWorker =
  { type: "ready" } | { type: "result"; id: number; result: ScanResult } | { type: "error"; id: number; error: string };

function isInit(d: unknown): d is WorkerInit {
  return typeof d === "object" && d !== null && (d as Record<string, unknown>)[WORKER_MARKER] === true;
}

/**
 * When this thread was started as the proc scan worker, serves scans and returns true: the
 * caller (an entry such as probe/main.ts) must then do nothing else. Otherwise returns false.
 */
let serving = false;

export function runAsProcScanWorker(): boolean {
  if (serving) return true;
  if (isMainThread || !parentPort || !isInit(workerData)) return false;
  serving = true;
  const port = parentPort;
  const at = new Int32Array(workerData.progress);
  const { patterns, ...rest } = workerData.options;
  const scanner = createScanner({ ...rest, patterns: patterns.map(compilePattern) }, (pid, file) => {
    Atomics.store(at, 0, pid);
    Atomics.store(at, 1, file);
  });
  port.on("message", (msg: unknown) => {
    const m = msg as Partial<ToWorker>;
    if (m.type !== "scan" || typeof m.id !== "number" || !Array.isArray(m.skip)) return;
    let reply: FromWorker;
    try {
      reply = { type: "result", id: m.id, result: scanner.scan(new Set(m.skip)) };
    } catch (e) {
      reply = { type: "error", id: m.id, error: e instanceof Error ? e.message : String(e) };
    }
    Atomics.store(at, 0, 0);
    Atomics.store(at, 1, 0);
    port.postMessage(reply);
  });
  port.postMessage({ type: "ready" } satisfies FromWorker);
  return true;
}

// Started from its own file (the .ts source under tsx, in tests and benches): serve.
runAsProcScanWorker();
