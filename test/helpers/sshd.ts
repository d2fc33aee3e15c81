// A real OpenSSH sshd on 127.0.0.1 for tests (REAL-COMPONENTS.md): its own temp folder with
// a host key, a client key, authorized_keys and a config; a free port; stopped by its pid.
// When sshd is not installed this throws (the test fails, it does not skip).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.js";

const SSHD_PATH = process.env.WATCHDOG_TEST_SSHD ?? "/usr/sbin/sshd";

export interface KeyPair {
  privatePath: string;
  /** `type base64 comment` */
  publicLine: string;
  keyType: string;
  blob: Buffer;
  /** "SHA256:…" as ssh-keygen prints it */
  fingerprint: string;
}

export function sshKeygen(dir: string, name: string, type: "ed25519" | "ecdsa" | "rsa" = "ed25519"): KeyPair {
  const privatePath = join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", `watchdog-test-${name}`, "-f", privatePath], {
    stdio: "ignore",
  });
  const publicLine = readFileSync(`${privatePath}.pub`, "utf8").trim();
  const [keyType, b64] = publicLine.split(" ");
  const blob = Buffer.from(b64!, "base64");
  const fingerprint = "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
  return { privatePath, publicLine, keyType: keyType!, blob, fingerprint };
}

export interface Sshd {
  host: "127.0.0.1";
  port: number;
  pid: number;
  dir: string;
  username: string;
  hostKey: KeyPair;
  clientKey: KeyPair;
  /** the CA that signed the host certificate, when one was asked for */
  hostCa?: KeyPair;
  /** a known_hosts line naming this server (`[127.0.0.1]:port`) with its host key */
  knownHostsLine: string;
  /** what sshd wrote to stderr (-e), for failure messages */
  log(): string;
  stop(): Promise<void>;
}

/** Resolves once the port answers with an SSH banner. */
function banner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, "127.0.0.1");
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1_000, () => done(false));
    sock.once("data", (d) => done(d.toString("latin1").startsWith("SSH-2.0-")));
    sock.once("error", () => done(false));
  });
}

export interface SshdOptions {
  hostKeyType?: "ed25519" | "ecdsa" | "rsa";
  /** also serve a host certificate for the host key, signed by `hostCa` for these principals */
  hostCertificateFor?: string[];
}

export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  if (!existsSync(SSHD_PATH)) {
    throw new Error(
      `sshd not found at ${SSHD_PATH}: the SSH tests need a real OpenSSH server. ` +
        "Install it with: apt-get install -y openssh-server (or set WATCHDOG_TEST_SSHD)",
    );
  }
  mkdirSync("/run/sshd", { recursive: true }); // privilege separation directory sshd insists on
  const dir = mkdtempSync(join(tmpdir(), "watchdog-sshd-"));
  const hostKey = sshKeygen(dir, "host_key", opts.hostKeyType ?? "ed25519");
  const clientKey = sshKeygen(dir, "client_key");
  let hostCa: KeyPair | undefined;
  if (opts.hostCertificateFor) {
    hostCa = sshKeygen(dir, "host_ca");
    const principals = opts.hostCertificateFor.join(",");
    execFileSync(
      "ssh-keygen",
      [
        "-q",
        "-s",
        hostCa.privatePath,
        "-I",
        "watchdog-test-host",
        "-h",
        "-n",
        principals,
        `${hostKey.privatePath}.pub`,
      ],
      { stdio: "ignore" },
    );
  }
  writeFileSync(join(dir, "authorized_keys"), clientKey.publicLine + "\n", { mode: 0o600 });
  writeFileSync(
    join(dir, "sshd_config"),
    [
      "UsePAM no",
      "StrictModes no",
      "AllowTcpForwarding yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      "PermitRootLogin prohibit-password",
      "X11Forwarding no",
      "PrintMotd no",
      "LogLevel VERBOSE",
      ...(hostCa ? [`HostCertificate ${hostKey.privatePath}-cert.pub`] : []),
      "",
    ].join("\n"),
  );

  let lastError = "";
  for (let tries = 0; tries < 3; tries++) {
    const port = await freePort();
    let stderr = "";
    const child: ChildProcess = spawn(
      SSHD_PATH,
      [
        "-D",
        "-e",
        "-f",
        join(dir, "sshd_config"),
        "-p",
        String(port),
        "-o",
        "ListenAddress=127.0.0.1",
        "-h",
        hostKey.privatePath,
        "-o",
        `AuthorizedKeysFile=${join(dir, "authorized_keys")}`,
        "-o",
        `PidFile=${join(dir, "pid")}`,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    child.stderr!.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-20_000);
    });
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    let up = false;
    for (let i = 0; i < 100 && child.exitCode === null && child.signalCode === null; i++) {
      if (await banner(port)) {
        up = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (up) {
      const pid = child.pid!;
      return {
        host: "127.0.0.1",
        port,
        pid,
        dir,
        username: userInfo().username,
        hostKey,
        clientKey,
        ...(hostCa ? { hostCa } : {}),
        knownHostsLine: `[127.0.0.1]:${port} ${hostKey.publicLine.split(" ").slice(0, 2).join(" ")}`,
        log: () => stderr,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            process.kill(pid, "SIGTERM");
            const killer = setTimeout(() => child.exitCode === null && process.kill(pid, "SIGKILL"), 3_000);
            await exited;
            clearTimeout(killer);
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
    lastError = stderr.trim().split("\n").slice(-5).join("\n");
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`sshd did not start on 127.0.0.1:\n${lastError}`);
}
