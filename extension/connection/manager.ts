// The extension's one entry point to probes: settings in, connection views and events out.
// No `vscode` import: extension.ts adapts SecretStorage, Memento, the log channel and the
// host-key prompt to small interfaces, so all of this runs under vitest. The local probe's
// process is LocalProbeSupervisor's, the SSH host-key questions are HostKeyBroker's.
import { homedir } from "node:os";
import { join } from "node:path";
import type { Decision } from "../../probe/protocol.js";
import type { Logger } from "../log.js";
import { ProbeClient } from "./client.js";
import { FatalDialError, directDialer, errText, type Dialer } from "./dialer.js";
import { HostKeyBroker, type HostKeyPrompt, type MementoLike } from "./host-key-broker.js";
import { LocalProbeSupervisor } from "./local-probe-supervisor.js";
import { LOCAL_PROBE_NAME } from "./settings.js";
import { sshDialer } from "./ssh.js";
import type { ProbeConnectionView, ProbeTarget } from "./types.js";

/** The part of VS Code's SecretStorage the tokens live in. */
export interface SecretsLike {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

export interface Disposable {
  dispose(): void;
}

export interface ProbeManagerDeps {
  secrets: SecretsLike;
  state: MementoLike;
  /** the root logger: the manager, each connection, the local probe and the host keys get a child */
  log: Logger;
  hostKeyPrompt: HostKeyPrompt;
  /** absolute path of dist/probe.js */
  probeScript: string;
  /** default ~/.ssh/known_hosts (and /etc/ssh/ssh_known_hosts is read too) */
  knownHostsPath?: string;
  now?: () => number;
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
  private readonly hostKeys: HostKeyBroker;
  /** created by the first startLocalProbe() */
  private local: LocalProbeSupervisor | null = null;
  private disposed = false;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly deps: ProbeManagerDeps) {
    this.now = deps.now ?? (() => Date.now());
    this.log = deps.log.child("manager");
    this.hostKeys = new HostKeyBroker({
      state: deps.state,
      prompt: deps.hostKeyPrompt,
      log: deps.log.child("host-keys"),
    });
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
      this.local.setEnv(env);
      if (existing.client.state.phase === "failed" || existing.client.state.phase === "idle")
        existing.client.reconnect();
      await this.local.settled();
      return;
    }
    const local = new LocalProbeSupervisor({
      probeScript: this.deps.probeScript,
      log: this.deps.log.child("local-probe"),
    });
    local.setEnv(env);
    this.local = local;
    const target: ProbeTarget = { kind: "local", name: LOCAL_PROBE_NAME };
    const dialer: Dialer = { dial: async () => ({ url: (await local.ensure()).url, release() {} }) };
    const client = this.makeClient(LOCAL_CONNECTION_ID, target, dialer, async () => (await local.ensure()).token);
    this.entries.set(LOCAL_CONNECTION_ID, { target, client });
    this.order = [...this.order.filter((id) => id !== LOCAL_CONNECTION_ID), LOCAL_CONNECTION_ID];
    this.rebuildList();
    client.start();
    await local.settled();
  }

  /** No id: every connection. Also the way out of `failed` (after setting a token, fixing settings…). */
  reconnect(id?: string): void {
    for (const e of this.select(id)) e.client.reconnect();
  }

  /** No id: every connection. The local probe's process is stopped too. */
  disconnect(id?: string): void {
    for (const e of this.select(id)) e.client.stop();
    if (id === undefined || id === LOCAL_CONNECTION_ID) void this.local?.stop();
  }

  /** A secret changed (here or in another window): the probe whose token it is reconnects. */
  tokenChanged(secretKey: string): void {
    const c = this.list.find((x) => x.target.kind !== "local" && tokenSecretKey(x.name) === secretKey);
    if (c) this.reconnect(c.id);
  }

  /** Forgets host keys trusted (or accepted once) for this SSH probe's host; the next connect asks again. */
  async forgetHostKey(id: string): Promise<void> {
    const t = this.entries.get(id)?.target;
    if (t?.kind !== "ssh") return;
    await this.hostKeys.forget(t.ssh.host, t.ssh.port);
  }

  /** Closes sockets and SSH connections and stops the local probe process. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const clients = [...this.entries.values()].map((e) => e.client);
    await Promise.all([...clients.map((c) => c.dispose()), this.local?.dispose()]);
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
      this.log.error(`a connection listener failed: ${errText(e)}`);
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
      log: this.deps.log.child(id),
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
        log: this.deps.log.child(connectionId(t.name)),
        hostKeys: this.hostKeys,
        knownHostsFiles: [
          this.deps.knownHostsPath ?? join(homedir(), ".ssh", "known_hosts"),
          "/etc/ssh/ssh_known_hosts",
        ],
      });
    }
    if (t.kind === "direct") return directDialer(t.name, t.url, this.deps.log.child(connectionId(t.name)));
    return {
      dial: async () => Promise.reject(new FatalDialError("the local probe is started with startLocalProbe()")),
    };
  }
}
