import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ageSeconds,
  buildPidReusedSignal,
  buildProcessInfo,
  buildProcSignal,
  isOrphaned,
  matchCmdline,
  matchLabel,
  oldestFirst,
  parseBtime,
  parseCmdline,
  parseStat,
  parseUptime,
  type ProcStat,
} from "../../../probe/collectors/proc-parse.js";
import { parseConfig, type ProcPattern } from "../../../probe/config.js";
import { ProcessSchema, SignalSchema } from "../../../probe/protocol.js";

const FIX = join(import.meta.dirname, "../../fixtures/proc");
const fixture = (p: string) => readFileSync(join(FIX, p), "utf8");

function patterns(v: string): ProcPattern[] {
  const r = parseConfig({ WATCHDOG_PROC_PATTERNS: v });
  if (!r.ok) throw new Error(r.errors.join("; "));
  return r.config.proc.patterns;
}

describe("parseStat", () => {
  it("reads pid, comm, state, ppid and starttime", () => {
    expect(parseStat(fixture("4242/stat"))).toEqual({
      pid: 4242,
      comm: "python",
      state: "S",
      ppid: 50,
      starttime: 9274000,
    });
  });

  it("splits on the last ')' so a comm holding ') (' stays whole", () => {
    expect(parseStat(fixture("4300/stat"))).toEqual({
      pid: 4300,
      comm: "pytest) (x",
      state: "S",
      ppid: 4242,
      starttime: 9994000,
    });
  });

  it("keeps spaces and a trailing ')' inside the comm", () => {
    const line = "77 (a b)) Z 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 555 0 0\n";
    expect(parseStat(line)).toMatchObject({ pid: 77, comm: "a b)", state: "Z", ppid: 1, starttime: 555 });
  });

  it("reads a real stat line of this very process", () => {
    const s = parseStat(readFileSync("/proc/self/stat", "utf8"));
    expect(s?.pid).toBe(process.pid);
    expect(s?.ppid).toBe(process.ppid);
    expect(s?.starttime).toBeGreaterThan(0);
  });

  it.each([
    ["garbage", "this is not a stat line\n"],
    ["empty", ""],
    ["no comm", "42 S 1 2 3"],
    ["pid not a number", "x4 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0"],
    ["cut short", "42 (a) S 1 1 1 0"],
    ["starttime not a number", "42 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 soon 0 0"],
    ["state not a letter", "42 (a) 7 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0"],
  ])("returns null for %s", (_, text) => {
    expect(parseStat(text)).toBeNull();
  });
});

describe("parseCmdline", () => {
  it("splits on NUL and drops the terminator", () => {
    expect(parseCmdline(fixture("4242/cmdline"))).toEqual(["python", "-m", "pytest", "tests/", "--token=abc123"]);
  });
  it("is empty for a zombie or kernel thread", () => {
    expect(parseCmdline(fixture("4400/cmdline"))).toEqual([]);
    expect(parseCmdline(fixture("2/cmdline"))).toEqual([]);
  });
  it("keeps empty arguments in the middle and a rewritten title whole", () => {
    expect(parseCmdline("a\0\0b\0")).toEqual(["a", "", "b"]);
    expect(parseCmdline("postgres: writer process   \0\0\0")).toEqual(["postgres: writer process   "]);
    expect(parseCmdline("no-terminator")).toEqual(["no-terminator"]);
  });
});

describe("uptime and btime", () => {
  it("parses the fixture files", () => {
    expect(parseUptime(fixture("uptime"))).toBe(100000);
    expect(parseBtime(fixture("stat"))).toBe(1781000000);
  });
  it("parses the real files", () => {
    expect(parseUptime(readFileSync("/proc/uptime", "utf8"))).toBeGreaterThan(0);
    expect(parseBtime(readFileSync("/proc/stat", "utf8"))).toBeGreaterThan(1_000_000_000);
  });
  it("returns null for garbage", () => {
    expect(parseUptime("soon")).toBeNull();
    expect(parseUptime("")).toBeNull();
    expect(parseBtime("cpu 1 2 3\nbtime\n")).toBeNull();
  });
});

describe("ageSeconds and isOrphaned", () => {
  it("is uptime minus starttime over CLK_TCK, never negative", () => {
    expect(ageSeconds(100000, 9274000, 100)).toBe(7260);
    expect(ageSeconds(100000, 9274000 * 2.5, 250)).toBe(7260);
    expect(ageSeconds(10, 2000, 100)).toBe(0);
  });
  it.each([
    [0, null, true],
    [1, null, true],
    [1, "bash", true],
    [50, "tini", true],
    [50, "docker-init", true],
    [50, "dumb-init", true],
    [50, "init", true],
    [50, "systemd", true],
    [50, "s6-svscan", true],
    [4700, "bash", false],
    [4700, "tini-helper", false],
    [4700, null, false],
  ] as const)("ppid %s with parent %s → orphaned %s", (ppid, comm, want) => {
    expect(isOrphaned(ppid, comm)).toBe(want);
  });
});

