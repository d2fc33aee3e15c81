// The real probe (dist/probe.js) as a child process: started with WATCHDOG_* variables,
// ready once it logs its `listening` line, restartable on the port it had.
import { resolve } from "node:path";
import type { Procs, Proc } from "./procs.js";
import { waitFor } from "./wait.js";

const PROBE_SCRIPT = resolve("dist/probe.js");

export interface RunningProbe {
  proc: Proc;
  port: number;
  /** ws://127.0.0.1:PORT/v1/stream, as the probe logged it */
  url: string;
}

export async function startProbe(procs: Procs, env: Record<string, string>, name = "probe"): Promise<RunningProbe> {
  const proc = procs.spawn(name, process.execPath, [PROBE_SCRIPT], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", ...env },
  });
  const url = await waitFor(
    `the probe (${name}) to log its "listening" line`,
    () => {
      if (proc.isExited()) throw new Error(`the probe exited:\n${procs.tail(proc)}`);
      for (const l of proc.lines) {
        if (!l.includes('"listening"')) continue;
        try {
          const j = JSON.parse(l) as { event?: string; url?: string };
          if (j.event === "listening" && typeof j.url === "string") return j.url;
        } catch {
          /* not a JSON line */
        }
      }
      return undefined;
    },
    { timeoutMs: 30_000, describe: () => procs.tail(proc) },
  );
  const port = Number(new URL(url).port);
  if (!port) throw new Error(`the probe logged a url without a port: ${url}`);
  return { proc, port, url };
}
