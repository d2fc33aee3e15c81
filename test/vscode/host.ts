// Which editor `npm run test:vscode` runs the suite in, and the lines that say so. Pure: the
// caller (test/vscode/main.ts) gathers the facts, tries the download, and acts on the plan.
// Order of preference, as extension projects do it: the desktop VS Code named by
// VSCODE_EXECUTABLE (its failure is the run's failure, never a silent fallback), else one
// @vscode/test-electron downloads, else code-server's extension host.
import { dirname, join } from "node:path";

export interface HostFacts {
  /** VSCODE_EXECUTABLE, undefined when unset or blank */
  executable: string | undefined;
  /** whether that path exists */
  executableExists: boolean;
  platform: NodeJS.Platform;
  /** DISPLAY, undefined when unset or blank */
  display: string | undefined;
  /** the path of xvfb-run when it is on PATH */
  xvfbRun: string | undefined;
}

export type DownloadOutcome = { ok: true; executable: string } | { ok: false; reason: string };

export type Plan =
  /** run the suite with @vscode/test-electron's runTests in this executable */
  | { host: "desktop"; executable: string; from: "VSCODE_EXECUTABLE" | "download"; xvfbRun: string | undefined }
  /** ask test-electron for a VS Code, then call choose() again with the outcome */
  | { host: "download" }
  | { host: "code-server"; reason: string }
  | { host: "fail"; reason: string };

const blank = (v: string | undefined): string | undefined => (v?.trim() ? v : undefined);

/** The facts from the environment; `exists` and `xvfbRun` are the caller's look at the disk. */
export function factsFrom(
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform,
  exists: (path: string) => boolean,
  xvfbRun: string | undefined,
): HostFacts {
  const executable = blank(env.VSCODE_EXECUTABLE);
  return {
    executable,
    executableExists: executable !== undefined && exists(executable),
    platform,
    display: blank(env.DISPLAY),
    xvfbRun,
  };
}

const NO_XVFB = "DISPLAY is unset and xvfb-run is not installed (apt install xvfb, or set DISPLAY)";

/** Desktop VS Code on Linux needs an X display; without one it runs under xvfb-run if it can. */
function display(f: HostFacts): { ok: true; xvfbRun: string | undefined } | { ok: false } {
  if (f.platform !== "linux" || f.display !== undefined) return { ok: true, xvfbRun: undefined };
  return f.xvfbRun === undefined ? { ok: false } : { ok: true, xvfbRun: f.xvfbRun };
}

export function choose(f: HostFacts): Plan;
export function choose(f: HostFacts, download: DownloadOutcome): Exclude<Plan, { host: "download" }>;
export function choose(f: HostFacts, download?: DownloadOutcome): Plan {
  const screen = display(f);
  if (f.executable !== undefined) {
    if (!f.executableExists) return { host: "fail", reason: `VSCODE_EXECUTABLE=${f.executable} does not exist` };
    if (!screen.ok) return { host: "fail", reason: `VSCODE_EXECUTABLE=${f.executable} needs a display: ${NO_XVFB}` };
    return { host: "desktop", executable: f.executable, from: "VSCODE_EXECUTABLE", xvfbRun: screen.xvfbRun };
  }
  // no point downloading a VS Code that could not open a window here
  if (!screen.ok) return { host: "code-server", reason: `no display for a desktop VS Code: ${NO_XVFB}` };
  if (download === undefined) return { host: "download" };
  if (!download.ok) return { host: "code-server", reason: `download not reachable: ${download.reason}` };
  return { host: "desktop", executable: download.executable, from: "download", xvfbRun: screen.xvfbRun };
}

/** One line out of whatever test-electron rejected with (an Error, or at times a bare string). */
export function failureReason(e: unknown): string {
  const text = e instanceof Error ? e.message : typeof e === "string" ? e : JSON.stringify(e);
  const line = (text || "no reason given").split("\n")[0]!.trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/**
 * Where a VS Code build keeps its package.json, nearest first: next to the binary (Linux,
 * Windows), in the .app's Resources (macOS), or one up from a `bin/code` launcher.
 */
function manifestCandidates(executable: string, platform: NodeJS.Platform): string[] {
  const dir = dirname(executable);
  const mac = join(dir, "../Resources/app/package.json");
  const beside = join(dir, "resources/app/package.json");
  const launcher = join(dir, "../resources/app/package.json");
  return platform === "darwin" ? [mac, beside] : [beside, launcher];
}

/** The version of the VS Code at `executable`; `read` returns a file's text or undefined. */
export function desktopVersion(
  executable: string,
  platform: NodeJS.Platform,
  read: (path: string) => string | undefined,
): string | undefined {
  for (const file of manifestCandidates(executable, platform)) {
    const text = read(file);
    const v = text === undefined ? undefined : manifestVersion(text);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The `version` of a VS Code package.json, or undefined for anything else. */
export function manifestVersion(text: string): string | undefined {
  try {
    const v = (JSON.parse(text) as { version?: unknown } | null)?.version;
    return typeof v === "string" && /^\d+\.\d+\.\d+/.test(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export type Ran =
  | { host: "desktop"; version: string | undefined; xvfb: boolean }
  | { host: "code-server"; version: string; reason: string };

/** The line that says which editor the suite ran in. */
export function ranLine(r: Ran): string {
  if (r.host === "code-server") return `test:vscode: ran in code-server ${r.version} (${r.reason})`;
  const under = r.xvfb ? " under xvfb-run" : "";
  return `test:vscode: ran in desktop VS Code ${r.version ?? "(version unknown)"} via @vscode/test-electron${under}`;
}

interface Result {
  name: string;
  ok: boolean;
}

/** The runner's results file (test/vscode/runner.ts), or undefined when it is not that. */
export function parseResults(text: string): Result[] | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v)) return undefined;
  const out: Result[] = [];
  for (const r of v as unknown[]) {
    if (typeof r !== "object" || r === null) return undefined;
    const { name, ok } = r as { name?: unknown; ok?: unknown };
    if (typeof name !== "string" || typeof ok !== "boolean") return undefined;
    out.push({ name, ok });
  }
  return out;
}

/**
 * The closing lines. The last one is always "N passed, M failed" (what CI reads); a run is
 * green only when the editor exited 0 and at least one test ran and none failed. A missing
 * results file, an empty run or a non-zero exit with every test green count as one failure.
 */
export function summary(results: Result[] | undefined, exitCode: number): { ok: boolean; lines: string[] } {
  if (results === undefined) {
    return {
      ok: false,
      lines: [`the editor exited with ${exitCode} but the suite wrote no results`, "0 passed, 1 failed"],
    };
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  if (results.length === 0) return { ok: false, lines: ["the suite ran no test", "0 passed, 1 failed"] };
  if (exitCode !== 0 && failed === 0) {
    return {
      ok: false,
      lines: [`every test passed but the editor exited with ${exitCode}`, `${passed} passed, 1 failed`],
    };
  }
  return { ok: exitCode === 0 && failed === 0, lines: [`${passed} passed, ${failed} failed`] };
}
