// Runs the bundled suite inside code-server's extension host: the workbench URL carries a
// `payload` with extensionDevelopmentPath/extensionTestsPath (as @vscode/test-web does),
// and the workbench reports the suite's end through window.codeAutomationExit(code).
// test/vscode/main.ts calls it when no desktop VS Code is given or can be downloaded.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  assertInstalled,
  CODE_SERVER_DIR,
  remoteUri,
  startCodeServer,
  workbenchUrl,
  writeUserSettings,
} from "../e2e/code-server.js";
import { Procs } from "../e2e/procs.js";
import { withTimeout } from "../e2e/wait.js";
import { launchBrowser, newPage } from "../e2e/workbench.js";
import { manifestVersion } from "./host.js";

/** The installed code-server's version, from its package.json. */
export function codeServerVersion(): string {
  const text = readFileSync(join(CODE_SERVER_DIR, "node_modules/code-server/package.json"), "utf8");
  return manifestVersion(text) ?? "(version unknown)";
}

/** Runs the suite; resolves with the extension host's exit code. The suite writes `resultsFile`. */
export async function runInCodeServer(suite: string, resultsFile: string): Promise<number> {
  assertInstalled();
  const repo = resolve(".");
  const tmp = mkdtempSync(join(tmpdir(), "watchdog-vscode-test-"));
  const procs = new Procs();
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  try {
    const userDataDir = join(tmp, "user-data");
    writeUserSettings(userDataDir, {});
    const cs = await startCodeServer(procs, {
      userDataDir,
      extensionsDir: join(tmp, "extensions"),
      folder: join(tmp, "workspace"),
      env: { WATCHDOG_VSCODE_RESULTS: resultsFile },
    });
    browser = await launchBrowser();
    const page = await newPage(browser);
    const exited = new Promise<number>((res) => {
      void page.exposeFunction("codeAutomationExit", (code: number) => res(code));
    });
    // the extension host's console is forwarded to the page's console
    page.on("console", (m) => {
      // the workbench prefixes forwarded log lines with "%c INFO color: #33f "
      const text = m.text().replace(/^%c\s*[A-Z]+\s+color:\s*#\w+\s?/, "");
      if (process.env.E2E_VERBOSE) console.log(`[console] ${text}`);
      if (/^\s*(✓|✗)|cleanup failed|\[manager\]/.test(text)) console.log(text);
    });
    const payload: [string, string][] = [
      ["extensionDevelopmentPath", remoteUri(cs, repo)],
      ["extensionTestsPath", remoteUri(cs, suite)],
    ];
    await page.goto(workbenchUrl(cs, payload), { waitUntil: "domcontentloaded", timeout: 60_000 });
    return await withTimeout("the extension-host suite to finish (codeAutomationExit)", exited, 180_000);
  } finally {
    await browser?.close().catch(() => undefined);
    await procs.stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}
