// Pop-ups for NEW alerts only (see notify-model.ts): one line, with "Show", "Copy Kill
// Command" (process alerts) and "Don't Show Again". Alerts arriving together (one tick,
// several probes) share one pop-up. VS Code cannot close a notification it has shown, so
// when every alert of a pop-up the user has not answered recovers, a short "Resolved: …"
// message follows it, and "Copy Kill Command" on an ended alert says so instead of copying.
import * as vscode from "vscode";
import type { Decision } from "../../probe/protocol.js";
import type { ProbeConnectionView } from "../connection/types.js";
import type { Logger } from "../log.js";
import { NOTIFICATIONS_ENABLED, SECTION } from "../settings.js";
import type { Translate } from "./format.js";
import {
  killCommands,
  notificationText,
  OpenNotifications,
  resolvedText,
  shouldNotify,
  type NewAlert,
} from "./notify-model.js";

export interface DecisionSource {
  readonly connections: readonly ProbeConnectionView[];
  onDecision(cb: (c: ProbeConnectionView, d: Decision, replayed: boolean) => void): { dispose(): void };
}

const BURST_MS = 500;

export class AlertNotifier implements vscode.Disposable {
  private queue: Array<{ probeId: string; decision: Decision }> = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscription: { dispose(): void };
  private readonly shown = new OpenNotifications();

  constructor(
    private readonly source: DecisionSource,
    private readonly t: Translate,
    private readonly focusCommand: string,
    private readonly log: Logger,
  ) {
    this.subscription = source.onDecision((c, d, replayed) => {
      if (d.action === "recovery" && !replayed) {
        for (const alerts of this.shown.recovered(c.id, d.key)) {
          void vscode.window.showInformationMessage(resolvedText(alerts, this.t));
        }
      }
      const enabled = vscode.workspace.getConfiguration(SECTION).get<boolean>(NOTIFICATIONS_ENABLED, true);
      if (!shouldNotify(d, replayed, enabled)) return;
      this.queue.push({ probeId: c.id, decision: d });
      this.timer ??= setTimeout(() => this.flush(), BURST_MS);
    });
  }

  /** The process and host as the latest snapshot reports them, when the pop-up is shown. */
  private resolve(q: { probeId: string; decision: Decision }): NewAlert {
    const c = this.source.connections.find((x) => x.id === q.probeId);
    const pid = Number(q.decision.entity);
    const process =
      q.decision.kind === "proc_blocking" ? (c?.snapshot?.processes.find((p) => p.pid === pid) ?? null) : null;
    return {
      probeId: q.probeId,
      probeName: c?.name ?? q.probeId,
      hostname: c?.hello?.probe.hostname ?? null,
      decision: q.decision,
      process,
    };
  }

  private flush(): void {
    this.timer = undefined;
    const batch = this.queue.map((q) => this.resolve(q));
    this.queue = [];
    if (batch.length === 0) return;
    const show = this.t("Show");
    const copy = this.t("Copy Kill Command");
    const never = this.t("Don't Show Again");
    const actions = killCommands(batch) === null ? [show, never] : [show, copy, never];
    const id = this.shown.add(batch);
    // plain text: notificationText() breaks `[x](command:…)` link syntax from the probe
    void vscode.window.showWarningMessage(notificationText(batch, this.t), ...actions).then(
      async (choice) => {
        const still = batch.filter((a) => this.shown.firing(a.probeId, a.decision.key));
        this.shown.close(id);
        if (choice === show) await vscode.commands.executeCommand(this.focusCommand);
        if (choice === copy) await this.copyKill(still);
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

  private async copyKill(firing: readonly NewAlert[]): Promise<void> {
    const text = killCommands(firing);
    if (text === null) {
      void vscode.window.showInformationMessage(this.t("Already resolved: the process has ended. Nothing to kill."));
      return;
    }
    await vscode.env.clipboard.writeText(text);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.subscription.dispose();
  }
}
