// Integration suite inside a real extension host (@vscode/test-electron style entry:
// `run()`), bundled by scripts/test-vscode.mjs. The tree provider and the command-line
// documents are fed by a stub stream (the fake probe on loopback) through the real
// connection manager; then the installed extension itself is activated and its commands
// are checked against its manifest.
import * as vscode from "vscode";
import type { MementoLike } from "../../extension/connection/host-key-broker.js";
import { ProbeManager, type SecretsLike } from "../../extension/connection/manager.js";
import { rootLogger } from "../../extension/log.js";
import { CmdlineDocuments } from "../../extension/views/cmdline-document.js";
import { t } from "../../extension/views/l10n.js";
import { ProbeTree } from "../../extension/views/tree.js";
import { makeProcess, startFakeProbe, type FakeProbe } from "../helpers/fake-probe.js";
import { assert, eventually, Runner } from "./runner.js";

const EXTENSION_ID = "orchestrator-watchdog.orchestrator-watchdog";
const PID = 4242;

class MemorySecrets implements SecretsLike {
  private readonly m = new Map<string, string>();
  async get(k: string) {
    return this.m.get(k);
  }
  async store(k: string, v: string) {
    this.m.set(k, v);
  }
  async delete(k: string) {
    this.m.delete(k);
  }
}

class MemoryState implements MementoLike {
  private readonly m = new Map<string, unknown>();
  get<T>(k: string) {
    return this.m.get(k) as T | undefined;
  }
  async update(k: string, v: unknown) {
    this.m.set(k, v);
  }
}

interface Rendered {
  id: string;
  item: vscode.TreeItem;
  label: string;
  description: string;
}

function render(tree: ProbeTree): Rendered[] {
  const out: Rendered[] = [];
  const walk = (ids: string[], depth: number) => {
    if (depth > 6) return;
    for (const id of ids) {
      const item = tree.getTreeItem(id);
      const label = typeof item.label === "string" ? item.label : (item.label?.label ?? "");
      out.push({ id, item, label, description: typeof item.description === "string" ? item.description : "" });
      walk(tree.getChildren(id), depth + 1);
    }
  };
  walk(tree.getChildren(), 0);
  return out;
}

