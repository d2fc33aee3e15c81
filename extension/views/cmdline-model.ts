// The read-only "command line" document for one process, as text. Pure.
// Addresses: watchdog-cmdline:/<pid> · <probe>?probe=<id>&pid=<pid> (the path is the tab title).
import type { ProcessInfo } from "../../probe/protocol.js";
import type { ProbeConnectionView } from "../connection/types.js";
import { ageBucket, duration, plain, visible, type Translate } from "./format.js";

export const CMDLINE_SCHEME = "watchdog-cmdline";

export interface CmdlineAddress {
  readonly probeId: string;
  readonly pid: number;
}

export function cmdlinePath(probeName: string, pid: number): string {
  // the path is only a title; "/" would split it into folders
  return `/${pid} · ${plain(probeName, 40).replace(/[/\\?#]/g, "_")}`;
}

export function cmdlineQuery(a: CmdlineAddress): string {
  return `probe=${encodeURIComponent(a.probeId)}&pid=${a.pid}`;
}

export function parseCmdlineQuery(query: string): CmdlineAddress | null {
  const q = new URLSearchParams(query);
  const probeId = q.get("probe");
  const pid = Number(q.get("pid"));
  if (probeId === null || !Number.isInteger(pid) || pid < 0) return null;
  return { probeId, pid };
}

export interface SeenProcess {
  readonly process: ProcessInfo;
  readonly probeName: string;
  readonly hostname: string | null;
  /** local ms when it was last in a snapshot */
  readonly seenAt: number;
}

/** The process as the latest snapshot reports it, or null when it is not there. */
export function findProcess(
  connections: readonly ProbeConnectionView[],
  a: CmdlineAddress,
  now: number,
): SeenProcess | null {
  const c = connections.find((x) => x.id === a.probeId);
  const p = c?.snapshot?.processes.find((x) => x.pid === a.pid);
  if (!c || !p) return null;
  return { process: p, probeName: c.name, hostname: c.hello?.probe.hostname ?? null, seenAt: now };
}

export interface CmdlineInput {
  readonly address: CmdlineAddress;
  /** the probe's current connection, if it still exists */
  readonly connection: ProbeConnectionView | undefined;
  /** in the latest snapshot */
  readonly current: SeenProcess | null;
  /** remembered from an earlier snapshot, for "it has gone" */
  readonly lastSeen: SeenProcess | null;
  readonly now: number;
}

export function renderCmdline(input: CmdlineInput, t: Translate): string {
  const { address, connection, current, lastSeen, now } = input;
  const probeName = plain(connection?.name ?? lastSeen?.probeName ?? address.probeId, 80);
  const shown = current ?? lastSeen;
  const out: string[] = [];
  if (shown === null) {
    out.push(t("Process {0} is not reported by probe {1}.", address.pid, probeName));
    if (connection === undefined) out.push(t("The probe is no longer configured."));
    return out.join("\n") + "\n";
  }
  const p = shown.process;
  const host = shown.hostname === null ? t("unknown host") : plain(shown.hostname, 80);
  out.push(t("Process {0} on {1} (probe {2})", p.pid, host, probeName));
  if (current === null) {
    out.push(
      "",
      t(
        "This process has gone: the probe no longer reports it (last seen {0} ago).",
        ageBucket((now - shown.seenAt) / 1000, t),
      ),
      t("The details below are the last known ones."),
    );
  } else if (connection?.state.phase !== "connected") {
    out.push("", t("The probe is not connected; the details below are the last known ones."));
  }
  const fields: Array<[string, string]> = [
    [t("pid"), String(p.pid)],
    [t("ppid"), p.orphaned ? t("{0} (orphaned: its parent is an init process)", p.ppid) : String(p.ppid)],
    [t("state"), visible(p.state)],
    [t("age"), duration(p.ageS, t)],
    [t("started"), p.startedAt === null ? t("unknown") : visible(p.startedAt)],
    [t("blocking"), p.blocking ? t("yes") : t("no")],
    [t("probe"), probeName],
    [t("host"), host],
  ];
  const width = Math.max(...fields.map(([k]) => k.length)) + 2;
  out.push("");
  for (const [k, v] of fields) out.push(k.padEnd(width) + v);
  out.push("", t("Command line (redacted by the probe), one argument per line:"));
  if (p.argv.length === 0) out.push(`[${visible(p.comm)}]`);
  // control characters are written as escapes so an argument cannot fake extra lines
  for (const arg of p.argv) out.push(visible(arg));
  return out.join("\n") + "\n";
}
