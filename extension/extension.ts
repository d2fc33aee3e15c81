// Wiring only: adapts VS Code (secrets, state, log, prompts, settings) to the probe
// manager and hangs the views and commands on it. Logic lives in connection/ and views/.
import * as vscode from "vscode";
import { registerCommands, FOCUS_COMMAND } from "./commands/index.js";
import { ProbeManager } from "./connection/manager.js";
import { rootLogger } from "./log.js";
import { SettingsSync } from "./settings-sync.js";
import { CmdlineDocuments } from "./views/cmdline-document.js";
import { askHostKey } from "./views/host-key-prompt.js";
import { t } from "./views/l10n.js";
import { AlertNotifier } from "./views/notifications.js";
import { StatusBar } from "./views/status-bar.js";
import { ProbeTree, VIEW_ID } from "./views/tree.js";

let manager: ProbeManager | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel("Watchdog", { log: true });
  const log = rootLogger(channel);

  const m = new ProbeManager({
    secrets: context.secrets,
    state: context.globalState,
    log,
    hostKeyPrompt: (info) => askHostKey(info, t),
    probeScript: context.asAbsolutePath("dist/probe.js"),
  });
  manager = m;

  const tree = new ProbeTree(m, t);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  tree.attach(view);
  const status = new StatusBar(m, t, FOCUS_COMMAND);
  const docs = new CmdlineDocuments(m, t);
  const notifier = new AlertNotifier(m, t, FOCUS_COMMAND, log.child("notifications"));
  const settings = new SettingsSync(m, log.child("settings"), t);

  context.subscriptions.push(
    channel,
    tree,
    view,
    status,
    docs,
    notifier,
    settings,
    ...registerCommands({
      manager: m,
      tree,
      docs,
      secrets: context.secrets,
      log: log.child("commands"),
      t,
      extensionId: context.extension.id,
      startLocalProbe: () => settings.startLocalProbe(),
      refresh: () => {
        tree.refresh(true);
        status.update();
      },
    }),
    // a token set from another window reaches this one too
    context.secrets.onDidChange((e) => m.tokenChanged(e.key)),
  );
  settings.apply();
}

export async function deactivate(): Promise<void> {
  // stops the local probe, closes every socket and tunnel
  await manager?.dispose();
  manager = undefined;
}
