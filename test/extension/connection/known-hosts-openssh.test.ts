// The extension's host-key verdict against OpenSSH's own, row by row. Each row is one
// known_hosts file (written as users write it, or hashed by `ssh-keygen -H`), one host and port
// as the user names them, and a REAL sshd offering one host key. OpenSSH's verdict comes from
// `ssh -o StrictHostKeyChecking=yes`; names other than 127.0.0.1 reach the loopback sshd through
// a ProxyCommand, so ssh looks them up exactly as it would for a remote host. The extension's
// verdict is decideHostKey's for the key the server really offers (captured with ssh2).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideHostKey } from "../../../extension/connection/host-trust.js";
import { parseKnownHosts } from "../../../extension/connection/known-hosts.js";
import { sshKeygen, startSshd, type KeyPair, type Sshd } from "../../helpers/sshd.js";

type Verdict = "accepted" | "unknown" | "changed" | "revoked";
type KeyKind = "ed25519" | "ecdsa" | "rsa";
const KINDS: readonly KeyKind[] = ["ed25519", "ecdsa", "rsa"];
/** what ssh is told to negotiate, so the server's one key is the one offered */
const ALGORITHM: Record<KeyKind, string> = {
  ed25519: "ssh-ed25519",
  ecdsa: "ecdsa-sha2-nistp256",
  rsa: "rsa-sha2-512",
};

interface Ctx {
  /** `type base64` of the host key the server under test offers */
  own: string;
  /** `type base64` of a key of this kind that no server holds */
  other: (k: KeyKind) => string;
  /** `type base64` of the host key of the server of this kind */
  serverKey: (k: KeyKind) => string;
  /** the real sshd port (for rows that connect to 127.0.0.1 directly) */
  port: number;
  /** `type base64` of the CA that signed the certificate of the ed25519 server with one */
  ca: string;
}

interface Row {
  name: string;
  server: KeyKind;
  /** "127.0.0.1" connects directly to the real port; any other name goes through a ProxyCommand */
  host: string;
  /** ignored for 127.0.0.1, which uses the real port */
  port?: number;
  lines: (c: Ctx) => string[];
  hashed?: boolean;
  /** the ed25519 server that also has a host certificate for H; ssh asks for the certificate */
  certificate?: true;
  /** OpenSSH's verdict, observed: both sides must give it, unless `stricter` says otherwise */
  openssh: Verdict;
  /** the extension deliberately refuses more than OpenSSH here, as the README (SSH probes) says */
  stricter?: Verdict;
}

