// The status-bar alarm: renders status-model.ts. Re-evaluated on every connection change
// and every few seconds (a probe turns stale by silence, which fires no event).
import * as vscode from "vscode";
import type { Translate } from "./format.js";
import { buildStatus, type StatusModel } from "./status-model.js";
import type { ConnectionSource } from "./tree.js";

const RECHECK_MS = 5000;

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private shown: StatusModel | null = null;

  constructor(
    private readonly source: ConnectionSource,
    private readonly t: Translate,
    focusCommand: string,
    private readonly now: () => number = Date.now,
  ) {
    this.item = vscode.window.createStatusBarItem("watchdog.status", vscode.StatusBarAlignment.Left, 10);
    this.item.name = t("Watchdog");
    this.item.command = focusCommand;
    this.disposables.push(
      this.item,
      source.onDidChange(() => this.update()),
    );
    if (source.onDidChangeConnections) this.disposables.push(source.onDidChangeConnections(() => this.update()));
    this.timer = setInterval(() => this.update(), RECHECK_MS);
    this.update();
    this.item.show();
  }

  update(): void {
    const m = buildStatus(this.source.connections, this.now(), this.t);
    const s = this.shown;
    if (s !== null && s.text === m.text && s.background === m.background && s.tooltip === m.tooltip) return;
    this.shown = m;
    this.item.text = m.text;
    this.item.tooltip = m.tooltip;
    this.item.backgroundColor = m.background === null ? undefined : new vscode.ThemeColor(m.background);
    this.item.accessibilityInformation = { label: m.text.replace(/\$\([^)]*\)\s*/g, ""), role: "button" };
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
