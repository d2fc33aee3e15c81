// The extension's one entry point to probes: settings in, connection views and events out.
// No `vscode` import: extension.ts adapts SecretStorage, Memento, the log channel and the
// host-key prompt to the small interfaces below, so all of this runs under vitest.
import { homedir } from "node:os";
import { join } from "node:path";
import type { Decision } from "../../probe/protocol.js";
import { ProbeClient } from "./client.js";
import { FatalDialError, directDialer, errText, type Dialer } from "./dialer.js";
import { TRUSTED_HOST_KEYS_STATE, readTrustStore, withoutTrusted } from "./host-trust.js";
import { hostLookupName } from "./known-hosts.js";
import { startLocalProbe, type LocalProbe } from "./local-probe.js";
import { LOCAL_PROBE_NAME } from "./settings.js";
import { sshDialer } from "./ssh.js";
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

/** The id of a configured probe's connection; the local probe's is LOCAL_CONNECTION_ID. */
export function connectionId(probeName: string): string {
  return `probe:${probeName}`;
}
export const LOCAL_CONNECTION_ID = "local";

interface Entry {
  target: ProbeTarget;
  client: ProbeClient;
}

const sameTarget = (a: ProbeTarget, b: ProbeTarget) => JSON.stringify(a) === JSON.stringify(b);

export class ProbeManager {
  private readonly entries = new Map<string, Entry>();
  private order: string[] = [];
  private list: readonly ProbeConnectionView[] = [];
  private readonly changeListeners = new Set<(c: ProbeConnectionView) => void>();
  private readonly listListeners = new Set<() => void>();
  private readonly decisionListeners = new Set<(c: ProbeConnectionView, d: Decision, replayed: boolean) => void>();
  private readonly acceptedOnce = new Set<string>();
  private readonly pendingPrompts = new Map<string, Promise<"once" | "trust" | "cancel">>();
  private local: {
    env: Record<string, string>;
    probe: LocalProbe | null;
    starting: Promise<LocalProbe> | null;
  } | null = null;
  private readonly exited = new WeakSet<LocalProbe>();
  private disposed = false;
  private readonly now: () => number;

