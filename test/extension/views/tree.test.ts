// ProbeTree against a small stand-in for the `vscode` module: what it fires, what it
// remembers, and when it ticks.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ProbeConnectionView } from "../../../extension/connection/types.js";
import { alert, conn, NOW, proc, snapshot, t } from "./fixtures.js";

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
    expect(item.label).toMatch(/^4242 · /);
    expect(item.command).toMatchObject({ command: "watchdog.showCommandLine", arguments: ["prod/procs/4242"] });
    expect(tree.getParent("prod/procs/4242")).toBe("prod/procs");
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

  it("ticks countdowns once a second only while the view is visible", () => {
    const tree = make();
    const view = fakeView();
    tree.attach(view as never);
    now += 5000;
    vi.advanceTimersByTime(5000);
    expect(fired).toEqual([]); // hidden: no countdown refresh
    view.show(true);
    fired.length = 0;
    for (let i = 0; i < 3; i++) {
      now += 1000;
      vi.advanceTimersByTime(1000);
    }
    expect(fired).toEqual([
      ["prod/alerts/proc_blocking%3A4242"],
      ["prod/alerts/proc_blocking%3A4242"],
      ["prod/alerts/proc_blocking%3A4242"],
    ]);
    view.show(false);
    fired.length = 0;
    now += 3000;
    vi.advanceTimersByTime(3000);
    expect(fired).toEqual([]);
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
