// The sidebar tree: renders model.ts rows. Elements are row ids, so a refresh never
// changes an element's identity; only rows whose rendering changed are fired, and the
// user's expand/collapse choices are kept across updates.
import * as vscode from "vscode";
import type { ProbeConnectionView } from "../connection/types.js";
import type { Translate } from "./format.js";
import { buildTree, diffTree } from "./model.js";
import type { Row, TreeModel } from "./rows.js";

export interface ConnectionSource {
  readonly connections: readonly ProbeConnectionView[];
  onDidChange(cb: (c: ProbeConnectionView) => void): { dispose(): void };
  /** probes added or removed */
  onDidChangeConnections?(cb: () => void): { dispose(): void };
}

export const VIEW_ID = "watchdog.probes";
/** Countdowns (cooldowns, "retrying in N s") tick at most this often, and only while visible. */
const COUNTDOWN_MS = 1000;
/** A burst of changes (decision replay, several probes) becomes one refresh. */
const COALESCE_MS = 50;

export class ProbeTree implements vscode.TreeDataProvider<string>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<string | string[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private model: TreeModel;
  /** what the user did to a row's twisty, by row id; wins over the row's default */
  private readonly expansion = new Map<string, boolean>();
  private readonly disposables: vscode.Disposable[] = [];
  private countdown: ReturnType<typeof setInterval> | undefined;
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly source: ConnectionSource,
    private readonly t: Translate,
    private readonly now: () => number = Date.now,
  ) {
    this.model = buildTree(source.connections, now(), t);
    this.disposables.push(
      this.emitter,
      source.onDidChange(() => this.schedule()),
    );
    if (source.onDidChangeConnections) this.disposables.push(source.onDidChangeConnections(() => this.schedule()));
  }

  /** Hooks the TreeView's expansion and visibility events. */
  attach(view: vscode.TreeView<string>): void {
    this.disposables.push(
      view.onDidExpandElement((e) => this.expansion.set(e.element, true)),
      view.onDidCollapseElement((e) => this.expansion.set(e.element, false)),
      view.onDidChangeVisibility((e) => this.setTicking(e.visible)),
    );
    this.setTicking(view.visible);
  }

  row(id: string): Row | undefined {
    return this.model.rows.get(id);
  }

  /** Rebuilds the model; fires only what changed, or everything when `full`. */
  refresh(full = false): void {
    const next = buildTree(this.source.connections, this.now(), this.t);
    const change = full ? { full: true, changed: [] } : diffTree(this.model, next);
    this.model = next;
    for (const id of this.expansion.keys()) if (!next.rows.has(id)) this.expansion.delete(id);
    if (change.full) this.emitter.fire(undefined);
    else if (change.changed.length > 0) this.emitter.fire([...change.changed]);
  }

  getTreeItem(id: string): vscode.TreeItem {
    const row = this.model.rows.get(id);
    if (row === undefined) return { id, label: "" };
    const open = row.expanded === null ? null : (this.expansion.get(id) ?? row.expanded);
    const item = new vscode.TreeItem(
      row.label,
      open === null
        ? vscode.TreeItemCollapsibleState.None
        : open
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = row.id;
    item.description = row.description;
    // a plain string: VS Code shows it as text, never as markdown
    if (row.tooltip !== "") item.tooltip = row.tooltip;
    if (row.icon)
      item.iconPath = new vscode.ThemeIcon(
        row.icon.id,
        row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined,
      );
    item.contextValue = row.contextValue;
    if (row.opensCmdline)
      item.command = { command: "watchdog.showCommandLine", title: this.t("Show Command Line"), arguments: [row.id] };
    return item;
  }

  getChildren(id?: string): string[] {
    if (id === undefined) return [...this.model.rootIds];
    return [...(this.model.rows.get(id)?.childIds ?? [])];
  }

  getParent(id: string): string | undefined {
    return this.model.rows.get(id)?.parentId ?? undefined;
  }

  private schedule(): void {
    if (this.pending !== undefined) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.refresh();
    }, COALESCE_MS);
  }

  private setTicking(on: boolean): void {
    if (on && this.countdown === undefined) {
      this.refresh();
      this.countdown = setInterval(() => this.refresh(), COUNTDOWN_MS);
    } else if (!on && this.countdown !== undefined) {
      clearInterval(this.countdown);
      this.countdown = undefined;
    }
  }

  dispose(): void {
    this.setTicking(false);
    if (this.pending !== undefined) clearTimeout(this.pending);
    for (const d of this.disposables) d.dispose();
  }
}
