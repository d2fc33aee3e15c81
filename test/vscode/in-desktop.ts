// Runs the bundled suite in a desktop VS Code with @vscode/test-electron's runTests, in a
// throwaway profile. A process of its own so that test/vscode/main.ts can start it under
// xvfb-run when Linux has no display. Exit code: the editor's (non-zero when the suite's
// run() rejects). The suite writes its results where WATCHDOG_VSCODE_RESULTS says.
// Usage: npx tsx test/vscode/in-desktop.ts <VS Code executable> <bundled suite.js>
import { runTests, TestRunFailedError } from "@vscode/test-electron";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

async function main(): Promise<number> {
  const [executable, suite] = process.argv.slice(2);
  if (executable === undefined || suite === undefined) throw new Error("usage: in-desktop.ts <executable> <suite.js>");
  const tmp = mkdtempSync(join(tmpdir(), "watchdog-vscode-desktop-"));
  mkdirSync(join(tmp, "workspace"));
  try {
    return await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: resolve("."),
      extensionTestsPath: resolve(suite),
      launchArgs: [
        join(tmp, "workspace"),
        `--user-data-dir=${join(tmp, "user-data")}`,
        `--extensions-dir=${join(tmp, "extensions")}`,
        "--disable-extensions",
        "--disable-gpu",
      ],
    });
  } catch (e) {
    if (e instanceof TestRunFailedError) return e.code ?? 1;
    throw e;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`test:vscode: desktop VS Code did not run: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
