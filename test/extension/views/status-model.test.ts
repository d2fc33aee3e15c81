import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatMessage, type Translate } from "../../../extension/views/format.js";
import { buildTree } from "../../../extension/views/model.js";
import { buildStatus, firingCount } from "../../../extension/views/status-model.js";
import { alert, conn, hello, NOW, orchDown, snapshot, t } from "./fixtures.js";

describe("buildStatus", () => {
  it("is quiet with no alerts", () => {
    const s = buildStatus([conn()], NOW, t);
    expect(s.text).toBe("$(pulse) Watchdog");
    expect(s.background).toBeNull();
    expect(s.tooltip.split("\n")).toEqual([
      "Orchestrator Watchdog",
      "prod: connected",
      "Click to open the Watchdog view.",
    ]);
  });

  it("is quiet, and says so, with no probe at all", () => {
    const s = buildStatus([], NOW, t);
    expect(s.text).toBe("$(pulse) Watchdog");
    expect(s.tooltip).toContain("No probe configured.");
  });

  it("counts firing alerts over every probe and names them in words, on the error background", () => {
    const a = conn({ id: "a", name: "a", snapshot: snapshot(orchDown()) });
    const b = conn({
      id: "b",
      name: "b",
      snapshot: snapshot({ alerts: [alert("proc_blocking:4242"), alert("proc_blocking:1", { firing: false })] }),
    });
    const s = buildStatus([a, b], NOW, t);
    expect(s.text).toBe("$(alert) 2 alerts: orchestrator down, orphaned pytest");
    expect(firingCount([a, b])).toBe(2);
    expect(s.background).toBe("statusBarItem.errorBackground");
    expect(s.tooltip.split("\n").slice(1, 3)).toEqual([
      "a: connected, 1 firing (orch_down:orchestrator)",
      "b: connected, 1 firing (proc_blocking:4242)",
    ]);
  });

  it("lists at most three kinds", () => {
    const alerts = ["a:1", "b:1", "c:1", "d:1"].map((k) => alert(k));
    expect(buildStatus([conn({ snapshot: snapshot({ alerts }) })], NOW, t).text).toBe("$(alert) 4 alerts: a, b, c, …");
    expect(buildStatus([conn({ snapshot: snapshot({ alerts: [alert("a:1")] }) })], NOW, t).text).toBe(
      "$(alert) 1 alert: a",
    );
  });

  it("warns when a probe is disconnected or retrying, and not for a first connection attempt", () => {
    const waiting = conn({
      id: "w",
      name: "w",
      state: { phase: "waiting", attempt: 2, retryAt: NOW + 3000, reason: "ECONNREFUSED" },
    });
    const failed = conn({ id: "f", name: "f", state: { phase: "failed", reason: "HTTP 401" } });
    const s = buildStatus([waiting, failed], NOW, t);
    expect(s.text).toBe("$(debug-disconnect) Watchdog: 2 probes disconnected");
    expect(s.background).toBe("statusBarItem.warningBackground");
    expect(s.tooltip).toContain("w: retrying in 3 s: ECONNREFUSED");
    expect(s.tooltip).toContain("f: disconnected: HTTP 401");
    const first = conn({
      state: { phase: "connecting", attempt: 1 },
      snapshot: null,
      hello: null,
      snapshotReceivedAt: null,
    });
    expect(buildStatus([first], NOW, t).background).toBeNull();
  });

  it("does not raise old alarms from a probe that dropped", () => {
    const dropped = conn({
      state: { phase: "waiting", attempt: 1, retryAt: NOW + 1000, reason: "closed" },
      snapshot: snapshot(orchDown()),
    });
    expect(buildStatus([dropped], NOW, t).text).toBe("$(debug-disconnect) Watchdog: 1 probe disconnected");
    expect(firingCount([dropped])).toBe(0);
  });

  it("warns when a probe is stale", () => {
    const stale = conn({ hello: hello({ tickS: 5 }), snapshotReceivedAt: NOW - 16_000 });
    const s = buildStatus([stale], NOW, t);
    expect(s.text).toBe("$(watch) Watchdog: 1 probe stale");
    expect(s.background).toBe("statusBarItem.warningBackground");
    const both = buildStatus([stale, conn({ id: "x", name: "x", state: { phase: "failed", reason: "r" } })], NOW, t);
    expect(both.text).toBe("$(debug-disconnect) Watchdog: 1 probe disconnected · 1 probe stale");
  });

  it("lets firing win over a disconnected neighbour", () => {
    const s = buildStatus(
      [conn({ snapshot: snapshot(orchDown()) }), conn({ id: "x", name: "x", state: { phase: "failed", reason: "r" } })],
      NOW,
      t,
    );
    expect(s.background).toBe("statusBarItem.errorBackground");
    // …without hiding it: both are in the text
    expect(s.text).toBe("$(alert) 1 alert: orchestrator down · 1 probe disconnected");
  });
});

describe("a probe of a newer protocol", () => {
  const RU = JSON.parse(readFileSync(new URL("../../../l10n/bundle.l10n.ru.json", import.meta.url), "utf8")) as Record<
    string,
    string
  >;
  const ru: Translate = (m, ...args) => formatMessage(RU[m] ?? m, ...args);
  const newer = conn({
    state: {
      phase: "failed",
      reason: "this probe speaks protocol 2; update the extension (it speaks 1)",
      probeProtocol: 2,
    },
  });

  it("says which protocol the probe speaks and asks for an update, in the tree and the status bar", () => {
    const s = buildStatus([newer], NOW, t);
    expect(s.text).toBe("$(debug-disconnect) Watchdog: 1 probe disconnected");
    expect(s.tooltip).toContain("prod: this probe speaks protocol 2; update the extension");
    const row = buildTree([newer], NOW, t).rows.get(buildTree([newer], NOW, t).rootIds[0]!);
    expect(row?.description).toBe("this probe speaks protocol 2; update the extension");
    expect(row?.icon).toEqual({ id: "error", color: "list.errorForeground" });
  });

  it("in Russian too", () => {
    expect(buildStatus([newer], NOW, ru).tooltip).toContain(
      "prod: этот зонд работает по протоколу 2; обновите расширение",
    );
  });
});
