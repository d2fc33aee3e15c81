// The choice `npm run test:vscode` makes between a desktop VS Code (@vscode/test-electron)
// and code-server, and the closing lines CI reads. The desktop path cannot run on this
// machine (no route to the VS Code update server), so its choice is checked here.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  choose,
  desktopVersion,
  factsFrom,
  failureReason,
  parseResults,
  ranLine,
  summary,
  type HostFacts,
} from "./host.js";
import { Runner } from "./runner.js";

const CODE = "/opt/VSCode-linux-x64/code";
const XVFB = "/usr/bin/xvfb-run";

function facts(o: Partial<HostFacts> = {}): HostFacts {
  return { executable: undefined, executableExists: false, platform: "linux", display: ":0", xvfbRun: undefined, ...o };
}

describe("choose: VSCODE_EXECUTABLE given", () => {
  it("runs the suite in it through test-electron and never downloads", () => {
    expect(choose(facts({ executable: CODE, executableExists: true }))).toEqual({
      host: "desktop",
      executable: CODE,
      from: "VSCODE_EXECUTABLE",
      xvfbRun: undefined,
    });
  });

  it("runs it under xvfb-run on Linux without DISPLAY", () => {
    const plan = choose(facts({ executable: CODE, executableExists: true, display: undefined, xvfbRun: XVFB }));
    expect(plan).toMatchObject({ host: "desktop", from: "VSCODE_EXECUTABLE", xvfbRun: XVFB });
  });

  it("fails, rather than falling back to code-server, when there is no display and no xvfb-run", () => {
    const plan = choose(facts({ executable: CODE, executableExists: true, display: undefined }));
    expect(plan.host).toBe("fail");
    expect(plan.host === "fail" && plan.reason).toMatch(/needs a display: DISPLAY is unset.*xvfb-run is not installed/);
  });

  it("fails naming the path when the executable does not exist", () => {
    expect(choose(facts({ executable: CODE, executableExists: false }))).toEqual({
      host: "fail",
      reason: `VSCODE_EXECUTABLE=${CODE} does not exist`,
    });
  });

  it("needs no display on macOS or Windows", () => {
    for (const platform of ["darwin", "win32"] as const) {
      const plan = choose(facts({ executable: CODE, executableExists: true, display: undefined, platform }));
      expect(plan).toMatchObject({ host: "desktop", xvfbRun: undefined });
    }
  });
});

describe("choose: no VSCODE_EXECUTABLE", () => {
  it("asks for a download first", () => {
    expect(choose(facts())).toEqual({ host: "download" });
  });

  it("runs in the downloaded VS Code when the download worked", () => {
    const exe = "/repo/.vscode-test/vscode-linux-x64-1.96.4/code";
    expect(choose(facts(), { ok: true, executable: exe })).toEqual({
      host: "desktop",
      executable: exe,
      from: "download",
      xvfbRun: undefined,
    });
  });

  it("falls back to code-server with the reason when the download is not reachable", () => {
    const reason = "getaddrinfo ENOTFOUND update.code.visualstudio.com";
    expect(choose(facts(), { ok: false, reason })).toEqual({
      host: "code-server",
      reason: `download not reachable: ${reason}`,
    });
  });

  it("does not download a VS Code that could not open a window here", () => {
    const plan = choose(facts({ display: undefined }));
    expect(plan.host).toBe("code-server");
    expect(plan.host === "code-server" && plan.reason).toMatch(/^no display for a desktop VS Code/);
  });

  it("downloads and runs under xvfb-run on a Linux machine without DISPLAY that has xvfb-run", () => {
    const f = facts({ display: undefined, xvfbRun: XVFB });
    expect(choose(f)).toEqual({ host: "download" });
    expect(choose(f, { ok: true, executable: CODE })).toMatchObject({ host: "desktop", xvfbRun: XVFB });
  });
});

describe("factsFrom", () => {
  it("treats a blank VSCODE_EXECUTABLE or DISPLAY as unset", () => {
    const f = factsFrom({ VSCODE_EXECUTABLE: "  ", DISPLAY: "" }, "linux", () => true, undefined);
    expect(f).toMatchObject({ executable: undefined, executableExists: false, display: undefined });
    expect(choose(f).host).toBe("code-server");
  });

  it("asks the disk whether the executable exists", () => {
    const seen: string[] = [];
    const f = factsFrom({ VSCODE_EXECUTABLE: CODE, DISPLAY: ":1" }, "linux", (p) => (seen.push(p), false), XVFB);
    expect(seen).toEqual([CODE]);
    expect(choose(f).host).toBe("fail");
  });
});

describe("failureReason", () => {
  it("keeps the first line of an error, a bare string as is, and at most 200 characters", () => {
    expect(failureReason(new Error("getaddrinfo ENOTFOUND update.code.visualstudio.com\n    at x"))).toBe(
      "getaddrinfo ENOTFOUND update.code.visualstudio.com",
    );
    expect(failureReason("Failed to get JSON")).toBe("Failed to get JSON");
    expect(failureReason(new Error(""))).toBe("no reason given");
    expect(failureReason(new Error("x".repeat(500))).length).toBe(200);
  });
});

