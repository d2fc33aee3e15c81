// A Dialer that reaches a probe through SSH: ssh2 to the host, the host key verified before
// anything else is sent, then `forwardOut` to the probe's loopback port, handed to `ws` as its
// socket (`createConnection`): no local listening port. One SSH connection per attempt.
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import type { Client, ConnectConfig } from "ssh2";
import { STREAM_PATH } from "../../probe/protocol.js";
import { FatalDialError, errText, type CreateConnection, type DialResult, type Dialer } from "./dialer.js";
import type { Logger } from "../log.js";
import type { HostKeyBroker } from "./host-key-broker.js";
import { decideHostKey } from "./host-trust.js";
import { hostLookupName, keyTypeOf, knownKeyTypes, parseKnownHosts, type KnownHostEntry } from "./known-hosts.js";
import type { ProbeTarget } from "./types.js";

type SshTarget = Extract<ProbeTarget, { kind: "ssh" }>;

export interface SshDialerDeps {
  target: SshTarget;
  log: Logger;
  /** shared by every SSH probe of this window: trusted keys, keys accepted once, the questions */
  hostKeys: HostKeyBroker;
  knownHostsFiles: string[];
  /** defaults to process.env (SSH_AUTH_SOCK) and os.homedir() */
  env?: NodeJS.ProcessEnv;
  home?: string;
  keepaliveIntervalMs?: number;
  readyTimeoutMs?: number;
}

/** Host key algorithms ssh2 can verify, strongest first; ssh-rsa (SHA-1) and DSA left out. */
const HOST_KEY_ALGORITHMS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
];
const ALGORITHMS_OF_TYPE: Record<string, string[]> = { "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256"] };

/** Ask first for the key types known_hosts has for this host, as OpenSSH does. */
function hostKeyAlgorithmOrder(knownTypes: readonly string[]): string[] {
  const first = knownTypes.flatMap((t) => ALGORITHMS_OF_TYPE[t] ?? [t]).filter((a) => HOST_KEY_ALGORITHMS.includes(a));
  return [...new Set([...first, ...HOST_KEY_ALGORITHMS])];
}

function expandHome(path: string, home: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return join(home, path.slice(2));
  return path;
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return null;
  }
}

async function loadKnownHosts(files: string[]): Promise<KnownHostEntry[]> {
  const all: KnownHostEntry[] = [];
  for (const f of files) {
    const text = await readOptional(f);
    if (text !== null) all.push(...parseKnownHosts(text, f));
  }
  return all;
}

const DEFAULT_IDENTITIES = ["id_ed25519", "id_ecdsa", "id_rsa"];

async function authConfig(
  t: SshTarget,
  env: NodeJS.ProcessEnv,
  home: string,
): Promise<Pick<ConnectConfig, "privateKey" | "agent">> {
  const who = `probe "${t.name}"`;
  if (t.ssh.identityFile !== undefined) {
    const path = expandHome(t.ssh.identityFile, home);
    try {
      return { privateKey: await readFile(path) };
    } catch (e) {
      throw new FatalDialError(`${who}: cannot read ssh.identityFile ${path}: ${errText(e)}`);
    }
  }
  const agent = env.SSH_AUTH_SOCK;
  if (agent) return { agent };
  for (const name of DEFAULT_IDENTITIES) {
    const path = join(home, ".ssh", name);
    const key = await readOptional(path);
    if (key !== null) return { privateKey: key };
  }
  throw new FatalDialError(`${who}: no SSH key: set ssh.identityFile or run an ssh-agent (SSH_AUTH_SOCK)`);
}

/** What the host-key check concluded during one handshake. */
type Outcome =
  { kind: "ok" } | { kind: "refused"; reason: string } | { kind: "ask"; fingerprint: string; keyType: string };