describe("matchCmdline", () => {
  it("matches substrings and /regex/ patterns, first hit wins", () => {
    const ps = patterns("tox,pytest,/py\\.test\\s+-x/");
    expect(matchCmdline("python -m pytest tests/", ps)?.text).toBe("pytest");
    expect(matchCmdline("py.test -x tests/", ps)?.text).toBe("py.test -x");
    expect(matchCmdline("tox -e py311 -- pytest", ps)?.text).toBe("tox");
    expect(matchCmdline("bash -l", ps)).toBeNull();
  });
  it("never matches an empty cmdline, even with a pattern that matches nothing", () => {
    expect(matchCmdline("", patterns("/.*/"))).toBeNull();
    expect(matchCmdline("", patterns("pytest"))).toBeNull();
  });
  it("gives the same answer on the raw NUL text and builds the spaced copy only when needed", () => {
    const raw = "python\0-m\0pytest\0tests/\0";
    let built = 0;
    const spaced = () => {
      built++;
      return "python -m pytest tests/";
    };
    expect(matchCmdline(spaced, patterns("pytest"), raw)?.text).toBe("pytest");
    expect(built).toBe(0);
    expect(matchCmdline(spaced, patterns("m pytest"), raw)?.text).toBe("m pytest");
    expect(matchCmdline(spaced, patterns("/^python -m/"), raw)?.text).toBe("python -m");
    expect(built).toBe(2);
  });
  it("labels the title with the match, redacted and capped", () => {
    const m = matchCmdline("run --token=abc pytest", patterns("/--token=\\S+ pytest/"))!;
    expect(matchLabel(m)).toBe("--token=*** pytest");
    const long = matchCmdline("x".repeat(80), patterns("/x+/"))!;
    expect(matchLabel(long)).toHaveLength(40);
  });
});

const STAT: ProcStat = { pid: 4242, comm: "python", state: "S", ppid: 50, starttime: 9274000 };

describe("buildProcessInfo and signals", () => {
  const info = buildProcessInfo(
    {
      stat: STAT,
      argv: ["python", "-m", "pytest", "tests/", "--token", "abc123"],
      ageS: 7260.004,
      btimeS: 1781000000,
      parentComm: "tini",
      thresholdS: 3600,
    },
    100,
  );

  it("builds a valid, redacted, orphaned, blocking process", () => {
    expect(ProcessSchema.parse(info)).toEqual({
      pid: 4242,
      ppid: 50,
      comm: "python",
      state: "S",
      ageS: 7260,
      startedAt: new Date((1781000000 + 92740) * 1000).toISOString(),
      orphaned: true,
      blocking: true,
      argv: ["python", "-m", "pytest", "tests/", "--token", "***"],
      cmdline: "python -m pytest tests/ --token ***",
    });
  });

  it("is not blocking below the threshold, and blocking at threshold 0", () => {
    const base = { stat: STAT, argv: ["pytest"], btimeS: null, parentComm: "bash" };
    expect(buildProcessInfo({ ...base, ageS: 3599, thresholdS: 3600 }, 100).blocking).toBe(false);
    expect(buildProcessInfo({ ...base, ageS: 0, thresholdS: 0 }, 100).blocking).toBe(true);
    expect(buildProcessInfo({ ...base, ageS: 0, thresholdS: 0 }, 100).startedAt).toBeNull();
  });

  it("redacts a comm a process set to something secret-looking", () => {
    const p = buildProcessInfo(
      { stat: { ...STAT, comm: "TOKEN=abc123" }, argv: ["x"], ageS: 1, btimeS: null, parentComm: null, thresholdS: 0 },
      100,
    );
    expect(p.comm).toBe("TOKEN=***");
  });

  it("masks a secret value that holds spaces as a whole", () => {
    const p = buildProcessInfo(
      {
        stat: STAT,
        argv: ["pytest", "--password", "correct horse"],
        ageS: 1,
        btimeS: null,
        parentComm: null,
        thresholdS: 0,
      },
      100,
    );
    expect(p.cmdline).toBe("pytest --password ***");
    expect(JSON.stringify(p)).not.toContain("horse");
  });

  it("makes one critical proc_blocking signal per pid with the duration in the title", () => {
    const s = SignalSchema.parse(buildProcSignal(info, "pytest"));
    expect(s).toMatchObject({
      key: "proc_blocking:4242",
      kind: "proc_blocking",
      entity: "4242",
      active: true,
      severity: "critical",
      title: "pytest 4242 running for 2h 1m",
    });
    expect(s.detail).toContain("ppid 50 (orphaned)");
    expect(s.detail).toContain("--token ***");
    expect(s.detail).not.toContain("abc123");
  });

  it("cuts a long cmdline in the detail after redacting it", () => {
    const p = buildProcessInfo(
      {
        stat: STAT,
        argv: ["pytest", ...Array<string>(200).fill("tests/test_x.py"), "--token=abc123"],
        ageS: 1,
        btimeS: null,
        parentComm: null,
        thresholdS: 0,
      },
      100,
    );
    const s = buildProcSignal(p, "pytest");
    expect(s.detail.length).toBeLessThan(600);
    expect(s.detail).toContain("…");
    expect(p.cmdline.endsWith("--token=***")).toBe(true);
  });

  it("gives a reused pid an inactive signal under the same key", () => {
    expect(buildPidReusedSignal(4242, "pytest")).toMatchObject({ key: "proc_blocking:4242", active: false });
  });
});

describe("oldestFirst", () => {
  it("sorts by starttime then pid and counts what it drops", () => {
    const items = [
      { pid: 9, starttime: 5 },
      { pid: 3, starttime: 1 },
      { pid: 2, starttime: 5 },
      { pid: 1, starttime: 7 },
    ];
    expect(oldestFirst(items, 3)).toEqual({
      kept: [
        { pid: 3, starttime: 1 },
        { pid: 2, starttime: 5 },
        { pid: 9, starttime: 5 },
      ],
      truncated: 1,
    });
    expect(oldestFirst(items, 10).truncated).toBe(0);
  });
});
