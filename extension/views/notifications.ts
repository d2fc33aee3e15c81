// Pop-ups for NEW alerts only (see notify-model.ts), with "Show" and "Don't Show Again".
// Alerts arriving together (one tick, several probes) share one pop-up.
import * as vscode from "vscode";
import type { Decision } from "../../probe/protocol.js";
import type { ProbeConnectionView } from "../connection/types.js";
import type { Logger } from "../log.js";
import { NOTIFICATIONS_ENABLED, SECTION } from "../settings.js";
import type { Translate } from "./format.js";
import { notificationText, shouldNotify, type NewAlert } from "./notify-model.js";

export interface DecisionSource {
  onDecision(cb: (c: ProbeConnectionView, d: Decision, replayed: boolean) => void): { dispose(): void };
}

const BURST_MS = 500;

export class AlertNotifier implements vscode.Disposable {
  private queue: NewAlert[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscription: { dispose(): void };

  constructor(
    source: DecisionSource,
    private readonly t: Translate,
    private readonly focusCommand: string,
    private readonly log: Logger,
  ) {
    this.subscription = source.onDecision((c, d, replayed) => {
      const enabled = vscode.workspace.getConfiguration(SECTION).get<boolean>(NOTIFICATIONS_ENABLED, true);
      if (!shouldNotify(d, replayed, enabled)) return;
      this.queue.push({ probeName: c.name, decision: d });
      this.timer ??= setTimeout(() => this.flush(), BURST_MS);
    });
  }

  private flush(): void {
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const show = this.t("Show");
    const never = this.t("Don't Show Again");
    // plain text: notificationText() breaks `[x](command:…)` link syntax from the probe
    void vscode.window.showWarningMessage(notificationText(batch, this.t), show, never).then(
      async (choice) => {
        if (choice === show) await vscode.commands.executeCommand(this.focusCommand);
        if (choice === never) {
          await vscode.workspace
            .getConfiguration(SECTION)
            .update(NOTIFICATIONS_ENABLED, false, vscode.ConfigurationTarget.Global);
          this.log.info("alert pop-ups turned off (watchdog.notifications.enabled = false)");
        }
      },
      (e: unknown) => this.log.error(`alert pop-up failed: ${String(e)}`),
    );
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.subscription.dispose();
  }
}
