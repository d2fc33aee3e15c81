// The extension's one entry point to probes: settings in, connection views and events out.
// No `vscode` import: extension.ts adapts SecretStorage, Memento, the log channel and the
// host-key prompt to the small interfaces below, so all of this runs under vitest.
import type { Decision } from "../../probe/protocol.js";
import type { ProbeConnectionView, ProbeTarget } from "./types.js";

export { parseProbeSettings, LOCAL_PROBE_NAME } from "./settings.js";

export interface SecretsLike {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export interface LogLike {
  info(msg: string, ...a: unknown[]): void;
  warn(msg: string, ...a: unknown[]): void;
  error(msg: string, ...a: unknown[]): void;
  debug?(msg: string, ...a: unknown[]): void;
}

export interface HostKeyPromptInfo {
  probe: string;
  host: string;
  port: number;
  /** "SHA256:…" exactly as `ssh-keygen -lf` prints it */
  fingerprint: string;
  /** e.g. "ssh-ed25519" */
  keyType: string;
  reason: "unknown";
}

/** "once": accept for this session; "trust": remember (extension state, not known_hosts); "cancel": refuse. */
export interface HostKeyPrompt {
  (info: HostKeyPromptInfo): Promise<"once" | "trust" | "cancel">;
}

export interface Disposable {
  dispose(): void;
}

export interface ProbeManagerDeps {
  secrets: SecretsLike;
  state: MementoLike;
  log: LogLike;
  hostKeyPrompt: HostKeyPrompt;
  /** absolute path of dist/probe.js */
  probeScript: string;
  /** default ~/.ssh/known_hosts (and /etc/ssh/ssh_known_hosts is read too) */
  knownHostsPath?: string;
  now?(): number;
}

/** Where a configured probe's stream token lives in SecretStorage. */
export function tokenSecretKey(probeName: string): string {
  return `watchdog.token.${probeName}`;
}

export class ProbeManager {
  constructor(private readonly deps: ProbeManagerDeps) {}

  /** Configured probes in settings order, then the local probe. Each entry is a fresh object after a change. */
  get connections(): readonly ProbeConnectionView[] {
    return [];
  }

  /** Fired after any state, hello or snapshot change of one connection. */
  onDidChange(cb: (c: ProbeConnectionView) => void): Disposable {
    void cb;
    return { dispose() {} };
  }

  /**
   * Fired once per decision added to a connection's list (a decision already held, seen
   * again in a replay after a reconnect, is not fired twice). `replayed` is true for the
   * probe's replay on connect: its seq is below that connection's first snapshot seq.
   */
  onDecision(cb: (c: ProbeConnectionView, d: Decision, replayed: boolean) => void): Disposable {
    void cb;
    return { dispose() {} };
  }

  setTargets(targets: ProbeTarget[]): void {
    void targets;
  }

  async startLocalProbe(env?: Record<string, string>): Promise<void> {
    void env;
  }

  /** No id: every connection. Also the way out of `failed` (after setting a token, fixing settings…). */
  reconnect(id?: string): void {
    void id;
  }

  disconnect(id?: string): void {
    void id;
  }

  async dispose(): Promise<void> {}
}
