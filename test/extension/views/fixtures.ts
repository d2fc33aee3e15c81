// Connections and snapshots for the view-model tests, validated with the real wire
// schemas so a fixture can never drift from what a probe may send.
import {
  HelloSchema,
  SnapshotSchema,
  type Alert,
  type Hello,
  type ProcessInfo,
  type Snapshot,
} from "../../../probe/protocol.js";
import type { ConnectionState, ProbeConnectionView, ProbeTarget } from "../../../extension/connection/types.js";
import { formatMessage } from "../../../extension/views/format.js";

export const t = formatMessage;

/** 2026-06-15T03:00:00Z: the local clock in most tests (and the probe's, unless skewed). */
export const NOW = Date.parse("2026-06-15T03:00:00.000Z");

export function hello(over: { tickS?: number; hostname?: string; procEnabled?: boolean } = {}): Hello {
  return HelloSchema.parse({
    type: "hello",
    protocol: 1,
    probe: {
      version: "0.1.0",
      hostname: over.hostname ?? "ci-runner-3",
      pid: 7,
      startedAt: "2026-06-15T02:14:17.000Z",
    },
    config: {
      enabled: true,
      tickS: over.tickS ?? 15,
      orchDownTicks: 3,
      cooldownS: 1800,
      proc: { enabled: over.procEnabled ?? true, ageMin: 60, patterns: ["pytest"], cooldownS: 1800 },
      telegram: { enabled: true },
    },
  });
}

export function proc(pid: number, over: Partial<ProcessInfo> = {}): ProcessInfo {
  return {
    pid,
    ppid: 1,
    comm: "python",
    state: "S",
    ageS: 7260,
    startedAt: "2026-06-15T00:59:00.000Z",
    orphaned: true,
    blocking: true,
    argv: ["python", "-m", "pytest", "tests/", "--token=***"],
    cmdline: "python -m pytest tests/ --token=***",
    ...over,
  };
}

export function alert(key: string, over: Partial<Alert> = {}): Alert {
  const [kind = key, entity = ""] = key.split(":");
  return {
    key,
    kind,
    entity,
    firing: true,
    since: "2026-06-15T02:59:00.000Z",
    lastNotifiedAt: "2026-06-15T02:59:00.000Z",
    cooldownUntil: "2026-06-15T03:29:00.000Z",
    notifications: 1,
    ...over,
  };
}

export function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return SnapshotSchema.parse({
    type: "snapshot",
    seq: 42,
    at: "2026-06-15T03:00:00.000Z",
    tickMs: 3.1,
    enabled: true,
    sources: [{ name: "proc", ok: true, error: null, ms: 2.4 }],
    orch: {
      configured: true,
      up: true,
      failures: 0,
      threshold: 3,
      lastOkAt: "2026-06-15T02:59:45.000Z",
      lastError: null,
    },
    processes: [proc(4242)],
    processesTruncated: 0,
    signals: [],
    alerts: [],
    host: null,
    containers: [],
    deps: [],
    ...over,
  });
}

export function conn(over: Partial<ProbeConnectionView> & { state?: ConnectionState } = {}): ProbeConnectionView {
  const target: ProbeTarget = over.target ?? {
    kind: "direct",
    name: over.name ?? "prod",
    url: "ws://10.0.0.5:8787/v1/stream",
  };
  return {
    id: over.id ?? over.name ?? "prod",
    name: over.name ?? "prod",
    target,
    state: over.state ?? { phase: "connected", since: NOW - 60_000 },
    hello: over.hello === undefined ? hello() : over.hello,
    snapshot: over.snapshot === undefined ? snapshot() : over.snapshot,
    snapshotReceivedAt: over.snapshotReceivedAt === undefined ? NOW : over.snapshotReceivedAt,
    decisions: over.decisions ?? [],
    rejectedFrames: over.rejectedFrames ?? 0,
  };
}

/** The down orchestrator of docs/protocol.md's example, with its firing orch_down alert. */
export function orchDown(): Partial<Snapshot> {
  return {
    orch: {
      configured: true,
      up: false,
      failures: 3,
      threshold: 3,
      lastOkAt: "2026-06-15T02:59:15.000Z",
      lastError: "connect ECONNREFUSED 10.0.0.5:8000",
    },
    alerts: [alert("orch_down:orchestrator")],
  };
}
