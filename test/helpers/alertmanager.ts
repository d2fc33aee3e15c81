// Starts the real Alertmanager (Debian package `prometheus-alertmanager`) on a free
// loopback port with its own temporary config and storage, clustering off.
// Missing binary = a clear error, never a silent skip: CI must install the package.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { freePort } from "./ports.js";

export interface RunningAlertmanager {
  url: string;
  pid: number;
  /** everything it printed, for failure messages */
  output(): string;
  stop(): Promise<void>;
}

const ALERTMANAGER_PACKAGE = "prometheus-alertmanager";

function findAlertmanager(): string {
  const names = ["prometheus-alertmanager", "alertmanager"];
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/bin", "/usr/local/bin"];
  for (const d of dirs)
    for (const n of names) {
      const p = join(d, n);
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        /* next */
      }
    }
  throw new Error(
    `Alertmanager binary not found (looked for ${names.join(", ")} in PATH). ` +
      `Install the Debian package: apt-get update && apt-get install -y ${ALERTMANAGER_PACKAGE}`,
  );
}

/** `config`: alertmanager.yml; by default one receiver that sends nothing. */
export async function startAlertmanager(
  readyTimeoutMs = 20_000,
  config = 'route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n',
): Promise<RunningAlertmanager> {
  const bin = findAlertmanager();
  const dir = mkdtempSync(join(tmpdir(), "watchdog-am-"));
  writeFileSync(join(dir, "am.yml"), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let out = "";
  const child: ChildProcess = spawn(
    bin,
    [
      `--config.file=${join(dir, "am.yml")}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout!.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const state = { exited: false };
  const exit = new Promise<void>((r) => {
    child.once("exit", () => {
      state.exited = true;
      r();
    });
    // a binary that cannot be run: without a listener this would crash the test run; the ready loop reports it
    child.once("error", (e) => {
      out += `${e.message}\n`;
      state.exited = true;
      r();
    });
  });

  const stop = async () => {
    if (!state.exited && child.pid) {
      process.kill(child.pid, "SIGTERM");
      const t = setTimeout(() => {
        if (!state.exited && child.pid) process.kill(child.pid, "SIGKILL");
      }, 5000);
      await exit;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (state.exited) {
      await stop();
      throw new Error(`Alertmanager exited before it was ready:\n${out}`);
    }
    try {
      const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Alertmanager not ready within ${readyTimeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, pid: child.pid!, output: () => out, stop };
}