  constructor(private readonly deps: ProbeManagerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Configured probes in settings order, then the local probe. Each entry is a fresh frozen object after a change. */
  get connections(): readonly ProbeConnectionView[] {
    return this.list;
  }

  /** Fired after any state, hello, snapshot or decision change of one connection (also with its last view when it is removed). */
  onDidChange(cb: (c: ProbeConnectionView) => void): Disposable {
    this.changeListeners.add(cb);
    return { dispose: () => void this.changeListeners.delete(cb) };
  }

  /** Fired when connections are added or removed (settings changed, local probe started). */
  onDidChangeConnections(cb: () => void): Disposable {
    this.listListeners.add(cb);
    return { dispose: () => void this.listListeners.delete(cb) };
  }

  /**
   * Fired once per decision added to a connection's list (a decision already held, seen
   * again in a replay after a reconnect, is not fired twice). `replayed` is true for the
   * probe's replay on connect: its seq is below that connection's first snapshot seq.
   */
  onDecision(cb: (c: ProbeConnectionView, d: Decision, replayed: boolean) => void): Disposable {
    this.decisionListeners.add(cb);
    return { dispose: () => void this.decisionListeners.delete(cb) };
  }

  /** From settings: connects new ones, drops removed ones, keeps unchanged ones connected. */
  setTargets(targets: ProbeTarget[]): void {
    if (this.disposed) return;
    const wanted = new Map<string, ProbeTarget>();
    for (const t of targets) if (t.kind !== "local") wanted.set(connectionId(t.name), t);
    for (const [id, e] of this.entries) {
      if (id === LOCAL_CONNECTION_ID) continue;
      const t = wanted.get(id);
      if (!t || !sameTarget(t, e.target)) this.remove(id);
    }
    const added: Entry[] = [];
    for (const [id, t] of wanted) {
      if (this.entries.has(id)) continue;
      const e = { target: t, client: this.makeClient(id, t, this.dialerFor(t), () => this.readToken(t.name)) };
      this.entries.set(id, e);
      added.push(e);
    }
    this.order = [...wanted.keys(), ...(this.entries.has(LOCAL_CONNECTION_ID) ? [LOCAL_CONNECTION_ID] : [])];
    this.rebuildList();
    for (const e of added) e.client.start();
  }

  /** Starts dist/probe.js on this machine (if it is not running) and connects to it. */
  async startLocalProbe(env: Record<string, string> = {}): Promise<void> {
    if (this.disposed) return;
    const existing = this.entries.get(LOCAL_CONNECTION_ID);
    if (existing && this.local) {
      this.local.env = env;
      if (existing.client.state.phase === "failed" || existing.client.state.phase === "idle")
        existing.client.reconnect();
      await this.local.starting?.catch(() => undefined);
      return;
    }
    this.local = { env, probe: null, starting: null };
    const target: ProbeTarget = { kind: "local", name: LOCAL_PROBE_NAME };
    const dialer: Dialer = { dial: async () => ({ url: (await this.ensureLocalProbe()).url, release() {} }) };
    const client = this.makeClient(
      LOCAL_CONNECTION_ID,
      target,
      dialer,
      async () => (await this.ensureLocalProbe()).token,
    );
    this.entries.set(LOCAL_CONNECTION_ID, { target, client });
    this.order = [...this.order.filter((id) => id !== LOCAL_CONNECTION_ID), LOCAL_CONNECTION_ID];
    this.rebuildList();
    client.start();
    await this.local.starting?.catch(() => undefined);
  }

  /** No id: every connection. Also the way out of `failed` (after setting a token, fixing settings…). */
  reconnect(id?: string): void {
    for (const e of this.select(id)) e.client.reconnect();
  }

  /** No id: every connection. The local probe's process is stopped too. */
  disconnect(id?: string): void {
    for (const e of this.select(id)) e.client.stop();
    if (id === undefined || id === LOCAL_CONNECTION_ID) void this.stopLocalProcess();
  }

  /** Forgets host keys trusted (or accepted once) for this SSH probe's host; the next connect asks again. */
  async forgetHostKey(id: string): Promise<void> {
    const t = this.entries.get(id)?.target;
    if (t?.kind !== "ssh") return;
    const store = withoutTrusted(readTrustStore(this.deps.state.get(TRUSTED_HOST_KEYS_STATE)), t.ssh.host, t.ssh.port);
    await this.deps.state.update(TRUSTED_HOST_KEYS_STATE, store);
    const prefix = hostLookupName(t.ssh.host, t.ssh.port) + " ";
    for (const k of [...this.acceptedOnce]) if (k.startsWith(prefix)) this.acceptedOnce.delete(k);
  }

  /** Closes sockets and SSH connections and stops the local probe process. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const clients = [...this.entries.values()].map((e) => e.client);
    await Promise.all([...clients.map((c) => c.dispose()), this.stopLocalProcess()]);
    this.changeListeners.clear();
    this.decisionListeners.clear();
    this.listListeners.clear();
  }

  private select(id?: string): Entry[] {
    if (id === undefined) return [...this.entries.values()];
    const e = this.entries.get(id);
    return e ? [e] : [];
  }

  private remove(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.order = this.order.filter((x) => x !== id);
    void e.client.dispose();
  }

  private rebuildList(): void {
    this.list = Object.freeze(
      this.order.flatMap((id) => {
        const e = this.entries.get(id);
        return e ? [e.client.view] : [];
      }),
    );
    for (const cb of this.listListeners) this.safely(() => cb());
  }

  private safely(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.deps.log.error(`Watchdog: a connection listener failed: ${errText(e)}`);
    }
  }

  private makeClient(
    id: string,
    target: ProbeTarget,
    dialer: Dialer,
    getToken: () => Promise<string | undefined>,
  ): ProbeClient {
    return new ProbeClient({
      id,
      target,
      getToken,
      dialer,
      log: this.deps.log,
      now: this.now,
      random: Math.random,
      onChange: (view) => {
        // a removed connection's last view is announced but kept out of the list
        const at = this.list.findIndex((c) => c.id === id);
        if (at >= 0 && this.entries.get(id)?.client.view === view) {
          const next = [...this.list];
          next[at] = view;
          this.list = Object.freeze(next);
        }
        for (const cb of this.changeListeners) this.safely(() => cb(view));
      },
      onDecision: (view, d, replayed) => {
        for (const cb of this.decisionListeners) this.safely(() => cb(view, d, replayed));
      },
    });
  }

  private async readToken(name: string): Promise<string | undefined> {
    const v = await this.deps.secrets.get(tokenSecretKey(name));
    return v?.trim() || undefined;
  }

  private dialerFor(t: ProbeTarget): Dialer {
    if (t.kind === "ssh") {
      return sshDialer({
        target: t,
        state: this.deps.state,
        log: this.deps.log,
        hostKeyPrompt: this.deps.hostKeyPrompt,
        acceptedOnce: this.acceptedOnce,
        pendingPrompts: this.pendingPrompts,
        knownHostsFiles: [
          this.deps.knownHostsPath ?? join(homedir(), ".ssh", "known_hosts"),
          "/etc/ssh/ssh_known_hosts",
        ],
      });
    }
    if (t.kind === "direct") return directDialer(t.name, t.url, this.deps.log);
    return {
      dial: async () => Promise.reject(new FatalDialError("the local probe is started with startLocalProbe()")),
    };
  }

  /** The running local probe, started (once) if needed: a crashed one is restarted by the next attempt. */
  private ensureLocalProbe(): Promise<LocalProbe> {
    const l = this.local;
    if (!l || this.disposed) return Promise.reject(new FatalDialError("the local probe is stopped"));
    if (l.probe && !this.exited.has(l.probe)) return Promise.resolve(l.probe);
    l.starting ??= startLocalProbe({ probeScript: this.deps.probeScript, env: l.env, log: this.deps.log }).then(
      (p) => {
        l.probe = p;
        l.starting = null;
        void p.exited.then(({ code, signal }) => {
          this.exited.add(p);
          if (!this.disposed && l.probe === p)
            this.deps.log.warn(
              `local probe (pid ${p.pid}) exited (${signal ?? `code ${code}`})${p.tail() ? `: ${p.tail()}` : ""}`,
            );
        });
        if (this.disposed) void p.stop();
        return p;
      },
      (e: unknown) => {
        l.starting = null;
        throw new FatalDialError(errText(e));
      },
    );
    return l.starting;
  }

  private async stopLocalProcess(): Promise<void> {
    const l = this.local;
    if (!l) return;
    const starting = l.starting;
    const p = l.probe;
    l.probe = null;
    if (p) await p.stop();
    // still starting: it becomes l.probe first; cleared here, its exit is not reported as a crash
    if (starting) {
      await starting.then(
        (q) => {
          if (l.probe === q) l.probe = null;
          return q.stop();
        },
        () => undefined,
      );
    }
  }
}
