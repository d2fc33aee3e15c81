// Realistic wire messages for the server tests and bench/fanout.ts. Each is checked
// against the protocol schemas in fixtures.test.ts, so the bench measures valid frames.
import type { Decision, Hello, ProcessInfo, Snapshot } from "../../../probe/protocol.js";

const T0 = Date.parse("2026-06-15T03:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

export function makeHello(): Hello {
  return {
    type: "hello",
    protocol: 1,
    probe: { version: "0.1.0", hostname: "ci-runner-3", pid: 7, startedAt: "2026-06-15T02:14:17.000Z" },
    config: {
      enabled: true,
      tickS: 15,
      orchDownTicks: 3,
      cooldownS: 1800,
      proc: { enabled: true, ageMin: 60, patterns: ["pytest"], cooldownS: 1800 },
      telegram: { enabled: true },
    },
  };
}

const SUITES = [
  "tests/",
  "tests/integration/test_scheduler.py",
  "tests/unit",
  "tests/e2e/test_agents.py::test_timeout",
];
const KEXPR = ["not slow", "scheduler and not flaky", "test_retry or test_backoff", "agents"];

/**
 * A test process as the proc source reports it (argv redacted). Command lines vary as on
 * a real runner: a bare `pytest tests/`, xdist workers, CI invocations, long ones (30–330
 * characters, about 150 on average); ages spread over 5 min–2 h, so about half are blocking.
 */
function makeProcess(i: number, now = T0): ProcessInfo {
  const ageS = 300 + ((i * 7919) % 7200);
  const variants: Array<[string, string[]]> = [
    ["pytest", ["/usr/bin/python3", "/usr/local/bin/pytest", "tests/"]],
    [
      "python3.12",
      [
        "/usr/local/bin/python3.12",
        "-m",
        "pytest",
        SUITES[i % SUITES.length]!,
        "-k",
        KEXPR[i % KEXPR.length]!,
        "-x",
        `--junitxml=/work/reports/junit-${i}.xml`,
      ],
    ],
    ["python3", ["python3", "-c", "import sys;exec(eval(sys.stdin.readline()))"]],
    [
      "python3.12",
      [
        "/usr/local/bin/python3.12",
        "-m",
        "pytest",
        SUITES[i % SUITES.length]!,
        "-k",
        KEXPR[i % KEXPR.length]!,
        "-x",
        "--maxfail=3",
        `--basetemp=/tmp/pytest-of-runner/pytest-${i}`,
        "-p",
        "no:cacheprovider",
        `--junitxml=/work/reports/junit-${i}.xml`,
        "--token=***",
        "--durations=25",
        "-n",
        "4",
        "--dist=loadscope",
        `--rootdir=/work/repos/orchestrator-agent-${i % 7}`,
      ],
    ],
  ];
  const [comm, argv] = variants[i % variants.length]!;
  return {
    pid: 4000 + i,
    ppid: i % 5 === 0 ? 1 : 3000 + (i % 13),
    comm,
    state: i % 11 ? "S" : "R",
    ageS,
    startedAt: iso(now - ageS * 1000),
    orphaned: i % 5 === 0,
    blocking: ageS > 3600,
    argv,
    cmdline: argv.join(" "),
  };
}

export function makeSnapshot(seq: number, nProcs = 3, now = T0 + seq * 15_000): Snapshot {
  // oldest first, as the proc source lists them
  const processes = Array.from({ length: nProcs }, (_, i) => makeProcess(i, now)).sort((a, b) => b.ageS - a.ageS);
  const blocking = processes.filter((p) => p.blocking);
  return {
    type: "snapshot",
    seq,
    at: iso(now),
    tickMs: 3.1,
    enabled: true,
    sources: [
      { name: "metrics", ok: false, error: "connect ECONNREFUSED 10.0.0.5:8000", ms: 1.2 },
      { name: "proc", ok: true, error: null, ms: 2.4 },
    ],
    orch: {
      configured: true,
      up: false,
      failures: 3,
      threshold: 3,
      lastOkAt: iso(now - 45_000),
      lastError: "connect ECONNREFUSED 10.0.0.5:8000",
    },
    processes,
    processesTruncated: 0,
    signals: [
      {
        key: "orch_down:orchestrator",
        kind: "orch_down",
        entity: "orchestrator",
        active: true,
        severity: "critical",
        title: "orchestrator down for 3 ticks",
        detail: "connect ECONNREFUSED 10.0.0.5:8000",
      },
      ...blocking.map((p) => ({
        key: `proc_blocking:${p.pid}`,
        kind: "proc_blocking",
        entity: String(p.pid),
        active: true,
        severity: "critical" as const,
        title: `pytest ${p.pid} running for ${Math.floor(p.ageS / 60)}m`,
        detail: p.cmdline.slice(0, 120),
      })),
    ],
    alerts: blocking.map((p) => ({
      key: `proc_blocking:${p.pid}`,
      kind: "proc_blocking",
      entity: String(p.pid),
      firing: true,
      since: iso(now - 60_000),
      lastNotifiedAt: iso(now - 60_000),
      cooldownUntil: iso(now + 1_740_000),
      notifications: 1,
    })),
    host: { disk: [{ path: "/", usedPct: 71.2 }], load: [0.4, 0.3, 0.2] },
    containers: [{ name: "orchestrator", state: "running", health: "healthy", restarts: 0 }],
    deps: [{ name: "postgres", target: "db:5432", up: true, ms: 0.8 }],
  };
}

export function makeDecision(seq: number, action: Decision["action"] = "alert"): Decision {
  const pid = 4000 + seq;
  return {
    type: "decision",
    seq,
    at: iso(T0 + seq * 1000),
    key: `proc_blocking:${pid}`,
    kind: "proc_blocking",
    entity: String(pid),
    action,
    text: `pytest ${pid} running for 2h 1m on ci-runner-3`,
    delivery: { telegram: "queued" },
  };
}
