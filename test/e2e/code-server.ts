// code-server 4.96.4 (Code 1.96.4), as installed by scripts/setup-e2e.sh: a throwaway
// profile and extensions folder per run, bound to loopback, no gallery, no telemetry.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { freePort, type Procs, type Proc } from "./procs.js";
import { waitFor } from "./wait.js";

const run = promisify(execFile);

export const CODE_SERVER_DIR = resolve(process.env.E2E_CODE_SERVER_DIR ?? ".cache/code-server");
const CODE_SERVER_ENTRY = join(CODE_SERVER_DIR, "node_modules/code-server/out/node/entry.js");

export interface CodeServer {
  proc: Proc;
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  userDataDir: string;
  extensionsDir: string;
  folder: string;
}

/** The environment code-server (and so the extension host) runs with: no gallery to ask. */
function codeServerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, EXTENSIONS_GALLERY: "{}", ...extra };
}

export function assertInstalled(): void {
  if (!existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`code-server is not installed at ${CODE_SERVER_DIR}: run scripts/setup-e2e.sh first`);
  }
}

/** `--install-extension` into a fresh extensions folder, as a user installs a VSIX. */
export async function installVsix(vsix: string, extensionsDir: string, userDataDir: string): Promise<string> {
  mkdirSync(extensionsDir, { recursive: true });
  const { stdout, stderr } = await run(
    process.execPath,
    [CODE_SERVER_ENTRY, "--extensions-dir", extensionsDir, "--user-data-dir", userDataDir, "--install-extension", vsix],
    { env: codeServerEnv(), timeout: 120_000 },
  );
  const out = `${stdout}\n${stderr}`;
  if (!/successfully installed/i.test(out))
    throw new Error(`code-server --install-extension ${vsix} did not report success:\n${out}`);
  return out;
}

/** Settings a person would set once: quiet workbench, plus the extension's own settings. */
export function userSettings(settings: Record<string, unknown>): Record<string, unknown> {
  const base = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "workbench.welcomePage.walkthroughs.openOnInstall": false,
    "workbench.colorTheme": "Default Dark Modern",
    "security.workspace.trust.enabled": false,
    "extensions.autoUpdate": false,
    "extensions.autoCheckUpdates": false,
    "extensions.ignoreRecommendations": true,
    "update.mode": "none",
    "telemetry.telemetryLevel": "off",
    "chat.commandCenter.enabled": false,
    "window.commandCenter": false,
    "editor.minimap.enabled": false,
  };
  return { ...base, ...settings };
}

/** Before code-server starts (it does not pick up edits made behind its back while it runs). */
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const dir = join(userDataDir, "User");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "settings.json"), JSON.stringify(userSettings(settings), null, 2));
}

export async function startCodeServer(
  procs: Procs,
  o: { userDataDir: string; extensionsDir: string; folder: string; env?: Record<string, string>; locale?: string },
): Promise<CodeServer> {
  mkdirSync(o.folder, { recursive: true });
  const port = await freePort();
  const proc = procs.spawn(
    "code-server",
    process.execPath,
    [
      CODE_SERVER_ENTRY,
      "--auth",
      "none",
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      // the display language extensions see (vscode.env.language, l10n bundles); no language pack needed
      ...(o.locale ? ["--locale", o.locale] : []),
      "--extensions-dir",
      o.extensionsDir,
      "--user-data-dir",
      o.userDataDir,
      o.folder,
    ],
    // its own config file, so a user's ~/.config/code-server never leaks in
    { env: codeServerEnv({ ...o.env, XDG_CONFIG_HOME: join(o.userDataDir, "xdg-config") }) },
  );
  await waitFor(
    `code-server to listen on 127.0.0.1:${port}`,
    () => {
      if (proc.isExited()) throw new Error(`code-server exited:\n${procs.tail(proc)}`);
      return proc.lines.some((l) => l.includes("HTTP server listening")) ? true : undefined;
    },
    { timeoutMs: 60_000, describe: () => procs.tail(proc) },
  );
  return {
    proc,
    port,
    origin: `http://127.0.0.1:${port}`,
    userDataDir: o.userDataDir,
    extensionsDir: o.extensionsDir,
    folder: o.folder,
  };
}

/** The workbench URL for a folder, with an optional `payload` (extension tests). */
export function workbenchUrl(cs: CodeServer, payload?: [string, string][]): string {
  const q = new URLSearchParams({ folder: cs.folder });
  if (payload) q.set("payload", JSON.stringify(payload));
  return `${cs.origin}/?${q.toString()}`;
}

/** A path on the code-server machine as the workbench's remote URI. */
export function remoteUri(cs: CodeServer, path: string): string {
  return `vscode-remote://127.0.0.1:${cs.port}${path}`;
}
