// The main thread's side of the scan worker: start it, ask for a scan, and give up on a
// scan past its deadline. Giving up terminates the worker and starts another; the old
// thread may sit in a read in the kernel until that read returns (terminate() cannot
// interrupt a syscall), so it is remembered as stuck: its pid is skipped by later scans,
// at most MAX_STUCK_THREADS may pile up, and the process exits without waiting for it.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Worker } from "node:worker_threads";
import { SCAN_FILES, type ScanOptions, type ScanResult } from "./proc-scan.js";
import { WORKER_MARKER, type FromWorker, type ToWorker, type WorkerInit } from "./proc-worker.js";

/** How many scan threads exist now (each enabled proc source has one). */
export function scanThreadCount(): number {
  return threads.size;
}

/** Abandoned threads still in a read: beyond this many, no new scan starts until one returns. */
const MAX_STUCK_THREADS = 4;

interface StuckThread {
  worker: Worker;
  /** pid whose file the thread is reading, 0 for the listing or a shared file */
  pid: number;
  where: string;
}

const stuck = new Set<StuckThread>();
const threads = new Set<ScanThread>();

/**
 * The bundled probe starts its own file (entries call runAsProcScanWorker() first); from
 * source (tests, tsx), proc-worker.ts is started and compiled by tsx, a dev dependency.
 */
function spawnWorker(init: WorkerInit): Worker {
  const self = __filename;
  // a small young generation: the scan's garbage is short-lived, and RSS is the budget
  const resourceLimits = { maxYoungGenerationSizeMb: 4 };
  if (!self.endsWith(".ts")) return new Worker(self, { workerData: init, resourceLimits });
  const api = createRequire(self).resolve("tsx/cjs/api");
  const file = join(dirname(self), "proc-worker.ts");
  const code = `require(${JSON.stringify(api)}).register(); require(${JSON.stringify(file)});`;
  return new Worker(code, { eval: true, workerData: init, resourceLimits });
}

interface Pending {
  resolve(r: ScanResult): void;
  reject(e: Error): void;
}

export class ScanThread {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private pending: Pending | null = null;
  /** each worker gets its own: an abandoned one may still write a last word into it */
  private progress = new Int32Array(new SharedArrayBuffer(8));
  private seq = 0;
  private closed = false;

  constructor(private readonly options: ScanOptions) {
    threads.add(this);
  }

  /** Starts the worker now, so the first scan does not pay for its start-up. */
  warm(): void {
    this.ensure();
  }

