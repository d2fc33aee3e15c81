// The sidebar tree: renders model.ts rows. Elements are row ids, so a refresh never
// changes an element's identity; only rows whose rendering changed are fired, and the
// user's expand/collapse choices are kept across updates.
import * as vscode from "vscode";
import type { ProbeConnectionView } from "../connection/types.js";
import type { Translate } from "./format.js";
import { buildTree, diffTree, rowsToReveal } from "./model.js";
import { anyLink } from "./probe-state.js";
import type { Row, TreeModel } from "./rows.js";
import { firingCount } from "./status-model.js";

export interface ConnectionSource {
  readonly connections: readonly ProbeConnectionView[];
  onDidChange(cb: (c: ProbeConnectionView) => void): { dispose(): void };
  /** probes added or removed */
  onDidChangeConnections?(cb: () => void): { dispose(): void };
}

export const VIEW_ID = "watchdog.probes";
/** Shows the view title's Disconnect button only while some probe has a link to drop. */
const ANY_LINK_CONTEXT = "watchdog.anyLink";
/** A click on an orchestrator alert: reveals (selects and unfolds) the Orchestrator row. */
const REVEAL_COMMAND = "watchdog.revealRow";
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
  private view: vscode.TreeView<string> | undefined;
  private shownBadge = -1;
  private shownAnyLink: boolean | undefined;
  /** alarm rows that appeared while the view was hidden, revealed once it shows */
  private readonly toReveal = new Set<string>();

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
    this.view = view;
    this.disposables.push(
      vscode.commands.registerCommand(REVEAL_COMMAND, (id: unknown) => {
        if (typeof id === "string" && this.model.rows.has(id))
          void view.reveal(id, { select: true, focus: true, expand: true }).then(undefined, () => undefined);
      }),
      view.onDidExpandElement((e) => this.expansion.set(e.element, true)),
      view.onDidCollapseElement((e) => this.expansion.set(e.element, false)),
      view.onDidChangeVisibility((e) => {
        this.setTicking(e.visible);
        if (e.visible) this.decorate(this.model);
      }),
    );
    this.setTicking(view.visible);
    this.decorate(null);
  }

  row(id: string): Row | undefined {
    return this.model.rows.get(id);
  }

  /** Rebuilds the model; fires only what changed, or everything when `full`. */
  refresh(full = false): void {
    const next = buildTree(this.source.connections, this.now(), this.t);
    const change = full ? { full: true, changed: [] } : diffTree(this.model, next);
    const prev = this.model;
    this.model = next;
    for (const id of this.expansion.keys()) if (!next.rows.has(id)) this.expansion.delete(id);
    if (change.full) this.emitter.fire(undefined);
    else if (change.changed.length > 0) this.emitter.fire([...change.changed]);
    this.decorate(prev);
  }

  /** The badge, the Disconnect button's context key, and revealing rows that just started to alarm. */
  private decorate(prev: TreeModel | null): void {
    const view = this.view;
    if (view === undefined) return;
    const connections = this.source.connections;
    const firing = firingCount(connections);
    if (firing !== this.shownBadge) {
      this.shownBadge = firing;
      view.badge = firing === 0 ? undefined : { value: firing, tooltip: this.t("Watchdog: {0} firing", firing) };
    }
    const link = anyLink(connections);
    if (link !== this.shownAnyLink) {
      this.shownAnyLink = link;
      void vscode.commands.executeCommand("setContext", ANY_LINK_CONTEXT, link);
    }
    for (const id of rowsToReveal(prev, this.model)) this.toReveal.add(id);
    // only while visible: reveal() would otherwise open the view and steal the side bar
    if (!view.visible || this.toReveal.size === 0) return;
    const ids = [...this.toReveal];
    this.toReveal.clear();
    // after the change event, so the new rows exist in the rendered tree
    setTimeout(() => {
      for (const id of ids) {
        if (this.model.rows.get(id)?.alarm)
          void view.reveal(id, { select: false, focus: false, expand: false }).then(undefined, () => undefined);
      }
    }, 0);
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
    // no tooltip here: resolveTreeItem fills it in when the pointer rests on the row
    if (row.icon)
      item.iconPath = new vscode.ThemeIcon(
        row.icon.id,
        row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined,
      );
    item.contextValue = row.contextValue;
    if (row.click?.kind === "cmdline")
      item.command = {
        command: "watchdog.showCommandLine",
        title: this.t("Show Command Line"),
        arguments: [row.click.rowId],
      };
    else if (row.click?.kind === "reveal")
      item.command = { command: REVEAL_COMMAND, title: this.t("Show Details"), arguments: [row.click.rowId] };
    return item;
  }

  /** The tooltip as of the moment of hovering; a plain string, which VS Code shows as text, never as markdown. */
  resolveTreeItem(item: vscode.TreeItem, id: string): vscode.TreeItem {
    const tip = this.model.rows.get(id)?.tooltip ?? "";
    if (tip !== "") item.tooltip = tip;
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