describe("desktopVersion, on VS Code layouts laid out on disk", () => {
  const root = mkdtempSync(join(tmpdir(), "watchdog-vscode-layouts-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const put = (rel: string, text: string): string => {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    return p;
  };
  const read = (p: string): string | undefined => {
    try {
      return readFileSync(p, "utf8");
    } catch {
      return undefined;
    }
  };

  it("reads the version next to the Linux binary, in a macOS .app, and above a bin/code launcher", () => {
    put("linux/resources/app/package.json", JSON.stringify({ name: "code-oss-dev", version: "1.96.4" }));
    expect(desktopVersion(put("linux/code", ""), "linux", read)).toBe("1.96.4");
    put("mac/Visual Studio Code.app/Contents/Resources/app/package.json", JSON.stringify({ version: "1.97.0" }));
    const mac = put("mac/Visual Studio Code.app/Contents/MacOS/Electron", "");
    expect(desktopVersion(mac, "darwin", read)).toBe("1.97.0");
    put("share/code/resources/app/package.json", JSON.stringify({ version: "1.95.3" }));
    expect(desktopVersion(put("share/code/bin/code", ""), "linux", read)).toBe("1.95.3");
  });

  it("says nothing for a path that is no VS Code, or a manifest that is not one", () => {
    expect(desktopVersion(put("nothing/code", ""), "linux", read)).toBeUndefined();
    put("broken/resources/app/package.json", "{ not json");
    expect(desktopVersion(put("broken/code", ""), "linux", read)).toBeUndefined();
    put("odd/resources/app/package.json", JSON.stringify({ version: "latest" }));
    expect(desktopVersion(put("odd/code", ""), "linux", read)).toBeUndefined();
  });
});

describe("ranLine", () => {
  it("says which editor ran the suite", () => {
    expect(ranLine({ host: "desktop", version: "1.96.4", xvfb: false })).toBe(
      "test:vscode: ran in desktop VS Code 1.96.4 via @vscode/test-electron",
    );
    expect(ranLine({ host: "desktop", version: undefined, xvfb: true })).toBe(
      "test:vscode: ran in desktop VS Code (version unknown) via @vscode/test-electron under xvfb-run",
    );
    expect(ranLine({ host: "code-server", version: "4.96.4", reason: "download not reachable: ETIMEDOUT" })).toBe(
      "test:vscode: ran in code-server 4.96.4 (download not reachable: ETIMEDOUT)",
    );
  });
});

describe("summary: the closing line CI reads", () => {
  const last = (lines: string[]) => lines[lines.length - 1];

  it("counts what the suite's runner wrote", async () => {
    const dir = mkdtempSync(join(tmpdir(), "watchdog-vscode-results-"));
    const file = join(dir, "results.json");
    const before = process.env.WATCHDOG_VSCODE_RESULTS;
    process.env.WATCHDOG_VSCODE_RESULTS = file;
    try {
      const r = new Runner();
      r.test("passes", () => undefined);
      r.test("fails", () => {
        throw new Error("boom");
      });
      await r.run(() => undefined);
    } finally {
      if (before === undefined) delete process.env.WATCHDOG_VSCODE_RESULTS;
      else process.env.WATCHDOG_VSCODE_RESULTS = before;
    }
    const s = summary(parseResults(readFileSync(file, "utf8")), 1);
    rmSync(dir, { recursive: true, force: true });
    expect(s).toEqual({ ok: false, lines: ["1 passed, 1 failed"] });
  });

  it("is green only when tests ran, all passed and the editor exited 0", () => {
    const green = [
      { name: "a", ok: true },
      { name: "b", ok: true },
    ];
    expect(summary(green, 0)).toEqual({ ok: true, lines: ["2 passed, 0 failed"] });
    expect(summary([{ name: "a", ok: false }], 0).ok).toBe(false);
  });

  it("fails a run that executed no test, wrote no results, or exited non-zero with every test green", () => {
    for (const s of [summary([], 0), summary(undefined, 0), summary(undefined, 1)]) {
      expect(s.ok).toBe(false);
      expect(last(s.lines)).toBe("0 passed, 1 failed");
    }
    const crashed = summary([{ name: "a", ok: true }], 1);
    expect(crashed.ok).toBe(false);
    expect(last(crashed.lines)).toBe("1 passed, 1 failed");
  });

  it("does not take a results file that is not the runner's", () => {
    for (const text of ["", "{", "{}", "null", "[1]", '[{"name":"a"}]', '[{"name":"a","ok":"yes"}]']) {
      expect(parseResults(text)).toBeUndefined();
    }
    expect(parseResults('[{"name":"a","ok":true,"ms":3}]')).toEqual([{ name: "a", ok: true }]);
  });
});