export async function run(): Promise<void> {
  const r = new Runner();
  let fake: FakeProbe | undefined;
  let manager: ProbeManager | undefined;
  let tree: ProbeTree | undefined;
  let docs: CmdlineDocuments | undefined;
  r.after(async () => {
    docs?.dispose();
    tree?.dispose();
    await manager?.dispose();
    await fake?.stop();
  });

  const argv = ["python", "-m", "pytest", "tests/test_slow.py", "--token=***"];

  r.test("the tree provider renders a stub stream: probe connected, pytest row, firing alert", async () => {
    fake = await startFakeProbe({
      hello: { probe: { version: "0.1.0", hostname: "stub-host", pid: 7, startedAt: new Date().toISOString() } },
    });
    const secrets = new MemorySecrets();
    await secrets.store("watchdog.token.stub", fake.token);
    manager = new ProbeManager({
      secrets,
      state: new MemoryState(),
      log: rootLogger({ trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => console.error(m) }),
      hostKeyPrompt: async () => "cancel",
      probeScript: "/nonexistent/probe.js",
    });
    tree = new ProbeTree(manager, t);
    fake.snapshot({
      processes: [makeProcess({ pid: PID, argv, cmdline: argv.join(" ") })],
      alerts: [
        {
          key: `proc_blocking:${PID}`,
          kind: "proc_blocking",
          entity: String(PID),
          firing: true,
          since: new Date().toISOString(),
          lastNotifiedAt: new Date().toISOString(),
          cooldownUntil: new Date(Date.now() + 600_000).toISOString(),
          notifications: 1,
        },
      ],
    });
    manager.setTargets([{ kind: "direct", name: "stub", url: fake.url }]);
    const rows = await eventually("a process row for pid 4242", () => {
      const rs = render(tree!);
      return rs.some((x) => x.description.startsWith(`pid ${PID}`)) ? rs : undefined;
    });
    const probe = rows.find((x) => x.label === "stub");
    assert(probe, `no probe row "stub" in ${JSON.stringify(rows.map((x) => x.label))}`);
    assert(
      /connected/.test(probe.description) && !/disconnected/.test(probe.description),
      `probe row says "${probe.description}", not connected`,
    );
    const proc = rows.find((x) => x.description.startsWith(`pid ${PID}`))!;
    assert(proc.label.startsWith("pytest"), `process label "${proc.label}" does not lead with the test target`);
    assert(proc.item.contextValue === "watchdog.process", `process contextValue is ${proc.item.contextValue}`);
    assert(
      proc.item.iconPath instanceof vscode.ThemeIcon && proc.item.iconPath.id === "flame",
      "a blocking process has the flame icon",
    );
    assert(
      proc.item.command?.command === "watchdog.showCommandLine",
      "a click on the process row opens its command line",
    );
    const alert = rows.find((x) => x.label === `Orphaned test process ${PID}`);
    assert(
      alert && /firing/.test(alert.description),
      `no firing "Orphaned test process ${PID}" row in ${JSON.stringify(rows.map((x) => `${x.label} ${x.description}`))}`,
    );
  });

  r.test("tree row ids stay the same across snapshots", async () => {
    assert(tree && fake, "needs the previous test");
    const before = render(tree).map((x) => x.item.id ?? x.id);
    fake.snapshot({
      processes: [makeProcess({ pid: PID, argv, cmdline: argv.join(" "), ageS: 7300 })],
      alerts: fake.latest.alerts,
    });
    const seq = fake.latest.seq;
    await eventually("the new snapshot to reach the manager", () =>
      manager!.connections[0]?.snapshot?.seq === seq ? true : undefined,
    );
    // what the coalesced refresh would do, now rather than after a timer
    tree.refresh();
    const after = render(tree).map((x) => x.item.id ?? x.id);
    assert(JSON.stringify(before) === JSON.stringify(after), `ids changed:\n${before.join(",")}\n${after.join(",")}`);
  });

  r.test("the command-line document lists the redacted argv, and says when the process has gone", async () => {
    assert(manager && fake, "needs the first test");
    docs = new CmdlineDocuments(manager, t);
    const c = manager.connections[0]!;
    const doc = await vscode.workspace.openTextDocument(CmdlineDocuments.uri(c.id, c.name, PID));
    const text = doc.getText();
    const lines = text.split("\n");
    for (const a of argv) assert(lines.includes(a), `argument "${a}" is not on a line of its own:\n${text}`);
    assert(text.includes(String(PID)) && text.includes("stub-host"), `pid or host missing:\n${text}`);
    assert(doc.uri.scheme === "watchdog-cmdline", `scheme is ${doc.uri.scheme}`);
    fake.snapshot({ processes: [], alerts: [] });
    await eventually("the document to say the process has gone", () => (/gone/.test(doc.getText()) ? true : undefined));
  });

  r.test("the installed extension activates", async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert(ext, `extension ${EXTENSION_ID} is not installed`);
    await ext.activate();
    assert(ext.isActive, "extension is not active after activate()");
  });

  r.test("every command in the manifest is registered, under the Watchdog category", async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const manifest = ext.packageJSON as { contributes?: { commands?: Array<{ command: string; category?: string }> } };
    const contributed = manifest.contributes?.commands ?? [];
    assert(contributed.length >= 5, `only ${contributed.length} commands in the manifest`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((c) => !registered.has(c));
    assert(missing.length === 0, `contributed but not registered: ${missing.join(", ")}`);
    for (const id of [
      "watchdog.setToken",
      "watchdog.showCommandLine",
      "watchdog.refresh",
      "watchdog.connect",
      "watchdog.disconnect",
    ]) {
      assert(registered.has(id), `${id} is not registered`);
    }
  });

  r.test("the Watchdog view opens", async () => {
    await vscode.commands.executeCommand("watchdog.probes.focus");
  });

  const results = await r.run();
  const failed = results.filter((x) => !x.ok).length;
  if (failed > 0) throw new Error(`${failed} of ${results.length} extension-host tests failed`);
}
