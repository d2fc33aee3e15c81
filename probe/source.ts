// What every source (metrics, proc, host, docker, deps) gives the tick loop.
import type { ContainerInfo, DepInfo, HostState, OrchState, ProcessInfo, Signal } from "./protocol.js";

export interface SourceOutput {
  /** Every signal this source has an opinion on this tick (active or not). */
  signals: Signal[];
  processes?: ProcessInfo[];
  processesTruncated?: number;
  orch?: OrchState;
  host?: HostState;
  containers?: ContainerInfo[];
  deps?: DepInfo[];
  /** Things skipped but not fatal (garbage /proc entries, malformed metric lines), by name. */
  skipped?: Record<string, number>;
}

export interface CollectContext {
  /** the tick's wall time, ms since the epoch: a label for people, never for deciding when (it can step) */
  now: number;
  /** aborted when the source's timeout passes; long I/O should stop on it */
  signal: AbortSignal;
}

export interface Source {
  readonly name: string;
  readonly timeoutMs: number;
  collect(ctx: CollectContext): Promise<SourceOutput>;
}
