// A real long-running process whose command line is a pytest run with a secret in it:
// `python -m pytest tests/test_slow.py --token=s3cret`, double-forked so its parent is init
// (an orphan, as a pytest left behind by a killed CI job is). The `pytest` it runs is a
// stand-in module on PYTHONPATH that only sleeps, so no real pytest is needed.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Procs, Proc } from "./procs.js";
import { waitFor } from "./wait.js";

export const SLEEPER_SECRET = "s3cret";
/**
 * `--basetemp` (a real pytest option) puts the run's own temp folder in the command line,
 * so the probe's pattern can match this run's sleepers and nothing else on a shared machine.
 */
function sleeperArgs(dir: string): string[] {
  return ["-m", "pytest", "tests/test_slow.py", `--token=${SLEEPER_SECRET}`, `--basetemp=${dir}/basetemp`];
}

function findPython(): string | null {
  if (existsSync("/usr/bin/python3")) return "/usr/bin/python3";
  try {
    // a pyenv shim would exec the real binary and lose the argv[0] we set: ask for the real one
    return execFileSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

export interface Sleeper {
  proc: Proc;
  pid: number;
  /** what /proc/<pid>/cmdline holds, unredacted */
  argv: string[];
}

export async function startSleeper(procs: Procs, dir: string, seconds = 600): Promise<Sleeper> {
  const python = findPython();
  const args = sleeperArgs(dir);
  let script: string;
  let argv: string[];
  if (python) {
    const mod = join(dir, "fake-pytest", "pytest");
    mkdirSync(mod, { recursive: true });
    writeFileSync(join(mod, "__init__.py"), "");
    writeFileSync(join(mod, "__main__.py"), `import time\ntime.sleep(${seconds})\n`);
    script = `cd "${dir}" && PYTHONPATH="${join(dir, "fake-pytest")}" exec -a python "${python}" ${args.join(" ")} </dev/null >/dev/null 2>&1 & echo $!`;
    argv = ["python", ...args];
  } else {
    // no python: the whole command line becomes argv[0] of a sleep
    const line = ["python", ...args].join(" ");
    script = `exec -a "${line}" sleep ${seconds} </dev/null >/dev/null 2>&1 & echo $!`;
    argv = [line, String(seconds)];
  }
  const launcher = procs.spawn("sleeper-launcher", "bash", ["-c", script]);
  await waitFor("the sleeper's launcher to print its pid", () => (launcher.lines.length > 0 ? true : undefined), {
    timeoutMs: 10_000,
    describe: () => procs.tail(launcher),
  });
  const pid = Number(launcher.lines[0]);
  if (!Number.isInteger(pid) || pid <= 1)
    throw new Error(`sleeper: launcher printed "${launcher.lines[0]}", not a pid`);
  const proc = procs.adopt("pytest-sleeper", pid);
  await waitFor(
    `pid ${pid} to show a pytest command line`,
    () => {
      try {
        const raw = execFileSync("cat", [`/proc/${pid}/cmdline`], { encoding: "utf8" });
        return raw.includes("pytest") ? true : undefined;
      } catch {
        return undefined;
      }
    },
    { timeoutMs: 10_000 },
  );
  return { proc, pid, argv };
}
