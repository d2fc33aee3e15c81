// Read-only documents under the watchdog-cmdline: scheme, one per process. They are
// re-rendered when a snapshot arrives and say so when the process has gone.
import * as vscode from "vscode";
import type { Translate } from "./format.js";
import {
  CMDLINE_SCHEME,
  cmdlinePath,
  cmdlineQuery,
  findProcess,
  parseCmdlineQuery,
  renderCmdline,
  type CmdlineAddress,
  type SeenProcess,
} from "./cmdline-model.js";
import type { ConnectionSource } from "./tree.js";

export class CmdlineDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  /** last rendered text and last sighting, by uri string, for open documents only */
  private readonly open = new Map<string, { text: string; lastSeen: SeenProcess | null }>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly source: ConnectionSource,
    private readonly t: Translate,
    private readonly now: () => number = Date.now,
  ) {
    this.disposables.push(
      this.emitter,
      vscode.workspace.registerTextDocumentContentProvider(CMDLINE_SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((d) => this.open.delete(d.uri.toString())),
      source.onDidChange(() => this.update()),
    );
  }

  static uri(probeId: string, probeName: string, pid: number): vscode.Uri {
    return vscode.Uri.from({
      scheme: CMDLINE_SCHEME,
      path: cmdlinePath(probeName, pid),
      query: cmdlineQuery({ probeId, pid }),
    });
  }

  async show(probeId: string, probeName: string, pid: number): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(CmdlineDocuments.uri(probeId, probeName, pid));
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const address = parseCmdlineQuery(uri.query);
    if (address === null) return this.t("This is not a Watchdog process address.") + "\n";
    const key = uri.toString();
    const entry = this.render(address, this.open.get(key)?.lastSeen ?? null);
    this.open.set(key, entry);
    return entry.text;
  }

  private render(
    address: CmdlineAddress,
    previous: SeenProcess | null,
  ): { text: string; lastSeen: SeenProcess | null } {
    const connections = this.source.connections;
    const now = this.now();
    const current = findProcess(connections, address, now);
    const connection = connections.find((c) => c.id === address.probeId);
    const text = renderCmdline({ address, connection, current, lastSeen: previous, now }, this.t);
    return { text, lastSeen: current ?? previous };
  }

  private update(): void {
    for (const [key, old] of this.open) {
      const uri = vscode.Uri.parse(key);
      const address = parseCmdlineQuery(uri.query);
      if (address === null) continue;
      const next = this.render(address, old.lastSeen);
      this.open.set(key, { text: old.text, lastSeen: next.lastSeen });
      // VS Code asks provideTextDocumentContent again, which stores the new text
      if (next.text !== old.text) this.emitter.fire(uri);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.open.clear();
  }
}
