// Which probe or process a command acts on: the tree row it was invoked on (menus pass
// the row id), or the user's pick in a quick pick when it came from the palette.
import * as vscode from "vscode";
import type { ProcessInfo } from "../../probe/protocol.js";
import type { ProbeConnectionView } from "../connection/types.js";
import { plain, shortCmdline, type Translate } from "../views/format.js";
import { stateText } from "../views/probe-state.js";
import type { ProbeTree } from "../views/tree.js";

export interface Picked {
  readonly connection: ProbeConnectionView;
  readonly process: ProcessInfo;
}

function probeIdOf(tree: ProbeTree, arg: unknown): string | undefined {
  return typeof arg === "string" ? tree.row(arg)?.ref.probeId : undefined;
}

/** `allowAll`: offer "All probes" too (returns "all"). */
export async function pickProbe(
  tree: ProbeTree,
  connections: readonly ProbeConnectionView[],
  arg: unknown,
  t: Translate,
  placeHolder: string,
  allowAll = false,
): Promise<ProbeConnectionView | "all" | undefined> {
  const id = probeIdOf(tree, arg);
  if (id !== undefined) return connections.find((c) => c.id === id);
  if (connections.length === 0) {
    void vscode.window.showInformationMessage(t("No probe is configured."));
    return undefined;
  }
  if (connections.length === 1) return connections[0];
  const now = Date.now();
  const items: Array<vscode.QuickPickItem & { value: ProbeConnectionView | "all" }> = connections.map((c) => ({
    label: plain(c.name, 80),
    description: stateText(c, now, t).text,
    value: c,
  }));
  if (allowAll) items.unshift({ label: t("All probes"), value: "all" });
  return (await vscode.window.showQuickPick(items, { placeHolder }))?.value;
}

export async function pickProcess(
  tree: ProbeTree,
  connections: readonly ProbeConnectionView[],
  arg: unknown,
  t: Translate,
): Promise<Picked | undefined> {
  if (typeof arg === "string") {
    const ref = tree.row(arg)?.ref;
    if (ref?.kind === "process") {
      const connection = connections.find((c) => c.id === ref.probeId);
      const process = connection?.snapshot?.processes.find((p) => p.pid === ref.pid);
      if (connection && process) return { connection, process };
      void vscode.window.showInformationMessage(t("That process is no longer reported."));
      return undefined;
    }
  }
  const items = connections.flatMap((connection) =>
    (connection.snapshot?.processes ?? []).map((process) => ({
      label: `${process.pid} · ${shortCmdline(process.cmdline, process.comm)}`,
      description: plain(connection.name, 60),
      value: { connection, process },
    })),
  );
  if (items.length === 0) {
    void vscode.window.showInformationMessage(t("No probe reports a matching process."));
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { placeHolder: t("Pick a process") }))?.value;
}
