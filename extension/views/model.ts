// The sidebar as data: connections + a clock reading → rows with stable ids.
// Pure (no vscode, no clock): tree.ts renders these rows, tests read them directly.
import type { ProbeConnectionView } from "../connection/types.js";
import { ageBucket, plain, plainLines, type Translate } from "./format.js";
import { wrapLines } from "./labels.js";
import { addGroups } from "./model-groups.js";
import { markLastKnown } from "./last-known.js";
import { isLive, isStale, probeNow, stateText } from "./probe-state.js";
import { RowSink, type Row, type TreeModel } from "./rows.js";

/** Row ids are built from the probe id and the entity's own key, so they survive every snapshot. */
function probeRowId(probeId: string): string {
  return encodeURIComponent(probeId);
}

export function buildTree(connections: readonly ProbeConnectionView[], now: number, t: Translate): TreeModel {
  const sink = new RowSink();
  for (const c of connections) {
    const id = probeRowId(c.id);
    const st = stateText(c, now, t);
    const host = c.hello ? plain(c.hello.probe.hostname, 80) : null;
    const added = sink.add(null, {
      id,
      label: plain(c.name, 80),
      description: host && c.state.phase === "connected" && !isStale(c, now) ? `${st.text} · ${host}` : st.text,
      tooltip: probeTooltip(c, now, t, st.text),
      icon: st.icon,
      contextValue: `watchdog.probe.${c.state.phase}.${c.target.kind}`,
      expanded: true,
      ref: { kind: "probe", probeId: c.id },
    });
    if (!added) continue;
    if (c.snapshot === null) {
      sink.add(id, {
        id: `${id}/info`,
        label: c.state.phase === "connected" ? t("Waiting for the first snapshot") : t("No data yet"),
        icon: { id: "info" },
        contextValue: "watchdog.info",
        ref: { kind: "other", probeId: c.id },
      });
      continue;
    }
    if (!c.snapshot.enabled) {
      sink.add(id, {
        id: `${id}/info`,
        label: t("Disabled on the probe (WATCHDOG_ENABLED=false)"),
        icon: { id: "circle-slash" },
        contextValue: "watchdog.info",
        ref: { kind: "other", probeId: c.id },
      });
    }
    addGroups(sink, id, c, c.snapshot, probeNow(c, now), t);
    // the link is down or silent: what the snapshot says may no longer be true
    if (!isLive(c, now))
      markLastKnown(sink, id, c.id, c.snapshotReceivedAt === null ? null : now - c.snapshotReceivedAt, t);
  }
  return sink.settle();
}

function probeTooltip(c: ProbeConnectionView, now: number, t: Translate, state: string): string {
  const lines = [plain(c.name, 80), targetText(c, t), state];
  // the row cuts a long failure reason at 120 characters; the hover has room for all of it, wrapped
  if ((c.state.phase === "waiting" || c.state.phase === "failed") && c.state.reason.length > 120)
    lines.push(wrapLines(plain(c.state.reason, 1000)));
  if (c.hello) {
    lines.push(
      t(
        "host {0} · probe {1} · pid {2}",
        plain(c.hello.probe.hostname, 80),
        plain(c.hello.probe.version, 40),
        c.hello.probe.pid,
      ),
    );
    lines.push(t("tick every {0} s · cooldown {1} s", c.hello.config.tickS, c.hello.config.cooldownS));
    if (!c.hello.config.telegram.enabled) lines.push(t("Telegram alerts are off on this probe"));
  }
  if (c.snapshotReceivedAt !== null)
    lines.push(t("last snapshot {0} ago", ageBucket((now - c.snapshotReceivedAt) / 1000, t)));
  if (c.rejectedFrames > 0) lines.push(t("{0} invalid messages dropped", c.rejectedFrames));
  return plainLines(lines.join("\n"));
}

function targetText(c: ProbeConnectionView, t: Translate): string {
  const tg = c.target;
  if (tg.kind === "direct") return plain(tg.url.replace(/\/\/[^/@]*@/, "//***@"), 120);
  if (tg.kind === "ssh") {
    const remote = `${tg.ssh.remoteHost ?? "127.0.0.1"}:${tg.ssh.remotePort}`;
    return plain(`ssh ${tg.ssh.username}@${tg.ssh.host}:${tg.ssh.port} → ${remote}`, 160);
  }
  return t("started by Watchdog on this machine");
}

export interface TreeChange {
  /** the root list changed: refresh everything */
  readonly full: boolean;
  /** rows to fire, none of them inside another one (firing a row refreshes its subtree) */
  readonly changed: readonly string[];
}

const signatures = new WeakMap<Row, string>();
/**
 * What a person sees of a row without pointing at it. The tooltip is left out: the tree
 * fetches it when the pointer rests on the row (tree.ts resolveTreeItem), so a tooltip that
 * changes every tick (a signal's "running for 12 s") re-renders nothing, and re-rendering a
 * row is what closes its open hover.
 */
function signature(row: Row): string {
  let s = signatures.get(row);
  if (s === undefined) {
    s = JSON.stringify({ ...row, tooltip: undefined });
    signatures.set(row, s);
  }
  return s;
}

/** Which rows must be re-rendered to go from `prev` to `next`. */
export function diffTree(prev: TreeModel | null, next: TreeModel): TreeChange {
  if (
    prev === null ||
    prev.rootIds.length !== next.rootIds.length ||
    prev.rootIds.some((id, i) => id !== next.rootIds[i])
  ) {
    return { full: true, changed: [] };
  }
  const changed = new Set<string>();
  for (const [id, row] of next.rows) {
    const old = prev.rows.get(id);
    // a new row shows up through its parent, whose child list changed
    if (old !== undefined && signature(old) !== signature(row)) changed.add(id);
  }
  const covered = (id: string): boolean => {
    for (let p = next.rows.get(id)?.parentId ?? null; p !== null; p = next.rows.get(p)?.parentId ?? null) {
      if (changed.has(p)) return true;
    }
    return false;
  };
  return { full: false, changed: [...changed].filter((id) => !covered(id)) };
}

/**
 * Alarm rows of `next` that were not alarms in `prev`: revealing them unfolds their group, so
 * an orphan that appears while the view is open is seen, not hidden in a collapsed group.
 */
export function rowsToReveal(prev: TreeModel | null, next: TreeModel, max = 5): string[] {
  const out: string[] = [];
  for (const [id, row] of next.rows) {
    if (out.length >= max) break;
    if (row.alarm && prev?.rows.get(id)?.alarm !== true) out.push(id);
  }
  return out;
}
