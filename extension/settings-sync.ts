// Keeps the probe manager in step with the `watchdog.*` settings: the probes to connect to,
// the local probe's environment and its start with the window (once per session, so a later
// settings edit does not restart a local probe the user disconnected).
import * as vscode from "vscode";
import { parseProbeSettings } from "./connection/settings.js";
import type { ProbeTarget } from "./connection/types.js";
import type { Logger } from "./log.js";
import { LOCAL_AUTOSTART, LOCAL_ENV, localProbeEnv, PROBES, SECTION } from "./settings.js";
import { plain, type Translate } from "./views/format.js";

/** The part of connection/manager.ts ProbeManager the settings drive. */
interface SettingsTarget {
  setTargets(targets: ProbeTarget[]): void;
  startLocalProbe(env: Record<string, string>): Promise<void>;
}

export class SettingsSync implements vscode.Disposable {
  private shownErrors = "";
  private autoStarted = false;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly manager: SettingsTarget,
    private readonly log: Logger,
    private readonly t: Translate,
  ) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.${PROBES}`) || e.affectsConfiguration(`${SECTION}.${LOCAL_AUTOSTART}`))
        this.apply();
    });
  }

  /** Starts the bundled probe with watchdog.localProbe.env. */
  async startLocalProbe(): Promise<void> {
    const { env, errors } = localProbeEnv(vscode.workspace.getConfiguration(SECTION).get<unknown>(LOCAL_ENV));
    for (const e of errors) this.log.warn(e);
    await this.manager.startLocalProbe(env);
  }

  /** Reads the settings now and hands them to the manager. */
  apply(): void {
    const config = vscode.workspace.getConfiguration(SECTION);
    const { targets, errors } = parseProbeSettings(config.get<unknown>(PROBES));
    for (const e of errors) this.log.warn(e);
    this.showErrors(errors);
    this.manager.setTargets(targets);
    const autoStart = config.get<boolean>(LOCAL_AUTOSTART, false);
    if (targets.length === 0 && autoStart && !this.autoStarted) {
      this.autoStarted = true;
      this.startLocalProbe().catch((e: unknown) =>
        this.log.error(`local probe: ${e instanceof Error ? e.message : String(e)}`),
      );
    }
    if (!autoStart) this.autoStarted = false;
  }

  dispose(): void {
    this.subscription.dispose();
  }

  /** One warning per distinct set of errors, not one per keystroke in settings.json. */
  private showErrors(errors: readonly string[]): void {
    const joined = errors.join("\n");
    if (errors.length > 0 && joined !== this.shownErrors) {
      const open = this.t("Open Settings");
      void vscode.window
        // plain(): a workspace's settings.json can put `[x](command:…)` into a probe name the error quotes
        .showWarningMessage(
          this.t(
            "Watchdog: {0} problem(s) in watchdog.probes; see the Watchdog output. First: {1}",
            errors.length,
            plain(errors[0] ?? "", 300),
          ),
          open,
        )
        .then((a) => (a === open ? vscode.commands.executeCommand("watchdog.openSettings") : undefined));
    }
    this.shownErrors = joined;
  }
}
