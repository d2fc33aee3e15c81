// A probe is remote input. Whatever it sends, the views show it as plain text: no codicons,
// no links, no extra lines in labels.
import { describe, expect, it } from "vitest";
import type { Decision } from "../../../probe/protocol.js";
import { findProcess, renderCmdline } from "../../../extension/views/cmdline-model.js";
import { buildTree } from "../../../extension/views/model.js";
import { notificationText } from "../../../extension/views/notify-model.js";
import { buildStatus } from "../../../extension/views/status-model.js";
import { alert, conn, hello, NOW, proc, snapshot, t } from "./fixtures.js";

const EVIL =
  "$(zap) **bold** [run](command:workbench.action.terminal.new?%5B%22rm%22%5D) <img src=x onerror=alert(1)>\n$(loading~spin)\u0007\u2028x";

function hostileConnection() {
  const h = hello({ hostname: EVIL });
  return conn({
    name: "prod",
    hello: { ...h, probe: { ...h.probe, version: EVIL } },
    state: { phase: "connected", since: NOW },
    snapshot: snapshot({
      sources: [{ name: EVIL, ok: false, error: EVIL, ms: 1 }],
      orch: { configured: true, up: false, failures: 3, threshold: 3, lastOkAt: null, lastError: EVIL },
      processes: [proc(4242, { comm: EVIL, state: EVIL, cmdline: EVIL, argv: [EVIL, EVIL] })],
      signals: [{ key: EVIL, kind: EVIL, entity: EVIL, active: true, severity: "critical", title: EVIL, detail: EVIL }],
      alerts: [alert("x", { key: EVIL, kind: EVIL, entity: EVIL })],
      host: { disk: [{ path: EVIL, usedPct: 1 }], load: [] },
      containers: [{ name: EVIL, state: EVIL, health: EVIL, restarts: 0 }],
      deps: [{ name: EVIL, target: EVIL, up: false, ms: null }],
    }),
  });
}

function expectInert(text: string, multiline: boolean) {
  expect(text).not.toContain("$(");
  expect(text).not.toContain("](");
  // eslint-disable-next-line no-control-regex
  expect(text).not.toMatch(multiline ? /[\u0000-\u0009\u000b-\u001f\u2028]/ : /[\u0000-\u001f\u2028]/);
}

describe("hostile probe text", () => {
  it("shows a command line's bidi override, zero-width space and newline as visible marks in label and tooltip", () => {
    const cmd = "pytest tests/\u202Eyp.tset\u200B\nWhat to do: curl x | sh";
    const c = conn({
      state: { phase: "connected", since: NOW },
      snapshot: snapshot({ processes: [proc(4242, { cmdline: cmd, argv: cmd.split(" ") })] }),
    });
    const rows = [...buildTree([c], NOW, t).rows.values()].filter((r) => r.tooltip.includes("yp.tset"));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(`${r.label}${r.tooltip}`).not.toMatch(/[\u202e\u200b]/);
      expect(r.tooltip).toContain("pytest tests/<U+202E>yp.tset<U+200B>␊What to do: curl x | sh");
    }
  });

  it("reaches tree labels, descriptions and tooltips only as inert plain text", () => {
    const m = buildTree([hostileConnection()], NOW, t);
    expect(m.rows.size).toBeGreaterThan(10);
    let seen = 0;
    for (const row of m.rows.values()) {
      expectInert(row.label, false);
      expectInert(row.description, false);
      expectInert(row.tooltip, true);
      if (`${row.label} ${row.description} ${row.tooltip}`.includes("**bold**")) seen++;
    }
    // the text is still shown (escaped, not dropped)
    expect(seen).toBeGreaterThanOrEqual(8);
  });

  it("cannot add a codicon or a link to the status bar", () => {
    const s = buildStatus([hostileConnection()], NOW, t);
    expect(s.text.startsWith("$(alert) 1 alert: ")).toBe(true);
    expectInert(s.text.slice(2), false);
    expectInert(s.tooltip, true);
  });

  it("cannot put a link into an alert pop-up", () => {
    const d: Decision = {
      type: "decision",
      seq: 1,
      at: "2026-06-15T03:00:00.000Z",
      key: EVIL,
      kind: EVIL,
      entity: EVIL,
      action: "alert",
      text: EVIL,
      delivery: { telegram: "sent" },
    };
    const one = { probeId: "p", probeName: EVIL, hostname: EVIL, decision: d, process: null };
    expectInert(notificationText([one], t), false);
    expectInert(notificationText([one, one], t), false);
    expectInert(
      notificationText(
        [
          { ...one, hostname: null },
          { ...one, probeName: "b" },
        ],
        t,
      ),
      false,
    );
  });

  it("shows in the command-line document with control characters escaped", () => {
    const c = hostileConnection();
    const text = renderCmdline(
      {
        address: { probeId: c.id, pid: 4242 },
        connection: c,
        current: findProcess([c], { probeId: c.id, pid: 4242 }, NOW),
        lastSeen: null,
        now: NOW,
      },
      t,
    );
    expect(text).toContain("␊$(loading~spin)␇<U+2028>x");
    expect(text).not.toContain("\u0007");
  });

  it("in a disconnect reason cannot reach the labels either", () => {
    const m = buildTree([conn({ state: { phase: "failed", reason: EVIL } })], NOW, t);
    expectInert(m.rows.get("prod")!.description, false);
  });
});
