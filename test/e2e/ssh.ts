// The tunnel step's real OpenSSH server: the shared test helper (test/helpers/sshd.ts), with
// its pid also handed to Procs so the run's final clean-up stops it whatever happens.
import { startSshd as startHelperSshd, type Sshd as HelperSshd } from "../helpers/sshd.js";
import type { Procs } from "./procs.js";

export interface Sshd {
  helper: HelperSshd;
  port: number;
  username: string;
  /** the client's private key, for `identityFile` */
  identityFile: string;
  /** "SHA256:…" as `ssh-keygen -lf` prints it, for `hostKeyFingerprint` */
  hostKeyFingerprint: string;
}

export async function startSshd(procs: Procs): Promise<Sshd> {
  const s = await startHelperSshd();
  procs.adopt("sshd", s.pid);
  return {
    helper: s,
    port: s.port,
    username: s.username,
    identityFile: s.clientKey.privatePath,
    hostKeyFingerprint: s.hostKey.fingerprint,
  };
}
