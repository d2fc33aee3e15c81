// Every `watchdog.*` command. Menus pass the tree row id as the first argument; from the
// palette the command asks which probe or process it should act on.
import * as vscode from "vscode";
import type { ProbeConnectionView } from "../connection/types.js";
import type { Logger } from "../log.js";
import { killCommand, plain, type Translate } from "../views/format.js";
import type { CmdlineDocuments } from "../views/cmdline-document.js";
import { VIEW_ID, type ProbeTree } from "../views/tree.js";
import { connectToProbe, setToken } from "./connect.js";
import { pickProbe, pickProcess } from "./pick.js";

export const FOCUS_COMMAND = "watchdog.focus";

/** The part of connection/manager.ts ProbeManager the commands use. */
interface ManagerLike {
  readonly connections: readonly ProbeConnectionView[];
  reconnect(id?: string): void;
  disconnect(id?: string): void;
  forgetHostKey?(id: string): Promise<void>;
}

export interface CommandDeps {
  readonly manager: ManagerLike;
  readonly tree: ProbeTree;
  readonly docs: CmdlineDocuments;
  readonly secrets: vscode.SecretStorage;
  readonly log: Logger;
  readonly t: Translate;
  readonly extensionId: string;
  /** starts the bundled probe with watchdog.localProbe.env */
  startLocalProbe(): Promise<void>;
  /** re-renders the tree and the status bar */
  refresh(): void;
}

export function registerCommands(d: CommandDeps): vscode.Disposable[] {
  const { manager, tree, t, log } = d;
  const openSettings = () => vscode.commands.executeCommand("workbench.action.openSettings", `@ext:${d.extensionId}`);
  const copied = (text: string) => vscode.window.setStatusBarMessage(text, 4000);
  const command = (id: string, fn: (...args: unknown[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await fn(...args);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        log.error(`${id} failed: ${why}`);
        // a notification renders `[x](command:…)` as a link; the error text is not ours to trust
        void vscode.window.showErrorMessage(t("Watchdog: {0} failed: {1}", id, plain(why, 300)));
      }
    });

  return [
    command("watchdog.connect", async () => {
      const name = await connectToProbe(t, openSettings);
      if (name === undefined) return;
      log.info(`probe ${name} added to watchdog.probes`);
      const set = t("Set Token");
      const answer = await vscode.window.showInformationMessage(t("Probe {0} added. Set its token now?", name), set);
      if (answer === set) await vscode.commands.executeCommand("watchdog.setToken", name);
    }),
    command("watchdog.startLocalProbe", () => d.startLocalProbe()),
    command("watchdog.setToken", async (arg) => {
      // from the palette or the connect flow: a probe name; from the tree: a row id
      const fromRow = typeof arg === "string" ? tree.row(arg)?.ref.probeId : undefined;
      const name =
        fromRow !== undefined
          ? manager.connections.find((c) => c.id === fromRow)?.name
          : typeof arg === "string"
            ? arg
            : undefined;
      // storing it fires secrets.onDidChange, on which extension.ts reconnects that probe
      await setToken(d.secrets, t, log, name);
    }),
    command("watchdog.refresh", () => d.refresh()),
    command("watchdog.reconnect", async (arg) => {
      const c = await pickProbe(tree, manager.connections, arg, t, t("Reconnect which probe?"), true);
      if (c === undefined) return;
      manager.reconnect(c === "all" ? undefined : c.id);
    }),
    command("watchdog.disconnect", async (arg) => {
      const c = await pickProbe(tree, manager.connections, arg, t, t("Disconnect which probe?"), true);
      if (c === undefined) return;
      manager.disconnect(c === "all" ? undefined : c.id);
    }),
    command("watchdog.forgetHostKey", async (arg) => {
      const ssh = manager.connections.filter((c) => c.target.kind === "ssh");
      if (ssh.length === 0) return void vscode.window.showInformationMessage(t("No probe connects through SSH."));
      const c = await pickProbe(tree, ssh, arg, t, t("Forget the trusted host key of which probe?"));
      if (c === undefined || c === "all") return;
      await manager.forgetHostKey?.(c.id);
      log.info(`trusted host key of probe ${c.name} forgotten`);
      manager.reconnect(c.id);
    }),
    command("watchdog.showCommandLine", async (arg) => {
      const p = await pickProcess(tree, manager.connections, arg, t);
      if (p) await d.docs.show(p.connection.id, p.connection.name, p.process.pid);
    }),
    command("watchdog.copyPid", async (arg) => {
      const p = await pickProcess(tree, manager.connections, arg, t);
      if (!p) return;
      await vscode.env.clipboard.writeText(String(p.process.pid));
      copied(t("Copied pid {0}", p.process.pid));
    }),
    command("watchdog.copyKillCommand", async (arg) => {
      const p = await pickProcess(tree, manager.connections, arg, t);
      if (!p) return;
      const host = p.connection.hello?.probe.hostname ?? null;
      await vscode.env.clipboard.writeText(killCommand(p.process.pid, host, p.connection.name));
      // the watchdog never signals anything itself; the user runs it, on that host
      copied(t("Copied a kill -TERM command for pid {0}: run it on the probe's host", p.process.pid));
    }),
    command("watchdog.openSettings", openSettings),
    command(FOCUS_COMMAND, () => vscode.commands.executeCommand(`${VIEW_ID}.focus`)),
  ];
}
