// A real OpenSSH server on loopback for the tunnel step: its own config, host key and
// authorized_keys in a temp folder, an unprivileged port, foreground (-D) so it is stopped by pid.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { freePort, type Procs, type Proc } from "./procs.js";
import { waitFor } from "./wait.js";

export interface Sshd {
  proc: Proc;
  port: number;
  username: string;
  /** the client's private key, for `identityFile` */
  identityFile: string;
  /** "SHA256:…" as `ssh-keygen -lf` prints it, for `hostKeyFingerprint` */
  hostKeyFingerprint: string;
}

const SSHD = "/usr/sbin/sshd";

function keygen(path: string): void {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "watchdog-e2e", "-f", path]);
}

export async function startSshd(procs: Procs, dir: string): Promise<Sshd> {
  mkdirSync(dir, { recursive: true });
  mkdirSync("/run/sshd", { recursive: true });
  const hostKey = join(dir, "host_key");
  const clientKey = join(dir, "client_key");
  keygen(hostKey);
  keygen(clientKey);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(`${clientKey}.pub`));
  const fp = /SHA256:[A-Za-z0-9+/]{43}/.exec(execFileSync("ssh-keygen", ["-lf", `${hostKey}.pub`], { encoding: "utf8" }))?.[0];
  if (!fp) throw new Error(`sshd: no SHA256 fingerprint from ssh-keygen -lf ${hostKey}.pub`);
  const port = await freePort();
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      "UsePAM no",
      "StrictModes no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      "PermitRootLogin prohibit-password",
      "AllowTcpForwarding yes",
      "AllowStreamLocalForwarding no",
      "X11Forwarding no",
      "LogLevel VERBOSE",
      "",
    ].join("\n"),
  );
  const proc = procs.spawn("sshd", SSHD, ["-D", "-e", "-f", join(dir, "sshd_config")]);
  await waitFor(`sshd to listen on 127.0.0.1:${port}`, () => {
    if (proc.isExited()) throw new Error(`sshd exited:\n${procs.tail(proc)}`);
    return proc.lines.some((l) => /Server listening on 127\.0\.0\.1/.test(l)) ? true : undefined;
  }, { timeoutMs: 15_000, describe: () => procs.tail(proc) });
  return { proc, port, username: userInfo().username, identityFile: clientKey, hostKeyFingerprint: fp };
}
