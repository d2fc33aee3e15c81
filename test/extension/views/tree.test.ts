// ProbeTree against a small stand-in for the `vscode` module: what it fires, what it
// remembers, and when it ticks.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ProbeConnectionView } from "../../../extension/connection/types.js";
import { alert, conn, NOW, orchDown, proc, snapshot, t } from "./fixtures.js";

const executed: unknown[][] = [];

vi.mock("vscode", () => {
  class EventEmitter<T> {
    private listeners: Array<(e: T) => void> = [];
    event = (l: (e: T) => void) => {
      this.listeners.push(l);
      return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
    };
    fire(e: T) {
      for (const l of this.listeners) l(e);
    }
    dispose() {
      this.listeners = [];
    }
  }
  class TreeItem {
    id?: string;
    description?: string;
    tooltip?: string;
    iconPath?: unknown;
    contextValue?: string;
    command?: unknown;
    constructor(
      public label: string,
      public collapsibleState: number,
    ) {}
  }
  class ThemeIcon {
    constructor(
      public id: string,
      public color?: unknown,
    ) {}
  }
  class ThemeColor {
    constructor(public id: string) {}
  }
  return {
    EventEmitter,
    TreeItem,
    ThemeIcon,
    ThemeColor,
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    commands: {
      registerCommand: () => ({ dispose() {} }),
      executeCommand: (...args: unknown[]) => {
        executed.push(args);
        return Promise.resolve();
      },
    },
  };
});

const { ProbeTree } = await import("../../../extension/views/tree.js");

class FakeSource {
  connections: ProbeConnectionView[] = [];
  private cbs: Array<(c: ProbeConnectionView) => void> = [];
  onDidChange(cb: (c: ProbeConnectionView) => void) {
    this.cbs.push(cb);
    return { dispose: () => (this.cbs = this.cbs.filter((x) => x !== cb)) };
  }
  set(cs: ProbeConnectionView[]) {
    this.connections = cs;
    for (const cb of this.cbs) cb(cs[0]!);
  }
}

function fakeView() {
  const on = <E>() => {
    const ls: Array<(e: E) => void> = [];
    return { event: (l: (e: E) => void) => (ls.push(l), { dispose() {} }), fire: (e: E) => ls.forEach((l) => l(e)) };
  };
  const expand = on<{ element: string }>(),
    collapse = on<{ element: string }>(),
    vis = on<{ visible: boolean }>();
  return {
    visible: false,
    badge: undefined as { value: number; tooltip: string } | undefined,
    revealed: [] as string[],
    reveal(id: string) {
      this.revealed.push(id);
      return Promise.resolve();
    },
    onDidExpandElement: expand.event,
    onDidCollapseElement: collapse.event,
    onDidChangeVisibility: vis.event,
    expand: (id: string) => expand.fire({ element: id }),
    collapse: (id: string) => collapse.fire({ element: id }),
    show(v: boolean) {
      this.visible = v;
      vis.fire({ visible: v });
    },
  };
}

