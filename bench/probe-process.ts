// What the RSS benches share: the bundled probe started as the container image starts it,
// and a bare `node` with the same flags as the reference measured in the same run.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

/** The command line of the container image (probe/deploy/Dockerfile) unless PROBE_NODE_FLAGS says otherwise. */
export const NODE_FLAGS = (process.env.PROBE_NODE_FLAGS ?? "--max-semi-space-size=2").split(" ").filter(Boolean);

export const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/**
 * A field of /proc/<pid>/status in bytes. VmRSS: resident now, VmHWM: its peak; RssFile is
 * the part that is pages of the node binary (shared, the most of a bare node's RSS), RssAnon
 * the process's own memory (heap, stacks, malloc).
 */
export function statusBytes(pid: number, field: "VmRSS" | "VmHWM" | "RssAnon" | "RssFile"): number {
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  if (kb === undefined) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(kb) * 1024;
}

/** Starts dist/probe.js with only PATH and `env`; resolves with its stream URL once it logs "listening". */
export async function startProbe(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...NODE_FLAGS, "dist/probe.js"], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  for await (const line of createInterface({ input: child.stdout })) {
    try {
      const j = JSON.parse(line) as { event?: string; url?: string };
      if (j.event === "listening" && j.url) {
        child.stdout.resume();
        return { child, url: j.url };
      }
    } catch {
      /* not JSON */
    }
  }
  throw new Error(`dist/probe.js exited (code ${child.exitCode}) before it was listening`);
}

/** An idle `node` with the probe's flags: the floor any Node daemon on this machine pays. */
export function startBareNode(): ChildProcess {
  return spawn(process.execPath, [...NODE_FLAGS, "-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
}

/** Ends a child this bench started, by its pid. */
export function end(child: ChildProcess | null): void {
  if (child?.pid && child.exitCode === null && child.signalCode === null) process.kill(child.pid, "SIGTERM");
}
