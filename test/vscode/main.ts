// `npm run test:vscode` after the build (scripts/test-vscode.mjs bundles the suite first):
// picks the editor (test/vscode/host.ts), runs the one suite in it, and ends with the line
// CI reads, "N passed, M failed", preceded by the line that says which editor ran it.
// Usage: npx tsx test/vscode/main.ts <bundled suite.js>
import { downloadAndUnzipVSCode } from "@vscode/test-electron";
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import {
  choose,
  desktopVersion,
  factsFrom,
  failureReason,
  parseResults,
  ranLine,
  summary,
  type DownloadOutcome,
  type Ran,
} from "./host.js";
import { DownloadLog } from "./download-log.js";
import { codeServerVersion, runInCodeServer } from "./in-code-server.js";

/** test-electron's timeout is per request and idle-based: an unreachable update server fails within it. */
const DOWNLOAD_IDLE_TIMEOUT_MS = 5_000;

const repo = resolve(".");

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

async function tryDownload(): Promise<DownloadOutcome> {
  try {
    const executable = await downloadAndUnzipVSCode({
      cachePath: join(repo, ".vscode-test"),
      extensionDevelopmentPath: repo,
      timeout: DOWNLOAD_IDLE_TIMEOUT_MS,
      reporter: new DownloadLog((l) => console.log(l)),
    });
    return { ok: true, executable };
  } catch (e) {
    return { ok: false, reason: failureReason(e) };
  }
}

async function main(): Promise<boolean> {
  const suite = resolve(process.argv[2] ?? ".vscode-test/suite.js");
  if (!existsSync(suite)) throw new Error(`no bundled suite at ${suite}`);
  const f = factsFrom(process.env, process.platform, existsSync, onPath("xvfb-run"));
  let plan = choose(f);
  if (plan.host === "download") {
    console.log(
      `test:vscode: no VSCODE_EXECUTABLE; asking @vscode/test-electron for a desktop VS Code (into .vscode-test/)`,
    );
    plan = choose(f, await tryDownload());
  }
  const tmp = mkdtempSync(join(tmpdir(), "watchdog-vscode-results-"));
  const resultsFile = join(tmp, "results.json");
  let code = 1;
  let ran: Ran;
  try {
    switch (plan.host) {
      case "fail":
        console.log(`test:vscode: ${plan.reason}`);
        console.log("0 passed, 1 failed");
        return false;
      case "code-server": {
        console.log(`test:vscode: ${plan.reason}; using code-server instead`);
        if (spawnSync("bash", ["scripts/setup-e2e.sh"], { stdio: "inherit" }).status !== 0) {
          console.log("test:vscode: scripts/setup-e2e.sh failed, so there is no code-server to run the suite in");
          console.log("0 passed, 1 failed");
          return false;
        }
        ran = { host: "code-server", version: codeServerVersion(), reason: plan.reason };
        try {
          code = await runInCodeServer(suite, resultsFile);
        } catch (e) {
          console.log(`test:vscode: code-server: ${e instanceof Error ? e.message : String(e)}`);
        }
        break;
      }
      case "desktop": {
        let real = plan.executable;
        try {
          real = realpathSync(plan.executable);
        } catch {
          // keep the path as given
        }
        const version = desktopVersion(real, process.platform, readOrUndefined);
        ran = { host: "desktop", version, xvfb: plan.xvfbRun !== undefined };
        console.log(`test:vscode: running the suite in ${plan.executable} (${plan.from})`);
        const node = [process.execPath, join(repo, "node_modules/tsx/dist/cli.mjs")];
        const args = [...node, "test/vscode/in-desktop.ts", plan.executable, suite];
        if (plan.xvfbRun !== undefined) console.log("test:vscode: DISPLAY is unset, so VS Code runs under xvfb-run");
        const cmd = plan.xvfbRun !== undefined ? [plan.xvfbRun, "-a", ...args] : args;
        const r = spawnSync(cmd[0]!, cmd.slice(1), {
          stdio: "inherit",
          env: { ...process.env, WATCHDOG_VSCODE_RESULTS: resultsFile },
        });
        code = r.status ?? 1;
        break;
      }
    }
    const results = existsSync(resultsFile) ? parseResults(readFileSync(resultsFile, "utf8")) : undefined;
    const s = summary(results, code);
    console.log(ranLine(ran));
    for (const l of s.lines) console.log(l);
    return s.ok;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (e: unknown) => {
    console.error(`test:vscode: ${e instanceof Error ? e.message : String(e)}`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  },
);
