// What a connection to one probe exposes to the views. The views never see ws or ssh2.
import type { Decision, Hello, Snapshot } from "../../probe/protocol.js";

export type ProbeTarget =
  | { kind: "direct"; name: string; url: string }
  | {
      kind: "ssh";
      name: string;
      ssh: {
        host: string;
        port: number;
        username: string;
        identityFile?: string;
        remotePort: number;
        remoteHost?: string;
      };
      hostKeyFingerprint?: string;
    }
  | { kind: "local"; name: string };

/** The reconnecting client's phase, as the views show it. */
export type ConnectionState =
  | { phase: "idle" }
  | { phase: "connecting"; attempt: number }
  | { phase: "connected"; since: number }
  /** `attempt`: the number the next attempt will carry; `retryAt`: ms since epoch */
  | { phase: "waiting"; attempt: number; retryAt: number; reason: string }
  /**
   * not retried (401/403/404, host key refused, bad settings, a newer protocol): shown until the user acts.
   * `probeProtocol`: the probe speaks this newer major protocol version; the extension needs an update.
   */
  | { phase: "failed"; reason: string; probeProtocol?: number };

export interface ProbeConnectionView {
  readonly id: string;
  readonly name: string;
  readonly target: ProbeTarget;
  readonly state: ConnectionState;
  readonly hello: Hello | null;
  readonly snapshot: Snapshot | null;
  /** ms since epoch when the latest snapshot arrived (for "stale after 3 ticks") */
  readonly snapshotReceivedAt: number | null;
  /** newest last, at most 50 */
  readonly decisions: readonly Decision[];
  /** inbound frames that failed schema validation and were dropped */
  readonly rejectedFrames: number;
}

/** An SSH host key nobody vouches for (not pinned, not in known_hosts, not trusted before). */
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
export type HostKeyAnswer = "once" | "trust" | "cancel";