describe("ProbeTree", () => {
  let now = NOW;
  let src: FakeSource;
  let fired: Array<string[] | undefined>;
  beforeEach(() => {
    vi.useFakeTimers();
    now = NOW;
    src = new FakeSource();
    fired = [];
  });
  afterEach(() => vi.useRealTimers());

  function make() {
    src.connections = [conn({ snapshot: snapshot({ alerts: [alert("proc_blocking:4242")] }) })];
    const tree = new ProbeTree(src, t, () => now);
    tree.onDidChangeTreeData((e) => fired.push(e === undefined ? undefined : Array.isArray(e) ? e : [e]));
    return tree;
  }

  it("serves rows by id, with stable TreeItem ids and the row's look", () => {
    const tree = make();
    expect(tree.getChildren()).toEqual(["prod"]);
    expect(tree.getChildren("prod/procs")).toEqual(["prod/procs/4242"]);
    const item = tree.getTreeItem("prod/procs/4242");
    expect(item.id).toBe("prod/procs/4242");
    expect(item.label).toBe("pytest tests/ --token=*** · 2h");
    expect(item.description).toBe("pid 4242 · blocking · orphaned");
    expect(item.command).toMatchObject({ command: "watchdog.showCommandLine", arguments: ["prod/procs/4242"] });
    expect(tree.getParent("prod/procs/4242")).toBe("prod/procs");
    // the tooltip comes when the pointer rests on the row, as it is at that moment
    expect(item.tooltip).toBeUndefined();
    expect(tree.resolveTreeItem(item, "prod/procs/4242").tooltip).toMatch(/^pid 4242 · ppid 1/);
    tree.dispose();
  });

  it("fires only the rows a snapshot changed, once per burst", () => {
    const tree = make();
    src.set([
      conn({ snapshot: snapshot({ alerts: [alert("proc_blocking:4242")], processes: [proc(4242), proc(7)] }) }),
    ]);
    src.set([
      conn({ snapshot: snapshot({ alerts: [alert("proc_blocking:4242")], processes: [proc(4242), proc(7)] }) }),
    ]);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual([["prod/procs"]]);
    tree.dispose();
  });

  it("keeps the user's collapse choice across updates", () => {
    const tree = make();
    const view = fakeView();
    tree.attach(view as never);
    expect(tree.getTreeItem("prod/procs").collapsibleState).toBe(2);
    view.collapse("prod/procs");
    src.set([conn({ snapshot: snapshot({ processes: [proc(4242), proc(7)] }) })]);
    vi.advanceTimersByTime(100);
    expect(tree.getTreeItem("prod/procs").collapsibleState).toBe(1);
    tree.dispose();
  });

  it("ticks countdowns only while the view is visible, re-rendering a row only when its text changes", () => {
    const tree = make();
    const view = fakeView();
    tree.attach(view as never);
    now += 5000;
    vi.advanceTimersByTime(5000);
    expect(fired).toEqual([]); // hidden: no countdown refresh
    view.show(true);
    fired.length = 0;
    // 29 minutes of cooldown left: the row reads "cooldown 29m left" all along
    for (let i = 0; i < 3; i++) {
      now += 1000;
      vi.advanceTimersByTime(1000);
    }
    expect(fired).toEqual([]);
    // minutes later (the probe has gone silent meanwhile): one refresh
    now = NOW + 5 * 60_000 + 1000;
    vi.advanceTimersByTime(1000);
    expect(fired).toHaveLength(1);
    view.show(false);
    fired.length = 0;
    now += 3000;
    vi.advanceTimersByTime(3000);
    expect(fired).toEqual([]);
    tree.dispose();
  });

  it("counts firing alerts on the view's badge and reveals an orphan that appears while the view is open", () => {
    src.connections = [conn({ snapshot: snapshot({ processes: [] }) })];
    const tree = new ProbeTree(src, t, () => now);
    const view = fakeView();
    view.visible = true;
    tree.attach(view as never);
    expect(view.badge).toBeUndefined();
    // no process yet: the Processes group is a leaf, which VS Code would keep folded once it has children
    expect(tree.getTreeItem("prod/procs").collapsibleState).toBe(0);
    src.set([conn({ snapshot: snapshot({ processes: [proc(4242)], alerts: [alert("proc_blocking:4242")] }) })]);
    vi.advanceTimersByTime(100);
    expect(view.badge).toEqual({ value: 1, tooltip: "Watchdog: 1 firing" });
    expect(view.revealed.sort()).toEqual(["prod/alerts/proc_blocking%3A4242", "prod/procs/4242"]);
    // revealed once, not at every refresh
    src.set([conn({ snapshot: snapshot({ processes: [proc(4242)], alerts: [alert("proc_blocking:4242")] }) })]);
    vi.advanceTimersByTime(100);
    expect(view.revealed).toHaveLength(2);
    // the probe drops: no badge for old alarms, and the view's Disconnect button goes away
    src.set([
      conn({
        state: { phase: "failed", reason: "HTTP 401" },
        snapshot: snapshot({ processes: [proc(4242)], alerts: [alert("proc_blocking:4242")] }),
      }),
    ]);
    vi.advanceTimersByTime(100);
    expect(view.badge).toBeUndefined();
    expect(executed.at(-1)).toEqual(["setContext", "watchdog.anyLink", false]);
    tree.dispose();
  });

  it("opens the orchestrator's details from its alert", () => {
    src.connections = [conn({ snapshot: snapshot(orchDown()) })];
    const tree = new ProbeTree(src, t, () => now);
    expect(tree.getTreeItem("prod/alerts/orch_down%3Aorchestrator").command).toMatchObject({
      command: "watchdog.revealRow",
      arguments: ["prod/orch"],
    });
    tree.dispose();
  });

  it("refreshes everything when probes come or go", () => {
    const tree = make();
    src.set([...src.connections, conn({ id: "b", name: "b" })]);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual([undefined]);
    tree.dispose();
  });
});
