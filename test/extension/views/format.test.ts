import { describe, expect, it } from "vitest";
import {
  ageBucket,
  duration,
  formatMessage,
  killCommand,
  plain,
  shortCmdline,
  visible,
} from "../../../extension/views/format.js";

const t = formatMessage;

describe("ageBucket: labels change rarely", () => {
  it.each([
    [0, "<1m"],
    [59, "<1m"],
    [60, "1m"],
    [9 * 60 + 59, "9m"],
    [10 * 60, "10m"],
    [14 * 60 + 59, "10m"],
    [15 * 60, "15m"],
    [59 * 60 + 59, "55m"],
    [3600, "1h"],
    [3600 + 9 * 60, "1h"],
    [3600 + 10 * 60, "1h 10m"],
    [7260, "2h"],
    [23 * 3600 + 59 * 60, "23h 50m"],
    [86_400, "1d"],
    [90_000, "1d 1h"],
    [-5, "<1m"],
  ])("%i s → %s", (s, label) => {
    expect(ageBucket(s, t)).toBe(label);
  });

  it("over an hour, a label holds for at least ten minutes", () => {
    let changes = 0;
    let last = ageBucket(3600, t);
    for (let s = 3600; s < 7200; s++) {
      const l = ageBucket(s, t);
      if (l !== last) changes++;
      last = l;
    }
    expect(changes).toBe(5); // 1h 10m, 1h 20m, … 1h 50m
  });
});

describe("duration and formatMessage", () => {
  it("formats countdowns exactly", () => {
    expect(duration(45, t)).toBe("45s");
    expect(duration(750, t)).toBe("12m 30s");
    expect(duration(7260, t)).toBe("2h 1m");
    expect(duration(90_000, t)).toBe("1d 1h");
  });
  it("fills {n} placeholders and leaves unknown ones", () => {
    expect(formatMessage("{1} and {0} and {2}", "a", 2)).toBe("2 and a and {2}");
  });
});

describe("remote text", () => {
  it("cannot start a codicon, end a link, or break a line", () => {
    const s = plain("$(zap) [x](command:workbench.action.terminal.new)\nsecond\u0007line");
    expect(s).not.toContain("$(");
    expect(s).not.toContain("](");
    expect(s).not.toContain("\n");
    expect(s).not.toContain("\u0007");
    expect(s.replace(/\u200B/g, "")).toBe("$(zap) [x](command:workbench.action.terminal.new)␊second␇line");
  });
  it("is cut to the given length", () => {
    expect(plain("x".repeat(300), 10)).toBe("xxxxxxxxx…");
    expect(shortCmdline("", "kworker")).toBe("[kworker]");
  });
  it("shows control characters in the argv document, and writes out bidi and zero-width ones", () => {
    expect(visible("a\nb\tc\u001b[31m")).toBe("a␊b␉c␛[31m");
    expect(visible("run\u202Egnp.exe\u200B")).toBe("run<U+202E>gnp.exe<U+200B>");
  });
  it("shows a right-to-left override or a zero-width space in a label as what it is", () => {
    expect(plain("pytest \u202Etxt.exe \u2066x\u2069 py\u200Btest")).toBe(
      "pytest <U+202E>txt.exe <U+2066>x<U+2069> py<U+200B>test",
    );
  });
});

describe("killCommand", () => {
  it("names the host in a comment", () => {
    expect(killCommand(4242, "ci-runner-3", "prod")).toBe("kill -TERM 4242  # on host ci-runner-3 (probe prod)");
    expect(killCommand(4242, null, "prod")).toBe("kill -TERM 4242  # on unknown host (probe prod)");
  });
  it("keeps a hostile hostname or probe name inside the comment", () => {
    const cmd = killCommand(4242, "evil\nrm -rf ~; $(curl x)`id`", "a\r\nreboot");
    expect(cmd.split("\n")).toHaveLength(1);
    expect(cmd).toMatch(/^kill -TERM 4242 {2}# /);
    expect(cmd).toMatch(/^kill -TERM 4242 {2}# on host [\w.:@-]+ \(probe [\w.:@-]+\)$/);
    expect(cmd).not.toMatch(/[;`$\r\n]/);
  });
});
