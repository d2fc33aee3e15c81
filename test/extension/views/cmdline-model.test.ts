import { describe, expect, it } from "vitest";
import {
  cmdlinePath,
  cmdlineQuery,
  findProcess,
  parseCmdlineQuery,
  renderCmdline,
} from "../../../extension/views/cmdline-model.js";
import { conn, NOW, proc, snapshot, t } from "./fixtures.js";

const address = { probeId: "prod", pid: 4242 };

describe("command-line document", () => {
  it("shows the full redacted argv one per line with pid, ppid, state, age, start time, probe and host", () => {
    const c = conn();
    const text = renderCmdline(
      { address, connection: c, current: findProcess([c], address, NOW), lastSeen: null, now: NOW },
      t,
    );
    expect(text).toBe(
      [
        "Process 4242 on ci-runner-3 (probe prod)",
        "",
        "pid       4242",
        "ppid      1 (orphaned: its parent is an init process)",
        "state     S",
        "age       2h 1m",
        "started   2026-06-15T00:59:00.000Z",
        "blocking  yes",
        "probe     prod",
        "host      ci-runner-3",
        "",
        "Command line (redacted by the probe), one argument per line:",
        "python",
        "-m",
        "pytest",
        "tests/",
        "--token=***",
        "",
      ].join("\n"),
    );
  });

  it("says so when the process has gone, and keeps its last known details", () => {
    const c = conn();
    const seen = findProcess([c], address, NOW);
    const gone = conn({ snapshot: snapshot({ processes: [] }) });
    const text = renderCmdline(
      {
        address,
        connection: gone,
        current: findProcess([gone], address, NOW + 300_000),
        lastSeen: seen,
        now: NOW + 300_000,
      },
      t,
    );
    expect(text).toContain("This process has gone: the probe no longer reports it (last seen 5m ago).");
    expect(text).toContain("--token=***");
  });

  it("says so when the process was never seen, or the probe is not connected", () => {
    const gone = conn({ snapshot: snapshot({ processes: [] }) });
    expect(renderCmdline({ address, connection: gone, current: null, lastSeen: null, now: NOW }, t)).toBe(
      "Process 4242 is not reported by probe prod.\n",
    );
    const down = conn({ state: { phase: "failed", reason: "x" } });
    const text = renderCmdline(
      { address, connection: down, current: findProcess([down], address, NOW), lastSeen: null, now: NOW },
      t,
    );
    expect(text).toContain("The probe is not connected; the details below are the last known ones.");
  });

  it("cannot be made to show fake lines by an argument with a newline", () => {
    const c = conn({ snapshot: snapshot({ processes: [proc(4242, { argv: ["python", "x\npid       1"] })] }) });
    const text = renderCmdline(
      { address, connection: c, current: findProcess([c], address, NOW), lastSeen: null, now: NOW },
      t,
    );
    expect(text.split("\n").filter((l) => l.startsWith("pid"))).toEqual(["pid       4242"]);
    expect(text).toContain("x␊pid       1");
  });

  it("round-trips its address and names the tab after the pid and probe", () => {
    expect(parseCmdlineQuery(cmdlineQuery({ probeId: "a&b=c/d", pid: 7 }))).toEqual({ probeId: "a&b=c/d", pid: 7 });
    expect(parseCmdlineQuery("probe=x&pid=-1")).toBeNull();
    expect(parseCmdlineQuery("pid=3")).toBeNull();
    expect(cmdlinePath("ci/prod", 4242)).toBe("/4242 · ci_prod");
  });
});