const H = "db.example";
const ROWS: Row[] = [
  { name: "plain name, port 22", server: "ed25519", host: H, lines: (c) => [`${H} ${c.own}`], openssh: "accepted" },
  {
    name: "plain name, another key of the same type",
    server: "ed25519",
    host: H,
    lines: (c) => [`${H} ${c.other("ed25519")}`],
    openssh: "changed",
  },
  {
    name: "only other hosts listed",
    server: "ed25519",
    host: H,
    lines: (c) => [`web.example ${c.own}`, `db.example.org ${c.own}`],
    openssh: "unknown",
  },
  {
    name: "comma-separated names",
    server: "ed25519",
    host: H,
    lines: (c) => [`web.example,${H},10.0.0.5 ${c.own}`],
    openssh: "accepted",
  },
  {
    name: "names are case-insensitive",
    server: "ecdsa",
    host: H,
    lines: (c) => [`DB.Example ${c.own}`],
    openssh: "accepted",
  },
  {
    name: "hashed name",
    server: "ed25519",
    host: H,
    lines: (c) => [`${H} ${c.own}`, `web.example ${c.other("ed25519")}`],
    hashed: true,
    openssh: "accepted",
  },
  {
    name: "hashed [name]:port",
    server: "rsa",
    host: H,
    port: 2222,
    lines: (c) => [`[${H}]:2222 ${c.own}`],
    hashed: true,
    openssh: "accepted",
  },
  {
    name: "hashed name, another key of the same type",
    server: "ecdsa",
    host: H,
    lines: (c) => [`${H} ${c.other("ecdsa")}`],
    hashed: true,
    openssh: "changed",
  },
  {
    name: "hashed name, only a key of another type",
    server: "ed25519",
    host: H,
    lines: (c) => [`${H} ${c.other("ecdsa")}`],
    hashed: true,
    openssh: "changed",
  },
  {
    name: "[name]:port on that port",
    server: "ed25519",
    host: H,
    port: 2222,
    lines: (c) => [`[${H}]:2222 ${c.own}`],
    openssh: "accepted",
  },
  {
    name: "[name]:port does not name another port",
    server: "ed25519",
    host: H,
    port: 2200,
    lines: (c) => [`[${H}]:2222 ${c.own}`],
    openssh: "unknown",
  },
  {
    name: "[name]:22 is not how port 22 is written",
    server: "ed25519",
    host: H,
    lines: (c) => [`[${H}]:22 ${c.own}`],
    openssh: "unknown",
  },
  {
    name: "bare name with this key, other port",
    server: "ed25519",
    host: H,
    port: 2222,
    lines: (c) => [`${H} ${c.own}`],
    openssh: "accepted",
  },
  {
    name: "bare name with another key, other port",
    server: "ed25519",
    host: H,
    port: 2222,
    lines: (c) => [`${H} ${c.other("ed25519")}`],
    openssh: "unknown",
  },
  {
    name: "[name]:port with another key type, bare name with this key",
    server: "ed25519",
    host: H,
    port: 2222,
    lines: (c) => [`[${H}]:2222 ${c.other("ecdsa")}`, `${H} ${c.own}`],
    openssh: "changed",
  },
  { name: "wildcard *", server: "ed25519", host: H, lines: (c) => [`*.example ${c.own}`], openssh: "accepted" },
  {
    name: "* alone matches [name]:port too",
    server: "ed25519",
    host: H,
    port: 2222,
    lines: (c) => [`* ${c.own}`],
    openssh: "accepted",
  },
  {
    name: "[*.example]:port",
    server: "ecdsa",
    host: H,
    port: 2222,
    lines: (c) => [`[*.example]:2222 ${c.own}`],
    openssh: "accepted",
  },
  {
    name: "wildcard ? matches one character",
    server: "ed25519",
    host: H,
    lines: (c) => [`db.exampl? ${c.own}`],
    openssh: "accepted",
  },
  {
    name: "wildcard ? does not match zero",
    server: "ed25519",
    host: H,
    lines: (c) => [`db?.example ${c.own}`],
    openssh: "unknown",
  },
  {
    name: "! negation after a wildcard",
    server: "ed25519",
    host: H,
    lines: (c) => [`*.example,!${H} ${c.own}`],
    openssh: "unknown",
  },
  {
    name: "! negation before the wildcard",
    server: "ed25519",
    host: H,
    lines: (c) => [`!${H},* ${c.own}`],
    openssh: "unknown",
  },
  {
    name: "! negation of another name",
    server: "ed25519",
    host: H,
    lines: (c) => [`*.example,!web.example ${c.own}`],
    openssh: "accepted",
  },
  {
    name: "@revoked * with the key also listed for the host",
    server: "ed25519",
    host: H,
    lines: (c) => [`@revoked * ${c.own}`, `${H} ${c.own}`],
    openssh: "revoked",
  },
  {
    name: "@revoked naming the host",
    server: "rsa",
    host: H,
    lines: (c) => [`@revoked ${H} ${c.own}`],
    openssh: "revoked",
  },
  {
    name: "@revoked on the bare name, other port",
    server: "ed25519",
    host: H,
    port: 2222,
    lines: (c) => [`@revoked ${H} ${c.own}`],
    openssh: "revoked",
  },
  {
    name: "@revoked naming only another host",
    server: "ed25519",
    host: H,
    lines: (c) => [`@revoked web.example ${c.own}`, `${H} ${c.own}`],
    openssh: "accepted",
    stricter: "revoked",
  },
  {
    name: "@cert-authority line with the very key is not a host key",
    server: "ed25519",
    host: H,
    lines: (c) => [`@cert-authority ${H} ${c.own}`],
    openssh: "unknown",
  },
  {
    name: "@cert-authority line next to the host key",
    server: "ed25519",
    host: H,
    lines: (c) => [`@cert-authority *.example ${c.other("ed25519")}`, `${H} ${c.own}`],
    openssh: "accepted",
  },
  {
    name: "@cert-authority vouching for the host's certificate",
    server: "ed25519",
    certificate: true,
    host: H,
    lines: (c) => [`@cert-authority *.example ${c.ca}`],
    openssh: "accepted",
    stricter: "unknown",
  },
  {
    name: "several key types for one host, this one among them",
    server: "ed25519",
    host: H,
    lines: (c) => [`${H} ${c.other("rsa")}`, `${H} ${c.other("ecdsa")}`, `${H} ${c.own}`],
    openssh: "accepted",
  },
  {
    name: "ecdsa and rsa servers, both keys listed",
    server: "rsa",
    host: H,
    lines: (c) => [`${H} ${c.serverKey("ecdsa")}`, `${H} ${c.serverKey("rsa")}`],
    openssh: "accepted",
  },
  {
    // the case that motivated issue 12: the extension used to ask, and "trust" kept the key for good
    name: "known only with other key types (ed25519 offered, ecdsa and rsa known)",
    server: "ed25519",
    host: H,
    lines: (c) => [`${H} ${c.other("ecdsa")}`, `${H} ${c.other("rsa")}`],
    openssh: "changed",
  },
  {
    name: "known only with another key type (ecdsa offered, ed25519 known)",
    server: "ecdsa",
    host: H,
    lines: (c) => [`${H} ${c.serverKey("ed25519")}`],
    openssh: "changed",
  },
  {
    name: "known only with another key type (rsa offered, ed25519 known), [name]:port",
    server: "rsa",
    host: H,
    port: 2222,
    lines: (c) => [`[${H}]:2222 ${c.other("ed25519")}`],
    openssh: "changed",
  },
  {
    name: "comments, blank lines and junk around the entry",
    server: "ecdsa",
    host: H,
    lines: (c) => ["# a comment", "", "not an entry", `  ${H}   ${c.own}   the key's comment`],
    openssh: "accepted",
  },
  {
    name: "127.0.0.1 direct, [127.0.0.1]:port",
    server: "ed25519",
    host: "127.0.0.1",
    lines: (c) => [`[127.0.0.1]:${c.port} ${c.own}`],
    openssh: "accepted",
  },
  {
    name: "127.0.0.1 direct, bare 127.0.0.1",
    server: "ecdsa",
    host: "127.0.0.1",
    lines: (c) => [`127.0.0.1 ${c.own}`],
    openssh: "accepted",
  },
  {
    name: "127.0.0.1 direct, only another key type",
    server: "rsa",
    host: "127.0.0.1",
    lines: (c) => [`[127.0.0.1]:${c.port} ${c.other("ecdsa")}`],
    openssh: "changed",
  },
  {
    name: "127.0.0.1 direct, nothing known",
    server: "ed25519",
    host: "127.0.0.1",
    lines: () => [],
    openssh: "unknown",
  },
];

