// OpenSSH known_hosts, parsed and matched without I/O (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT").
// Supported: comma-separated host patterns with `*`/`?` and `!` negation, `[host]:port`,
// hashed `|1|salt|hash` entries, `@revoked` (refuse) and `@cert-authority` (ignored: we do
// not do host certificates), comments and blank lines. Malformed lines are skipped.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export interface KnownHostEntry {
  /** where it was read from and its 1-based line, for messages that tell the user what to fix */
  file: string;
  line: number;
  marker: "revoked" | "cert-authority" | null;
  /** hashed `|1|` entry: salt and HMAC-SHA1 of the lookup name; otherwise the pattern list */
  hosts: { kind: "hashed"; salt: Buffer; hash: Buffer } | { kind: "patterns"; patterns: string[] };
  keyType: string;
  key: Buffer;
}

export function parseKnownHosts(text: string, file = "known_hosts"): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry["marker"] = null;
    if (fields[0]?.startsWith("@")) {
      const m = fields.shift();
      if (m === "@revoked") marker = "revoked";
      else if (m === "@cert-authority") marker = "cert-authority";
      else return;
    }
    const [hostField, keyType, keyB64] = fields;
    if (!hostField || !keyType || !keyB64) return;
    const key = decodeBase64Strict(keyB64);
    if (!key || keyTypeOf(key) !== keyType) return;
    let hosts: KnownHostEntry["hosts"];
    if (hostField.startsWith("|1|")) {
      const parts = hostField.split("|");
      const salt = parts[2] !== undefined ? decodeBase64Strict(parts[2]) : null;
      const hash = parts[3] !== undefined ? decodeBase64Strict(parts[3]) : null;
      if (parts.length !== 4 || !salt || !hash || hash.length !== 20) return;
      hosts = { kind: "hashed", salt, hash };
    } else {
      hosts = { kind: "patterns", patterns: hostField.split(",").filter((p) => p !== "") };
    }
    out.push({ file, line: i + 1, marker, hosts, keyType, key });
  });
  return out;
}

function decodeBase64Strict(s: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return null;
  const b = Buffer.from(s, "base64");
  return b.length > 0 ? b : null;
}

/** The key type recorded inside an SSH public key blob (its first length-prefixed string). */
export function keyTypeOf(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const n = blob.readUInt32BE(0);
  if (n === 0 || n > 64 || 4 + n > blob.length) return null;
  const t = blob.subarray(4, 4 + n).toString("latin1");
  return /^[\x21-\x7e]+$/.test(t) ? t : null;
}

/** What OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function hostLookupName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** OpenSSH's `SHA256:` + unpadded base64 of the key blob's SHA-256. */
export function fingerprintSha256(blob: Buffer): string {
  return "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
}

/** Compares a configured fingerprint with a computed one; tolerates padding and surrounding blanks. */
export function sameFingerprint(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().replace(/=+$/, "");
  return norm(a) === norm(b);
}

function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(
    "^" +
      pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".") +
      "$",
    "s",
  );
  return re.test(text);
}

/** Does this entry's host field name `lookup`? (A matching `!negation` wins over everything.) */
function entryMatchesHost(e: KnownHostEntry, lookup: string): boolean {
  if (e.hosts.kind === "hashed") {
    const mac = createHmac("sha1", e.hosts.salt).update(lookup).digest();
    return timingSafeEqual(mac, e.hosts.hash);
  }
  let positive = false;
  for (const raw of e.hosts.patterns) {
    const negated = raw.startsWith("!");
    const p = (negated ? raw.slice(1) : raw).toLowerCase();
    if (globMatch(p, lookup)) {
      if (negated) return false;
      positive = true;
    }
  }
  return positive;
}

export type HostKeyVerdict =
  | { result: "match"; at: string }
  /**
   * the host is known, but not with this key: possibly a man-in-the-middle. As in OpenSSH, a
   * known key of another type counts too (`knownType` differs from the offered type): whoever
   * answers chooses the key type it offers, so "no key of this type yet" proves nothing.
   */
  | { result: "mismatch"; at: string; knownType: string; knownFingerprint: string }
  | { result: "revoked"; at: string }
  | { result: "unknown" };

/** The verdict for one lookup name, revocation aside: ssh(1)'s check_key_in_hostkeys. */
function verdictForName(
  entries: readonly KnownHostEntry[],
  lookup: string,
  keyType: string,
  key: Buffer,
): HostKeyVerdict {
  let offending: KnownHostEntry | null = null;
  for (const e of entries) {
    if (e.marker !== null || !entryMatchesHost(e, lookup)) continue;
    if (e.key.equals(key)) return { result: "match", at: `${e.file}:${e.line}` };
    // name a key of the offered type if there is one: that is the key the user will recognise
    if (offending === null || (offending.keyType !== keyType && e.keyType === keyType)) offending = e;
  }
  if (offending === null) return { result: "unknown" };
  return {
    result: "mismatch",
    at: `${offending.file}:${offending.line}`,
    knownType: offending.keyType,
    knownFingerprint: fingerprintSha256(offending.key),
  };
}

export function matchHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  keyType: string,
  key: Buffer,
): HostKeyVerdict {
  // @revoked applies to the key wherever it appears, before anything else can accept it
  // (stricter than OpenSSH, which honours it only on lines that name the host: see the README)
  for (const e of entries) {
    if (e.marker === "revoked" && e.key.equals(key)) return { result: "revoked", at: `${e.file}:${e.line}` };
  }
  const v = verdictForName(entries, hostLookupName(host, port), keyType, key);
  // ssh(1) "checking without port identifier": a host no line knows on this port is accepted
  // when its bare name holds this very key; anything else there changes nothing
  if (v.result === "unknown" && port !== 22) {
    const bare = verdictForName(entries, hostLookupName(host, 22), keyType, key);
    if (bare.result === "match") return bare;
  }
  return v;
}

/** Key types known_hosts holds for this host, so the handshake can ask for those first (as OpenSSH does). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const lookup = hostLookupName(host, port);
  const types = new Set<string>();
  for (const e of entries) if (e.marker === null && entryMatchesHost(e, lookup)) types.add(e.keyType);
  return [...types];
}
