// Wiring only: adapts VS Code (secrets, state, log, prompts, settings) to the probe
// manager and hangs the views and commands on it. Logic lives in connection/ and views/.
import * as vscode from "vscode";
import { registerCommands, FOCUS_COMMAND } from "./commands/index.js";
import { parseProbeSettings, ProbeManager, tokenSecretKey, type HostKeyPromptInfo } from "./connection/manager.js";
import { LOCAL_AUTOSTART, LOCAL_ENV, localProbeEnv, PROBES, SECTION } from "./settings.js";
import { CmdlineDocuments } from "./views/cmdline-document.js";
import { plain } from "./views/format.js";
import { t } from "./views/l10n.js";
import { AlertNotifier } from "./views/notifications.js";
import { StatusBar } from "./views/status-bar.js";
import { ProbeTree, VIEW_ID } from "./views/tree.js";

let manager: ProbeManager | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("Watchdog", { log: true });
  context.subscriptions.push(log);

  const m = new ProbeManager({
    secrets: context.secrets,
    state: context.globalState,
    log,
    hostKeyPrompt: (info) => askHostKey(info),
    probeScript: context.asAbsolutePath("dist/probe.js"),
  });
  manager = m;

  const tree = new ProbeTree(m, t);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  tree.attach(view);
  const status = new StatusBar(m, t, FOCUS_COMMAND);
  const docs = new CmdlineDocuments(m, t);
  const notifier = new AlertNotifier(m, t, FOCUS_COMMAND, log);
  context.subscriptions.push(tree, view, status, docs, notifier);

  const startLocalProbe = async () => {
    const { env, errors } = localProbeEnv(vscode.workspace.getConfiguration(SECTION).get<unknown>(LOCAL_ENV));
    for (const e of errors) log.warn(e);
    await m.startLocalProbe(env);
  };

  let shownErrors = "";
  let autoStarted = false;
  const applySettings = () => {
    const config = vscode.workspace.getConfiguration(SECTION);
    const { targets, errors } = parseProbeSettings(config.get<unknown>(PROBES));
    for (const e of errors) log.warn(e);
    // one warning per distinct set of errors, not one per keystroke in settings.json
    const joined = errors.join("\n");
    if (errors.length > 0 && joined !== shownErrors) {
      const open = t("Open Settings");
      void vscode.window
        // plain(): a workspace's settings.json can put `[x](command:…)` into a probe name the error quotes
        .showWarningMessage(
          t(
            "Watchdog: {0} problem(s) in watchdog.probes; see the Watchdog output. First: {1}",
            errors.length,
            plain(errors[0] ?? "", 300),
          ),
          open,
        )
        .then((a) => (a === open ? vscode.commands.executeCommand("watchdog.openSettings") : undefined));
    }
    shownErrors = joined;
    m.setTargets(targets);
    const autoStart = config.get<boolean>(LOCAL_AUTOSTART, false);
    // once per session: a later settings edit must not restart a local probe the user disconnected
    if (targets.length === 0 && autoStart && !autoStarted) {
      autoStarted = true;
      startLocalProbe().catch((e: unknown) => log.error(`local probe: ${e instanceof Error ? e.message : String(e)}`));
    }
    if (!autoStart) autoStarted = false;
  };

  context.subscriptions.push(
    ...registerCommands({
      manager: m,
      tree,
      docs,
      secrets: context.secrets,
      log,
      t,
      extensionId: context.extension.id,
      startLocalProbe,
      refresh: () => {
        tree.refresh(true);
        status.update();
      },
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.${PROBES}`) || e.affectsConfiguration(`${SECTION}.${LOCAL_AUTOSTART}`))
        applySettings();
    }),
    // a token set from another window reaches this one too
    context.secrets.onDidChange((e) => {
      const c = m.connections.find((x) => tokenSecretKey(x.name) === e.key);
      if (c) m.reconnect(c.id);
    }),
  );
  applySettings();
}

async function askHostKey(info: HostKeyPromptInfo): Promise<"once" | "trust" | "cancel"> {
  const once = t("Accept Once");
  const trust = t("Trust This Key");
  const answer = await vscode.window.showWarningMessage(
    t("Probe {0}: the SSH host key of {1} (port {2}) is not known.", info.probe, info.host, info.port),
    {
      modal: true,
      detail: t(
        "{0} key fingerprint:\n{1}\n\nCompare it with the server's own (ssh-keygen -lf on the host's key) before accepting. \"Trust\" remembers it in VS Code, not in known_hosts.",
        info.keyType,
        info.fingerprint,
      ),
    },
    once,
    trust,
  );
  return answer === once ? "once" : answer === trust ? "trust" : "cancel";
}

export async function deactivate(): Promise<void> {
  // stops the local probe, closes every socket and tunnel
  await manager?.dispose();
  manager = undefined;
}
