// Which host keys to accept, in order: a pinned fingerprint (setting) decides alone; then
// known_hosts (a changed key, a host known only with keys of other types, or @revoked → refuse);
// then keys the user trusted in a prompt (kept in the extension's state, never written to
// known_hosts); then keys accepted once this session. Anything else is asked. Pure: the caller
// reads the files and the Memento.
import {
  fingerprintSha256,
  hostLookupName,
  matchHostKey,
  sameFingerprint,
  type KnownHostEntry,
} from "./known-hosts.js";

/** Memento key of the keys trusted in a prompt. */
export const TRUSTED_HOST_KEYS_STATE = "watchdog.trustedHostKeys";

/** lookup name (`host` or `[host]:port`) → trusted keys */
export type TrustStore = Record<string, { keyType: string; fingerprint: string }[]>;

export interface HostKeyQuestion {
  probe: string;
  host: string;
  port: number;
  keyType: string;
  key: Buffer;
  pinned?: string;
  knownHosts: readonly KnownHostEntry[];
  trusted: TrustStore;
  /** `lookup fingerprint` strings accepted with "once" */
  acceptedOnce: ReadonlySet<string>;
}

export type HostKeyDecision =
  | { verdict: "accept"; via: "pinned" | "known_hosts" | "trusted" | "once"; fingerprint: string }
  /** `cause`: a key other than the one recorded (`changed`), or a key marked `@revoked` */
  | { verdict: "refuse"; cause: "changed" | "revoked"; fingerprint: string; reason: string }
  | { verdict: "ask"; fingerprint: string };

export function onceKey(host: string, port: number, fingerprint: string): string {
  return `${hostLookupName(host, port)} ${fingerprint}`;
}

/** Reads a possibly corrupt Memento value defensively. */
export function readTrustStore(raw: unknown): TrustStore {
  const out: TrustStore = {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return out;
  for (const [k, v] of Object.entries(raw)) {
    if (!Array.isArray(v)) continue;
    const keys = (v as unknown[]).filter(
      (x): x is { keyType: string; fingerprint: string } =>
        typeof x === "object" &&
        x !== null &&
        typeof (x as Record<string, unknown>).keyType === "string" &&
        typeof (x as Record<string, unknown>).fingerprint === "string",
    );
    if (keys.length) out[k] = keys.map(({ keyType, fingerprint }) => ({ keyType, fingerprint }));
  }
  return out;
}

/** The store with this key trusted (replacing an older key of the same type for that host). */
export function withTrusted(
  store: TrustStore,
  host: string,
  port: number,
  keyType: string,
  fingerprint: string,
): TrustStore {
  const lookup = hostLookupName(host, port);
  const kept = (store[lookup] ?? []).filter((k) => k.keyType !== keyType);
  return { ...store, [lookup]: [...kept, { keyType, fingerprint }] };
}

export function withoutTrusted(store: TrustStore, host: string, port: number): TrustStore {
  const { [hostLookupName(host, port)]: _gone, ...rest } = store;
  return rest;
}

export function decideHostKey(q: HostKeyQuestion): HostKeyDecision {
  const fingerprint = fingerprintSha256(q.key);
  const lookup = hostLookupName(q.host, q.port);
  const changed = (was: string, where: string, fix: string) =>
    `WARNING: the SSH host key of ${lookup} (probe "${q.probe}") has CHANGED: ${where} has ${was}, ` +
    `the server offered ${fingerprint} (${q.keyType}). Someone may be intercepting the connection, ` +
    `or the server's key was replaced. Refusing to connect. ${fix}`;

  if (q.pinned !== undefined) {
    if (sameFingerprint(q.pinned, fingerprint)) return { verdict: "accept", via: "pinned", fingerprint };
    return {
      verdict: "refuse",
      cause: "changed",
      fingerprint,
      reason: changed(
        q.pinned.trim(),
        "the pinned hostKeyFingerprint setting",
        "If the new key is expected, update hostKeyFingerprint.",
      ),
    };
  }

  const v = matchHostKey(q.knownHosts, q.host, q.port, q.keyType, q.key);
  if (v.result === "match") return { verdict: "accept", via: "known_hosts", fingerprint };
  if (v.result === "revoked") {
    return {
      verdict: "refuse",
      cause: "revoked",
      fingerprint,
      reason: `The SSH host key ${fingerprint} of ${lookup} (probe "${q.probe}") is marked @revoked at ${v.at}. Refusing to connect.`,
    };
  }
  if (v.result === "mismatch") {
    return {
      verdict: "refuse",
      cause: "changed",
      fingerprint,
      reason: changed(
        `${v.knownFingerprint} (${v.knownType})`,
        v.at,
        `If the change is expected, remove the old key with: ssh-keygen -R "${lookup}"`,
      ),
    };
  }

  const trusted = q.trusted[lookup]?.filter((k) => k.keyType === q.keyType) ?? [];
  if (trusted.some((k) => sameFingerprint(k.fingerprint, fingerprint)))
    return { verdict: "accept", via: "trusted", fingerprint };
  if (trusted.length > 0) {
    return {
      verdict: "refuse",
      cause: "changed",
      fingerprint,
      reason: changed(
        trusted[0]!.fingerprint,
        "the key you trusted in Watchdog",
        "If the change is expected, forget the trusted key and connect again.",
      ),
    };
  }
  if (q.acceptedOnce.has(onceKey(q.host, q.port, fingerprint))) return { verdict: "accept", via: "once", fingerprint };
  return { verdict: "ask", fingerprint };
}
