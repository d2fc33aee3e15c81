// `npm run test:vscode`: the extension-host integration suite (test/vscode/suite.ts), one
// suite for every host. This builds the extension and bundles the suite into .vscode-test/;
// test/vscode/main.ts then picks the editor: the desktop VS Code named by VSCODE_EXECUTABLE,
// else one @vscode/test-electron downloads, else code-server 4.96.4's extension host.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";

const repo = resolve(import.meta.dirname, "..");
process.chdir(repo);
const suite = join(repo, ".vscode-test/suite.js");

if (spawnSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" }).status !== 0) {
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

const r = spawnSync(process.execPath, [join(repo, "node_modules/tsx/dist/cli.mjs"), "test/vscode/main.ts", suite], {
  stdio: "inherit",
});
process.exit(r.status ?? 1);
