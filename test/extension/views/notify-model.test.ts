import { describe, expect, it } from "vitest";
import type { Decision } from "../../../probe/protocol.js";
import { notificationText, shouldNotify } from "../../../extension/views/notify-model.js";
import { t } from "./fixtures.js";

const decision = (action: Decision["action"], key = "proc_blocking:4242"): Decision => ({
  type: "decision",
  seq: 43,
  at: "2026-06-15T02:59:00.000Z",
  key,
  kind: "proc_blocking",
  entity: "4242",
  action,
  text: "pytest 4242 running for 2h 1m",
  delivery: { telegram: "queued" },
});

describe("alert pop-ups", () => {
  it("only for a new alert, live, with pop-ups enabled", () => {
    expect(shouldNotify(decision("alert"), false, true)).toBe(true);
    expect(shouldNotify(decision("repeat"), false, true)).toBe(false);
    expect(shouldNotify(decision("recovery"), false, true)).toBe(false);
    expect(shouldNotify(decision("alert"), true, true)).toBe(false);
    expect(shouldNotify(decision("alert"), false, false)).toBe(false);
  });

  it("one alert: probe and text; a burst: one message listing them", () => {
    expect(notificationText([{ probeName: "prod", decision: decision("alert") }], t)).toBe(
      "Watchdog alert on prod: pytest 4242 running for 2h 1m",
    );
    expect(
      notificationText(
        [
          { probeName: "prod", decision: decision("alert") },
          { probeName: "ci", decision: decision("alert", "orch_down:orchestrator") },
        ],
        t,
      ),
    ).toBe("Watchdog: 2 new alerts: prod: proc_blocking:4242; ci: orch_down:orchestrator");
    expect(notificationText([], t)).toBe("");
  });
});
