// Keeps at most one local probe (dist/probe.js, see local-probe.ts) running for this window:
// started on the first connection attempt that needs it, started again by the next attempt
// after a crash, stopped on disconnect and for good on dispose. A probe stopped on purpose
// is not reported as a crash.
import { FatalDialError, errText } from "./dialer.js";
import { startLocalProbe, type LocalProbe } from "./local-probe.js";
import type { Logger } from "../log.js";

export interface LocalProbeSupervisorDeps {
  /** absolute path of dist/probe.js */
  probeScript: string;
  log: Logger;
}

export class LocalProbeSupervisor {
  private env: Record<string, string> = {};
  private probe: LocalProbe | null = null;
  private starting: Promise<LocalProbe> | null = null;
  private readonly exited = new WeakSet<LocalProbe>();
  private disposed = false;

  constructor(private readonly d: LocalProbeSupervisorDeps) {}

  /** The environment of the next start (watchdog.localProbe.env); a running probe keeps its own. */
  setEnv(env: Record<string, string>): void {
    this.env = env;
  }

  /** The running probe, started (once) if needed. A start that fails is final for that attempt. */
  ensure(): Promise<LocalProbe> {
    if (this.disposed) return Promise.reject(new FatalDialError("the local probe is stopped"));
    if (this.probe && !this.exited.has(this.probe)) return Promise.resolve(this.probe);
    this.starting ??= startLocalProbe({ probeScript: this.d.probeScript, env: this.env, log: this.d.log }).then(
      (p) => {
        this.probe = p;
        this.starting = null;
        void p.exited.then(({ code, signal }) => {
          this.exited.add(p);
          if (!this.disposed && this.probe === p)
            this.d.log.warn(
              `local probe (pid ${p.pid}) exited (${signal ?? `code ${code}`})${p.tail() ? `: ${p.tail()}` : ""}`,
            );
        });
        if (this.disposed) void p.stop();
        return p;
      },
      (e: unknown) => {
        this.starting = null;
        throw new FatalDialError(errText(e));
      },
    );
    return this.starting;
  }

  /** Resolves once a start under way has succeeded or failed. */
  async settled(): Promise<void> {
    await this.starting?.catch(() => undefined);
  }

  /** Stops the process (one still starting too); the next ensure() starts a fresh one. */
  async stop(): Promise<void> {
    const starting = this.starting;
    const p = this.probe;
    this.probe = null;
    if (p) await p.stop();
    // still starting: it becomes this.probe first; cleared here, its exit is not reported as a crash
    if (starting) {
      await starting.then(
        (q) => {
          if (this.probe === q) this.probe = null;
          return q.stop();
        },
        () => undefined,
      );
    }
  }

  /** Stops the process for good: ensure() refuses from now on. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.stop();
  }
}
