// "Connect to a Probe…" (adds an entry to watchdog.probes through input boxes) and
// "Set Token for a Probe…" (the token goes to SecretStorage only, never to settings or logs).
import * as vscode from "vscode";
import { tokenSecretKey } from "../connection/manager.js";
import { parseProbeSettings } from "../connection/settings.js";
import type { Logger } from "../log.js";
import {
  directEntry,
  probeNames,
  PROBES,
  SECTION,
  sshEntry,
  validateName,
  validatePort,
  validateRequired,
  validateWsUrl,
  withProbe,
} from "../settings.js";
import type { Translate } from "../views/format.js";

async function ask(
  title: string,
  prompt: string,
  validate: (v: string) => string | undefined,
  value = "",
  placeHolder?: string,
): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt,
    value,
    placeHolder,
    ignoreFocusOut: true,
    validateInput: validate,
  });
}

/** Returns the new probe's name, or undefined when the user backed out. */
export async function connectToProbe(t: Translate, openSettings: () => Thenable<unknown>): Promise<string | undefined> {
  const direct = t("Direct WebSocket URL (ws:// or wss://)");
  const ssh = t("Through an SSH tunnel");
  const edit = t("Edit the watchdog.probes setting");
  const how = await vscode.window.showQuickPick([direct, ssh, edit], {
    title: t("Connect to a Probe"),
    placeHolder: t("How do you reach the probe?"),
  });
  if (how === undefined) return undefined;
  if (how === edit) {
    await openSettings();
    return undefined;
  }
  const config = vscode.workspace.getConfiguration(SECTION);
  const raw = config.inspect<unknown>(PROBES)?.globalValue;
  const taken = probeNames(config.get<unknown>(PROBES));
  const title = t("Connect to a Probe");
  const name = await ask(
    title,
    t("A short name for this probe (shown in the tree)"),
    (v) => validateName(v, taken, t),
    "",
    "ci-runner-3",
  );
  if (name === undefined) return undefined;
  if (how === direct) {
    const url = await ask(
      title,
      t("The probe's stream URL"),
      (v) => validateWsUrl(v, t),
      "ws://127.0.0.1:8787/v1/stream",
    );
    if (url === undefined) return undefined;
    await config.update(PROBES, withProbe(raw, directEntry(name, url)), vscode.ConfigurationTarget.Global);
  } else {
    const host = await ask(title, t("SSH host"), (v) => validateRequired(v, t), "", "ci-runner-3.example.org");
    if (host === undefined) return undefined;
    const port = await ask(title, t("SSH port"), (v) => validatePort(v, t), "22");
    if (port === undefined) return undefined;
    const username = await ask(title, t("SSH user name"), (v) => validateRequired(v, t), "");
    if (username === undefined) return undefined;
    const identityFile = await ask(
      title,
      t("Private key file (leave empty to use the SSH agent)"),
      () => undefined,
      "",
      "~/.ssh/id_ed25519",
    );
    if (identityFile === undefined) return undefined;
    const remotePort = await ask(
      title,
      t("The probe's port on that host (WATCHDOG_WS_PORT)"),
      (v) => validatePort(v, t),
      "8787",
    );
    if (remotePort === undefined) return undefined;
    const entry = sshEntry({ name, host, port, username, identityFile, remotePort });
    await config.update(PROBES, withProbe(raw, entry), vscode.ConfigurationTarget.Global);
  }
  return name.trim();
}

/** Asks for the token of `name` (or of a probe the user picks) and stores it in SecretStorage. */
export async function setToken(
  secrets: vscode.SecretStorage,
  t: Translate,
  log: Logger,
  name?: string,
): Promise<string | undefined> {
  let probe = name;
  if (probe === undefined) {
    const names = parseProbeSettings(vscode.workspace.getConfiguration(SECTION).get<unknown>(PROBES)).targets.map(
      (x) => x.name,
    );
    if (names.length === 0) {
      void vscode.window.showInformationMessage(t("No probe is configured. Connect to a probe first."));
      return undefined;
    }
    probe =
      names.length === 1
        ? names[0]
        : await vscode.window.showQuickPick(names, { placeHolder: t("Set the token of which probe?") });
    if (probe === undefined) return undefined;
  }
  const token = await vscode.window.showInputBox({
    title: t("Token for probe {0}", probe),
    prompt: t(
      "The probe's WATCHDOG_WS_TOKEN. It is kept in VS Code's secret storage, never in settings. Leave empty to remove it.",
    ),
    password: true,
    ignoreFocusOut: true,
  });
  if (token === undefined) return undefined;
  if (token.trim() === "") {
    await secrets.delete(tokenSecretKey(probe));
    log.info(`token for probe ${probe} removed`);
  } else {
    await secrets.store(tokenSecretKey(probe), token.trim());
    log.info(`token for probe ${probe} stored in secret storage`);
  }
  return probe;
}