export function sshDialer(d: SshDialerDeps): Dialer {
  const t = d.target;
  const env = d.env ?? process.env;
  const home = d.home ?? homedir();
  const remoteHost = t.ssh.remoteHost ?? "127.0.0.1";
  const who = `probe "${t.name}" (${t.ssh.username}@${hostLookupName(t.ssh.host, t.ssh.port)})`;

  /** One handshake. Resolves with the ready client, or says why the key was not accepted. */
  async function handshake(
    signal: AbortSignal,
    auth: Pick<ConnectConfig, "privateKey" | "agent">,
  ): Promise<{ client: Client } | Exclude<Outcome, { kind: "ok" }>> {
    const knownHosts = await loadKnownHosts(d.knownHostsFiles);
    // ssh2 is loaded on the first SSH connection, not at activation: most users never need it.
    const { Client } = await import("ssh2");
    if (signal.aborted) throw new Error("connection attempt abandoned");
    const client = new Client();
    let outcome: Outcome | null = null;
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", onAbort);
        f();
      };
      const onAbort = () =>
        settle(() => {
          client.end();
          reject(new Error("connection attempt abandoned"));
        });
      signal.addEventListener("abort", onAbort);
      client.on("ready", () => settle(() => resolve({ client })));
      client.on("error", (err: Error & { level?: string }) =>
        settle(() => {
          client.end();
          if (outcome && outcome.kind !== "ok") return resolve(outcome);
          if (err.level === "client-authentication") {
            return reject(
              new FatalDialError(`${who}: SSH login refused (${err.message}); check ssh.username and the key`),
            );
          }
          reject(new Error(`SSH ${hostLookupName(t.ssh.host, t.ssh.port)}: ${err.message}`));
        }),
      );
      client.on("close", () =>
        settle(() => {
          if (outcome && outcome.kind !== "ok") return resolve(outcome);
          reject(new Error(`SSH ${hostLookupName(t.ssh.host, t.ssh.port)}: connection closed during the handshake`));
        }),
      );
      try {
        client.connect({
          host: t.ssh.host,
          port: t.ssh.port,
          username: t.ssh.username,
          ...auth,
          keepaliveInterval: d.keepaliveIntervalMs ?? 15_000,
          keepaliveCountMax: 3,
          readyTimeout: d.readyTimeoutMs ?? 20_000,
          algorithms: {
            serverHostKey: hostKeyAlgorithmOrder(knownKeyTypes(knownHosts, t.ssh.host, t.ssh.port)) as never,
          },
          hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
            const keyType = keyTypeOf(key) ?? "unknown";
            const v = decideHostKey({
              probe: t.name,
              host: t.ssh.host,
              port: t.ssh.port,
              keyType,
              key,
              ...(t.hostKeyFingerprint !== undefined ? { pinned: t.hostKeyFingerprint } : {}),
              knownHosts,
              trusted: d.hostKeys.trusted(),
              acceptedOnce: d.hostKeys.acceptedOnce,
            });
            if (v.verdict === "accept") {
              outcome = { kind: "ok" };
              d.log.debug(`${who}: host key ${v.fingerprint} accepted (${v.via})`);
            } else if (v.verdict === "refuse") outcome = { kind: "refused", reason: v.reason };
            else outcome = { kind: "ask", fingerprint: v.fingerprint, keyType };
            verify(v.verdict === "accept");
          },
        });
      } catch (e) {
        // ssh2 throws here on an unusable key (encrypted without passphrase, not a key at all)
        settle(() => reject(new FatalDialError(`${who}: ${errText(e)}`)));
      }
    });
  }

  return {
    async dial(signal: AbortSignal): Promise<DialResult> {
      const auth = await authConfig(t, env, home);
      // at most one question per attempt: after an answer the key is accepted or we stop
      for (let round = 0; round < 2; round++) {
        const r = await handshake(signal, auth);
        if ("client" in r) return tunnel(r.client);
        if (r.kind === "refused") {
          d.log.error(r.reason);
          throw new FatalDialError(r.reason);
        }
        if (round > 0) throw new Error(`${who}: the host key changed while you were asked about it`);
        const { fingerprint, keyType } = r;
        const answer = await d.hostKeys.ask({
          probe: t.name,
          host: t.ssh.host,
          port: t.ssh.port,
          fingerprint,
          keyType,
          reason: "unknown",
        });
        if (answer === "cancel") throw new FatalDialError(`${who}: host key ${r.fingerprint} not accepted`);
        if (signal.aborted) throw new Error("connection attempt abandoned");
      }
      throw new Error(`${who}: host key check did not settle`);
    },
  };

  function tunnel(client: Client): DialResult {
    const createConnection: CreateConnection = (_opts, cb) => {
      client.forwardOut("127.0.0.1", 0, remoteHost, t.ssh.remotePort, (err, channel) => {
        if (err) return cb(new Error(`SSH forward to ${remoteHost}:${t.ssh.remotePort} failed: ${err.message}`));
        cb(null, asSocket(channel));
      });
      return undefined;
    };
    return {
      url: `ws://${remoteHost.includes(":") ? `[${remoteHost}]` : remoteHost}:${t.ssh.remotePort}${STREAM_PATH}`,
      createConnection,
      release: () => client.end(),
    };
  }
}

/** http and ws call a few net.Socket methods on their socket; an SSH channel has none of them. */
function asSocket(channel: Duplex): Duplex {
  const s = channel as Duplex & Record<string, unknown>;
  for (const m of ["setTimeout", "setNoDelay", "setKeepAlive"]) {
    if (typeof s[m] !== "function") s[m] = () => s;
  }
  return s;
}
