import { describe, expect, it } from "vitest";
import { alertTitle, kindName, middleTruncate, testTarget, wrapLines } from "../../../extension/views/labels.js";
import { t } from "./fixtures.js";

describe("testTarget: what a developer recognises in a pytest command line", () => {
  it("drops the interpreter and -m, keeps the test file and the selection", () => {
    const argv = ["/home/ci/.venvs/proj/bin/python3.12", "-m", "pytest", "tests/test_x.py", "-k", "slow"];
    expect(testTarget(argv, argv.join(" "), "python3.12")).toBe("pytest tests/test_x.py -k slow");
    expect(testTarget(["/usr/local/bin/pytest", "-x", "tests/"], "", "pytest")).toBe("pytest -x tests/");
    expect(testTarget(["/usr/bin/py.test", "t.py"], "", "py.test")).toBe("pytest t.py");
  });

  it("leaves out harness paths such as --basetemp, in both spellings", () => {
    const argv = ["python", "-m", "pytest", "tests/a.py", "--basetemp=/tmp/x/y", "--rootdir", "/srv", "-q"];
    expect(testTarget(argv, argv.join(" "), "python")).toBe("pytest tests/a.py -q");
  });

  it("keeps any other command line as it is, and [comm] for an empty one", () => {
    expect(testTarget(["node", "server.js"], "node server.js", "node")).toBe("node server.js");
    expect(testTarget([], "", "pytest")).toBe("[pytest]");
    // "pytest" as an argument of something else is not the test runner
    expect(testTarget(["grep", "pytest-foo"], "grep pytest-foo", "grep")).toBe("grep pytest-foo");
  });
});

describe("middleTruncate", () => {
  it("keeps both ends and the length", () => {
    const s = middleTruncate("pytest tests/a/very/long/path/to/test_x.py -k slow", 30);
    expect(s).toHaveLength(30);
    expect(s.startsWith("pytest tests/a")).toBe(true);
    expect(s.endsWith("test_x.py -k slow".slice(-14))).toBe(true);
    expect(s).toContain("…");
    expect(middleTruncate("short", 30)).toBe("short");
  });
});

describe("wrapLines", () => {
  it("wraps long reasons at spaces and cuts words longer than a line", () => {
    const reason = "connect ECONNREFUSED 10.0.0.5:8000 " + "while fetching the orchestrator metrics ".repeat(4);
    const lines = wrapLines(reason.trim(), 40).split("\n");
    expect(lines.every((l) => l.length <= 40)).toBe(true);
    expect(lines.join(" ")).toBe(reason.trim());
    expect(wrapLines("x".repeat(90), 40).split("\n")).toEqual(["x".repeat(40), "x".repeat(40), "x".repeat(10)]);
    expect(wrapLines("a\nb", 40)).toBe("a\nb");
  });
});

describe("human names for alert kinds", () => {
  it("names the probe's own kinds in words and shows a metric rule's kind as sent", () => {
    expect(alertTitle({ kind: "proc_blocking", entity: "23688" }, t)).toBe("Orphaned test process 23688");
    expect(alertTitle({ kind: "orch_down", entity: "orchestrator" }, t)).toBe("Orchestrator down");
    expect(alertTitle({ kind: "queue_depth", entity: "default" }, t)).toBe("queue_depth: default");
    expect(kindName("proc_blocking", t)).toBe("orphaned pytest");
    // a hostile kind cannot start a codicon in the status bar
    expect(kindName("$(zap)", t)).not.toContain("$(");
  });
});