const servers = {} as Record<KeyKind, Sshd>;
let certServer: Sshd;
let certOffered: Buffer;
const offered = {} as Record<KeyKind, Buffer>;
const others = {} as Record<KeyKind, KeyPair>;
let tmp: string;
let proxyScript: string;

/** The host key the server offers to ssh2, the library the extension connects with. */
async function offeredKey(s: Sshd, kind: KeyKind): Promise<Buffer> {
  // ssh2 negotiates no certificate algorithm: a server with a certificate offers its plain key
  const { Client } = await import("ssh2");
  const client = new Client();
  return new Promise((resolve, reject) => {
    let key: Buffer | null = null;
    const done = () => {
      client.end();
      if (key) resolve(key);
      else reject(new Error(`sshd (${kind}) on port ${s.port} offered no host key\n${s.log().slice(-1000)}`));
    };
    client.on("error", done);
    client.on("close", done);
    client.connect({
      host: s.host,
      port: s.port,
      username: s.username,
      readyTimeout: 10_000,
      algorithms: { serverHostKey: [ALGORITHM[kind]] as never },
      hostVerifier: (k: Buffer) => {
        key = Buffer.from(k);
        return false;
      },
    });
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "watchdog-kh-openssh-"));
  proxyScript = join(tmp, "proxy.cjs");
  writeFileSync(
    proxyScript,
    'const s = require("node:net").connect(Number(process.argv[2]), "127.0.0.1");\n' +
      "process.stdin.pipe(s);\ns.pipe(process.stdout);\n" +
      's.on("error", () => process.exit(1));\ns.on("close", () => process.exit(0));\n',
  );
  for (const kind of KINDS) {
    others[kind] = sshKeygen(tmp, `other_${kind}`, kind);
    servers[kind] = await startSshd({ hostKeyType: kind });
    offered[kind] = await offeredKey(servers[kind], kind);
  }
  certServer = await startSshd({ hostKeyType: "ed25519", hostCertificateFor: [H] });
  certOffered = await offeredKey(certServer, "ed25519");
});
afterAll(async () => {
  for (const kind of KINDS) await servers[kind]?.stop();
  await certServer?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const keyField = (k: KeyPair) => k.publicLine.split(" ").slice(0, 2).join(" ");

const serverOf = (row: Row): Sshd => (row.certificate ? certServer : servers[row.server]);

function writeKnownHosts(row: Row, index: number): string {
  const s = serverOf(row);
  const ctx: Ctx = {
    own: keyField(s.hostKey),
    other: (k) => keyField(others[k]),
    serverKey: (k) => keyField(servers[k].hostKey),
    port: s.port,
    ca: keyField(certServer.hostCa!),
  };
  const file = join(tmp, `known_hosts-${index}`);
  writeFileSync(file, row.lines(ctx).join("\n") + "\n");
  if (row.hashed) {
    const r = spawnSync("ssh-keygen", ["-q", "-H", "-f", file], { encoding: "utf8", timeout: 10_000 });
    if (r.status !== 0) throw new Error(`ssh-keygen -H ${file} failed: ${r.stderr}`);
  }
  return file;
}

function opensshVerdict(row: Row, file: string): { verdict: Verdict; stderr: string } {
  const s = serverOf(row);
  const direct = row.host === "127.0.0.1";
  const port = direct ? s.port : (row.port ?? 22);
  const args = [
    "-F",
    "/dev/null",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    `UserKnownHostsFile=${file}`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    "UpdateHostKeys=no",
    "-o",
    "CheckHostIP=no",
    "-o",
    "ConnectTimeout=10",
    "-o",
    `HostKeyAlgorithms=${row.certificate ? "ssh-ed25519-cert-v01@openssh.com" : ALGORITHM[row.server]}`,
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "IdentityAgent=none",
    // the verdict comes before authentication: offering none keeps each row short (a login
    // takes seconds on a loaded machine) and "Permission denied" then proves the key passed
    "-o",
    "PreferredAuthentications=none",
    "-p",
    String(port),
    ...(direct ? [] : ["-o", `ProxyCommand="${process.execPath}" "${proxyScript}" ${s.port}`]),
    `${s.username}@${row.host}`,
    "true",
  ];
  const r = spawnSync("ssh", args, { encoding: "utf8", timeout: 20_000 });
  const stderr = r.stderr ?? "";
  const refused = stderr.includes("Host key verification failed");
  if (r.status === 0 || (!refused && stderr.includes("Permission denied ("))) return { verdict: "accepted", stderr };
  if (stderr.includes("REVOKED HOST KEY DETECTED")) return { verdict: "revoked", stderr };
  if (stderr.includes("REMOTE HOST IDENTIFICATION HAS CHANGED")) return { verdict: "changed", stderr };
  if (/No \S+ host key is known for/.test(stderr)) return { verdict: "unknown", stderr };
  throw new Error(`ssh ended (${r.status ?? r.signal ?? r.error?.message}) with no host key verdict:\n${stderr}`);
}

function extensionVerdict(row: Row, file: string): Verdict {
  const s = serverOf(row);
  const key = row.certificate ? certOffered : offered[row.server];
  const d = decideHostKey({
    probe: row.name,
    host: row.host,
    port: row.host === "127.0.0.1" ? s.port : (row.port ?? 22),
    keyType: s.hostKey.keyType,
    key,
    knownHosts: parseKnownHosts(readFileSync(file, "utf8"), file),
    trusted: {},
    acceptedOnce: new Set(),
  });
  if (d.verdict === "accept") return "accepted";
  if (d.verdict === "ask") return "unknown";
  return d.cause;
}

describe("host key verdict: the extension against ssh -o StrictHostKeyChecking=yes", () => {
  it("captures from each server the key ssh-keygen made for it", () => {
    for (const kind of KINDS) expect(offered[kind].equals(servers[kind].hostKey.blob)).toBe(true);
    expect(certOffered.equals(certServer.hostKey.blob)).toBe(true);
  });

  it.each(ROWS.map((row, i) => [row.name, row, i] as const))("%s", (_name, row, i) => {
    const file = writeKnownHosts(row, i);
    const ssh = opensshVerdict(row, file);
    const ours = extensionVerdict(row, file);
    const context = `known_hosts:\n${readFileSync(file, "utf8")}ssh said:\n${ssh.stderr}`;
    expect(ssh.verdict, context).toBe(row.openssh);
    expect(ours, context).toBe(row.stricter ?? ssh.verdict);
  });
});
