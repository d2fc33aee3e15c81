import { describe, expect, it } from "vitest";
import { buildTree, diffTree } from "../../../extension/views/model.js";
import { alert, conn, hello, NOW, orchDown, proc, snapshot, t } from "./fixtures.js";

describe("diffTree: only changed rows are fired", () => {
  it("a new snapshot that changes nothing visible fires nothing", () => {
    const a = buildTree([conn({ snapshot: snapshot({ seq: 1, processes: [proc(4242, { ageS: 7260 })] }) })], NOW, t);
    // 15 s later: a new seq and older processes, but every label stays in its age bucket
    const b = buildTree(
      [
        conn({
          snapshot: snapshot({ seq: 2, at: "2026-06-15T03:00:15.000Z", processes: [proc(4242, { ageS: 7275 })] }),
          snapshotReceivedAt: NOW + 15_000,
        }),
      ],
      NOW + 15_000,
      t,
    );
    expect(diffTree(a, b)).toEqual({ full: false, changed: [] });
    expect([...b.rows.keys()]).toEqual([...a.rows.keys()]);
  });

  it("a cooldown countdown fires its alert row alone, and only when its text changes", () => {
    // 29 minutes left: the row says "29m" for a minute; a per-second refresh re-renders nothing
    // (a re-rendered row closes its open hover)
    // a slow tick, so the probe does not turn stale within the minute
    const c = conn({ hello: hello({ tickS: 60 }), snapshot: snapshot({ alerts: [alert("proc_blocking:4242")] }) });
    const a = buildTree([c], NOW, t);
    const row = "prod/alerts/proc_blocking%3A4242";
    for (let s = 1; s < 60; s++) expect(diffTree(a, buildTree([c], NOW + s * 1000, t)).changed).not.toContain(row);
    // 10 s in, nothing at all changes (the probe row's and the orchestrator's ages are per minute too)
    expect(diffTree(a, buildTree([c], NOW + 10_000, t))).toEqual({ full: false, changed: [] });
    const b = buildTree([c], NOW + 60_000, t);
    expect(diffTree(a, b).changed).not.toEqual([]);
    expect([a.rows.get(row)?.description, b.rows.get(row)?.description]).toEqual([
      "firing · Telegram: 1 sent · cooldown 29m left",
      "firing · Telegram: 1 sent · cooldown 28m left",
    ]);
    // in the last two minutes, at most every 10 s
    const end = NOW + 27 * 60_000 + 30_000;
    const changes = [];
    let prev = buildTree([c], end, t);
    for (let s = 1; s <= 60; s++) {
      const next = buildTree([c], end + s * 1000, t);
      if (diffTree(prev, next).changed.length > 0) changes.push(s);
      prev = next;
    }
    expect(changes.length).toBeLessThanOrEqual(6);
  });

  it("a tooltip that changes every tick (the signal's running time) re-renders nothing", () => {
    const sig = (title: string) => ({
      key: "proc_blocking:4242",
      kind: "proc_blocking",
      entity: "4242",
      active: true,
      severity: "critical" as const,
      title,
      detail: "ppid 1",
    });
    const at = (title: string) =>
      buildTree(
        [conn({ snapshot: snapshot({ alerts: [alert("proc_blocking:4242")], signals: [sig(title)] }) })],
        NOW,
        t,
      );
    const a = at("pytest 4242 running for 12s");
    const b = at("pytest 4242 running for 13s");
    expect(b.rows.get("prod/alerts/proc_blocking%3A4242")?.tooltip).toContain("running for 13s");
    expect(diffTree(a, b)).toEqual({ full: false, changed: [] });
  });

  it("a process that appears fires its group, not the whole tree", () => {
    const a = buildTree([conn()], NOW, t);
    const b = buildTree([conn({ snapshot: snapshot({ processes: [proc(4242), proc(5151)] }) })], NOW, t);
    expect(diffTree(a, b)).toEqual({ full: false, changed: ["prod/procs"] });
  });

  it("a changed group covers its changed children (firing a row refreshes its subtree)", () => {
    const a = buildTree([conn()], NOW, t);
    const b = buildTree([conn({ snapshot: snapshot(orchDown()) })], NOW, t);
    const { full, changed } = diffTree(a, b);
    expect(full).toBe(false);
    // Orchestrator (up → down) and its children; Alerts (none → 1 firing); the probe row's state text
    expect(changed).toEqual(["prod"]);
    const c = buildTree(
      [conn({ snapshot: snapshot({ orch: { ...orchDown().orch!, lastError: "timeout" } }) })],
      NOW,
      t,
    );
    const d = buildTree(
      [conn({ snapshot: snapshot({ orch: { ...orchDown().orch!, lastError: "refused" } }) })],
      NOW,
      t,
    );
    expect(diffTree(c, d).changed).toEqual(["prod/orch/last-error"]);
  });

  it("probes added, removed or reordered refresh everything", () => {
    const one = buildTree([conn({ id: "a", name: "a" })], NOW, t);
    const two = buildTree([conn({ id: "a", name: "a" }), conn({ id: "b", name: "b" })], NOW, t);
    expect(diffTree(one, two).full).toBe(true);
    expect(diffTree(two, one).full).toBe(true);
    expect(diffTree(null, one).full).toBe(true);
  });
});
