// Every process the end-to-end run starts goes through here, so the run can stop each one
// by its pid at the end, failure or not. Children get their own process group (detached),
// so code-server's extension host and pty host go with it.
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { freePort } from "../helpers/ports.js";
export { freePort };

export interface Proc {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess | null;
  /** stdout and stderr lines, newest last, at most 2000 */
  readonly lines: string[];
  /** resolves with the exit code (or signal name) once the process is gone */
  readonly exited: Promise<string>;
  /** true once `exited` has resolved */
  isExited(): boolean;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class Procs {
  private readonly all: Proc[] = [];

  spawn(name: string, cmd: string, args: readonly string[], opts: SpawnOptions = {}): Proc {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], detached: true, ...opts });
    if (child.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
    const lines: string[] = [];
    let done = false;
    const onData = (buf: Buffer): void => {
      for (const l of buf.toString("utf8").split("\n")) {
        if (l.trim() === "") continue;
        lines.push(l);
        if (lines.length > 2000) lines.shift();
        if (process.env.E2E_VERBOSE) console.log(`  [${name}] ${l}`);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    const exited = new Promise<string>((resolve) => {
      child.once("exit", (code, signal) => {
        done = true;
        resolve(code !== null ? String(code) : String(signal));
      });
      child.once("error", (e) => {
        done = true;
        lines.push(`spawn error: ${e.message}`);
        resolve("error");
      });
    });
    const p: Proc = { name, pid: child.pid, child, lines, exited, isExited: () => done };
    this.all.push(p);
    return p;
  }

  /** Takes charge of a process started elsewhere (a double-forked sleeper), stopped by pid. */
  adopt(name: string, pid: number): Proc {
    let done = false;
    const exited = new Promise<string>((resolve) => {
      // not our child, so no exit event: poll, unref'd so it never holds the run open
      const t = setInterval(() => {
        if (!alive(pid)) {
          clearInterval(t);
          done = true;
          resolve("gone");
        }
      }, 100);
      t.unref();
    });
    const p: Proc = { name, pid, child: null, lines: [], exited, isExited: () => done || !alive(pid) };
    this.all.push(p);
    return p;
  }

  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once it is gone. */
  async stop(p: Proc, graceMs = 5000): Promise<void> {
    const signal = (sig: NodeJS.Signals): void => {
      try {
        if (p.child) process.kill(-p.pid, sig);
        else process.kill(p.pid, sig);
      } catch {
        try {
          process.kill(p.pid, sig);
        } catch {
          /* already gone */
        }
      }
    };
    if (p.isExited()) return;
    signal("SIGTERM");
    const t = await Promise.race([
      p.exited.then(() => "exited"),
      new Promise((r) => setTimeout(() => r("timeout"), graceMs)),
    ]);
    if (t === "timeout") {
      signal("SIGKILL");
      await Promise.race([p.exited, new Promise((r) => setTimeout(r, 2000))]);
    }
    if (p.child) {
      // the group may hold children that outlived the leader (extension host, pty host)
      try {
        process.kill(-p.pid, "SIGKILL");
      } catch {
        /* none left */
      }
    }
  }

  async stopAll(): Promise<void> {
    for (const p of [...this.all].reverse()) await this.stop(p).catch(() => undefined);
  }

  /** The last lines of every process that logs, for a failure report. */
  tails(n = 15): string {
    return this.all
      .filter((p) => p.lines.length > 0)
      .map((p) => `--- ${p.name} (pid ${p.pid}${p.isExited() ? ", exited" : ""}), last lines:\n${this.tail(p, n)}`)
      .join("\n");
  }

  tail(p: Proc, n = 30): string {
    return p.lines.slice(-n).join("\n");
  }
}
