// `npm run test:vscode`: the extension-host integration suite (test/vscode/suite.ts).
// With VSCODE_EXECUTABLE set: run it the @vscode/test-electron way in that VS Code
// (--extensionDevelopmentPath/--extensionTestsPath; exit code = result). Otherwise: inside
// code-server 4.96.4's extension host (scripts/setup-e2e.sh installs it), driven by Chromium.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const repo = resolve(import.meta.dirname, "..");
process.chdir(repo);
const suite = join(repo, ".cache/vscode-test/suite.js");

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  return r.status ?? 1;
}

if (run(process.execPath, ["scripts/build.mjs"]) !== 0) {
  console.log("0 passed, 1 failed");
  process.exit(1);
}
await build({
  entryPoints: ["test/vscode/suite.ts"],
  outfile: suite,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  external: ["vscode", "cpu-features", "./crypto/build/Release/sshcrypto.node"],
  logLevel: "warning",
});

let code;
const exe = process.env.VSCODE_EXECUTABLE;
if (exe) {
  const tmp = mkdtempSync(join(tmpdir(), "watchdog-vscode-"));
  console.log(`test:vscode: running the suite in ${exe}`);
  code = run(
    exe,
    [
      `--extensionDevelopmentPath=${repo}`,
      `--extensionTestsPath=${suite}`,
      `--user-data-dir=${join(tmp, "user-data")}`,
      `--extensions-dir=${join(tmp, "extensions")}`,
      "--disable-extensions",
      "--disable-workspace-trust",
      "--skip-welcome",
      "--skip-release-notes",
      "--no-sandbox",
      "--disable-gpu",
      join(tmp, "workspace"),
    ],
    { env: { ...process.env, WATCHDOG_VSCODE_RESULTS: join(tmp, "results.json") } },
  );
  rmSync(tmp, { recursive: true, force: true });
  // the suite prints its own "N passed, N failed" line through the extension host's console
} else {
  if (run("bash", ["scripts/setup-e2e.sh"]) !== 0) {
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
  console.log("test:vscode: no VSCODE_EXECUTABLE, running the suite in code-server's extension host");
  code = run(process.execPath, [join(repo, "node_modules/tsx/dist/cli.mjs"), "test/vscode/in-code-server.ts", suite]);
}
process.exit(code);
