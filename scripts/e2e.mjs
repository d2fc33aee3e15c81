// `npm run test:e2e`: install what the end-to-end run needs (scripts/setup-e2e.sh), pack
// the VSIX (npm run package), run test/e2e/run.ts, and close with "N passed, N failed".
// E2E_UPDATE_MEDIA=1 also refreshes the README screenshots in media/.
import { spawn, spawnSync } from "node:child_process";
import { resolve } from "node:path";

const repo = resolve(import.meta.dirname, "..");
process.chdir(repo);
/** the harness bounds every wait itself; this is the backstop for a hang nobody foresaw */
const HARNESS_LIMIT_MS = Number(process.env.E2E_LIMIT_S ?? 900) * 1000;

function stage(name, cmd, args) {
  const t0 = Date.now();
  console.log(`== e2e: ${name}`);
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  const s = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.log(`e2e: ${name} FAILED (exit ${r.status ?? r.signal}) after ${s} s`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
  console.log(`== e2e: ${name} done in ${s} s`);
}

stage("setup (scripts/setup-e2e.sh)", "bash", ["scripts/setup-e2e.sh"]);
stage("package (npm run package)", "npm", ["run", "--silent", "package"]);

console.log("== e2e: harness (test/e2e/run.ts)");
const t0 = Date.now();
const child = spawn(process.execPath, ["node_modules/tsx/dist/cli.mjs", "test/e2e/run.ts"], {
  stdio: ["ignore", "pipe", "inherit"],
  detached: true,
});
let summary = null;
let buf = "";
child.stdout.on("data", (d) => {
  process.stdout.write(d);
  buf += d.toString();
  const lines = buf.split("\n");
  buf = lines.pop() ?? "";
  for (const l of lines) {
    const m = /^(\d+) passed, (\d+) failed$/.exec(l.trim());
    if (m) summary = { passed: Number(m[1]), failed: Number(m[2]) };
  }
});
const limit = setTimeout(() => {
  console.log(`e2e: the harness ran past ${HARNESS_LIMIT_MS / 1000} s; stopping it (pid ${child.pid})`);
  // SIGTERM first: the harness stops everything it started on SIGTERM
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    /* gone */
  }
  setTimeout(() => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }, 15_000).unref();
}, HARNESS_LIMIT_MS);
const forward = (sig) => {
  try {
    process.kill(-child.pid, sig);
  } catch {
    /* gone */
  }
};
process.on("SIGINT", () => forward("SIGINT"));
process.on("SIGTERM", () => forward("SIGTERM"));

child.on("exit", (code, signal) => {
  clearTimeout(limit);
  console.log(`== e2e: harness exited ${code ?? signal} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const ok = code === 0 && summary !== null && summary.failed === 0 && summary.passed > 0;
  const s = summary ?? { passed: 0, failed: 1 };
  if (!ok && s.failed === 0) s.failed = 1;
  console.log(`${s.passed} passed, ${s.failed} failed`);
  process.exit(ok ? 0 : 1);
});