  /** One scan, abandoned (worker terminated and replaced) past `deadlineMs` or on `signal`. */
  async scan(skip: number[], deadlineMs: number, signal: AbortSignal): Promise<ScanResult> {
    if (this.closed) throw new Error("proc scan thread stopped");
    if (this.pending) throw new Error("a proc scan is already running");
    if (stuck.size >= MAX_STUCK_THREADS)
      throw new Error(
        `${stuck.size} scan threads are stuck in the kernel (${stuckWhere().join("; ")}); no new scan until one returns`,
      );
    // one deadline for start-up and scan, counted from the call, so that it always comes
    // before the loop's own timeout (which counts from the same moment)
    const started = performance.now();
    const worker = this.ensure();
    await abortable(
      this.ready!,
      signal,
      deadlineMs,
      `the proc scan worker did not start within ${seconds(deadlineMs)}`,
    );
    if (this.worker !== worker) throw new Error("the proc scan worker exited while starting");
    return new Promise<ScanResult>((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      const done = () => {
        if (timer) clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        this.pending = null;
      };
      const giveUp = (why: string) => {
        done();
        const where = this.abandon();
        reject(new Error(`scan abandoned ${why}: stuck reading ${where}`));
      };
      const onAbort = () => giveUp(`after ${seconds(performance.now() - started)}`);
      const left = Math.max(0, deadlineMs - (performance.now() - started));
      timer = setTimeout(() => giveUp(`after ${seconds(deadlineMs)} (its deadline)`), left);
      signal.addEventListener("abort", onAbort, { once: true });
      this.pending = {
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      worker.postMessage({ type: "scan", id: ++this.seq, skip } satisfies ToWorker);
    });
  }

  /** Terminates the worker for good; a scan in progress rejects. */
  close(): void {
    this.closed = true;
    threads.delete(this);
    const busy = this.pending !== null;
    this.pending?.reject(new Error("proc scan stopped"));
    if (busy) this.abandon();
    else if (this.worker) {
      // idle: it leaves at once and process.exit() may join it
      void this.worker.terminate().catch(() => undefined);
      this.worker = null;
    }
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    this.progress = new Int32Array(new SharedArrayBuffer(8));
    const options = { ...this.options, patterns: this.options.patterns.map((p) => p.source) };
    const init: WorkerInit = { [WORKER_MARKER]: true, options, progress: this.progress.buffer };
    const worker = spawnWorker(init);
    worker.unref(); // the server keeps the probe alive, not its scan thread
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.on("message", (m: FromWorker) => {
        if (m.type === "ready") resolve();
        else if (m.id === this.seq && this.worker === worker) {
          if (m.type === "result") this.pending?.resolve(m.result);
          else this.pending?.reject(new Error(m.error));
        }
      });
      const lost = (why: string) => {
        const e = new Error(`the proc scan worker ${why}`);
        reject(e);
        if (this.worker !== worker) return;
        this.worker = null;
        this.pending?.reject(e);
      };
      worker.on("error", (e) => lost(`failed: ${e.message}`));
      worker.on("exit", (code) => lost(`exited (code ${code})`));
    });
    this.ready.catch(() => undefined);
    return worker;
  }

  /** Terminates the worker where it stands; returns what it was reading. */
  private abandon(): string {
    const worker = this.worker!;
    const pid = Atomics.load(this.progress, 0);
    const file = Atomics.load(this.progress, 1);
    const where = describe(this.options.root, pid, file);
    this.worker = null;
    this.ready = null;
    const entry: StuckThread = { worker, pid, where };
    stuck.add(entry);
    worker.once("exit", () => stuck.delete(entry));
    worker.terminate().catch(() => undefined);
    if (!this.closed) this.ensure(); // the replacement starts now, ready for the next tick
    return where;
  }
}

/** Abandoned threads still in a read: which pid (0: none) and what, for skipping and warnings. */
export function stuckThreads(): { pid: number; where: string }[] {
  return [...stuck].map(({ pid, where }) => ({ pid, where }));
}

function stuckWhere(): string[] {
  return [...stuck].map((s) => s.where);
}

function describe(root: string, pid: number, file: number): string {
  const base = root.length > 1 ? root.replace(/\/+$/, "") : root;
  switch (file) {
    case 1:
      return `the listing of ${base}`;
    case 2:
    case 3:
      return `${base}/${pid}/${SCAN_FILES[file]} (pid ${pid})`;
    case 4:
      return `${base}/${pid}/stat (the parent, pid ${pid})`;
    case 5:
      return `${base}/uptime`;
    case 6:
      return `${base}/stat`;
    default:
      return "nothing yet (the scan had not begun)";
  }
}

/** `p`, or a rejection with `why` when `signal` aborts or `ms` pass first. */
function abortable<T>(p: Promise<T>, signal: AbortSignal, ms: number, why: string): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error(why));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error(why));
    const timer = setTimeout(onAbort, ms);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    });
  });
}

function seconds(ms: number): string {
  return `${Math.round(ms / 10) / 100} s`;
}

/** Stops every scan thread: scans in progress reject at once, so a tick waiting on one ends. */
export function stopScanThreads(): void {
  for (const t of [...threads]) t.close();
}

/**
 * process.exit() joins every worker thread, and a thread stuck in a read never joins: with
 * one alive after a short grace, the probe leaves the way the signal it got would have
 * made it (default action, no handler), which needs no join.
 */
let exiting = false;

export function exitProcess(code: number, signal: NodeJS.Signals = "SIGTERM"): void {
  if (exiting) return;
  exiting = true;
  stopScanThreads();
  const deadline = performance.now() + 300;
  const check = () => {
    if (stuck.size === 0) process.exit(code);
    if (performance.now() < deadline) {
      setTimeout(check, 10);
      return;
    }
    process.stderr.write(
      `orchestrator-watchdog: a /proc scan thread is stuck in the kernel (${stuckWhere().join("; ")}); exiting by ${signal}\n`,
    );
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    setTimeout(() => process.kill(process.pid, "SIGKILL"), 500).unref();
  };
  check();
}
