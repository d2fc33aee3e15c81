// Runs the bundled suite inside code-server's extension host: the workbench URL carries a
// `payload` with extensionDevelopmentPath/extensionTestsPath (as @vscode/test-web does),
// and the workbench reports the suite's end through window.codeAutomationExit(code).
// Usage: npx tsx test/vscode/in-code-server.ts <bundled suite.js>
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { assertInstalled, remoteUri, startCodeServer, workbenchUrl, writeUserSettings } from "../e2e/code-server.js";
import { Procs } from "../e2e/procs.js";
import { withTimeout } from "../e2e/wait.js";
import { launchBrowser, newPage } from "../e2e/workbench.js";

async function main(): Promise<number> {
  const suite = resolve(process.argv[2] ?? ".cache/vscode-test/suite.js");
  if (!existsSync(suite)) throw new Error(`no bundled suite at ${suite}`);
  assertInstalled();
  const repo = resolve(".");
  const tmp = mkdtempSync(join(tmpdir(), "watchdog-vscode-test-"));
  const resultsFile = join(tmp, "results.json");
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
    const code = await withTimeout("the extension-host suite to finish (codeAutomationExit)", exited, 180_000);
    if (!existsSync(resultsFile)) {
      console.log(`the suite exited with ${code} but wrote no results (did run() load?)`);
      return code === 0 ? 1 : code;
    }
    const results = JSON.parse(readFileSync(resultsFile, "utf8")) as { ok: boolean }[];
    const passed = results.filter((r) => r.ok).length;
    console.log(`extension host exit code ${code}`);
    console.log(`${passed} passed, ${results.length - passed} failed`);
    return code === 0 && passed === results.length && results.length > 0 ? 0 : 1;
  } finally {
    await browser?.close().catch(() => undefined);
    await procs.stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (c) => process.exit(c),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    console.log("0 passed, 1 failed");
    process.exit(1);
  },
);
