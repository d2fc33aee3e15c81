// The probe bundled with the extension (dist/probe.js), run as a child of the extension host
// on loopback with a fresh token and a free port. Only its own pid is ever signalled.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import type { Logger } from "../log.js";

const START_TIMEOUT_MS = 15_000;
const KILL_AFTER_MS = 2_000;
const TAIL_LINES = 12;

export interface LocalProbe {
  readonly url: string;
  readonly token: string;
  readonly pid: number;
  /** resolves when the child has exited, for whatever reason */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** the telling line of what it last wrote to stderr, for a reason shown to the user */
  tail(): string;
  /** SIGTERM, then SIGKILL after 2 s; resolves once it has exited */
  stop(): Promise<void>;
}

export interface LocalProbeOptions {
  probeScript: string;
  env?: Record<string, string>;
  log: Logger;
  /** defaults to process.execPath (VS Code's Electron binary, hence ELECTRON_RUN_AS_NODE) */
  execPath?: string;
  startTimeoutMs?: number;
}

/** The probe's start-up log line: `{"event":"listening","url":"ws://127.0.0.1:PORT/v1/stream",…}`. */
export function parseListeningLine(line: string): string | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  if (o.event !== "listening" || typeof o.url !== "string") return null;
  try {
    const u = new URL(o.url);
    if (u.protocol !== "ws:" || u.hostname !== "127.0.0.1" || u.port === "") return null;
  } catch {
    return null;
  }
  return o.url;
}

/** The child's environment: ours without WATCHDOG_* (a shell's Telegram token must not leak into it), then the caller's, then the stream settings. */
export function localProbeEnv(
  base: NodeJS.ProcessEnv,
  token: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !k.startsWith("WATCHDOG_")) env[k] = v;
  return {
    ...env,
    WATCHDOG_PROC_ENABLED: "true",
    ...extra,
    ELECTRON_RUN_AS_NODE: "1",
    WATCHDOG_WS_ENABLED: "true",
    WATCHDOG_WS_HOST: "127.0.0.1",
    WATCHDOG_WS_PORT: "0",
    WATCHDOG_WS_TOKEN: token,
    // the probe exits when our end of its stdin closes, even if this editor crashes
    WATCHDOG_STDIN_LIFELINE: "true",
  };
}

/** The line of a stderr tail that says what went wrong: not a stack frame, not Node's version footer. */
function telling(lines: readonly string[]): string | undefined {
  return [...lines].reverse().find((l) => l.trim() !== "" && !/^\s+at /.test(l) && !/^Node\.js v\d/.test(l));
}

export function startLocalProbe(o: LocalProbeOptions): Promise<LocalProbe> {
  const token = randomBytes(32).toString("base64url");
  const extra = { ...o.env };
  delete extra.WATCHDOG_WS_TOKEN_FILE;
  // the V8 flag of the container image: a small young generation keeps the scan's RSS down
  const child: ChildProcess = spawn(o.execPath ?? process.execPath, ["--max-semi-space-size=2", o.probeScript], {
    env: localProbeEnv(process.env, token, extra),
    stdio: ["pipe", "pipe", "pipe"],
    windowsHide: true,
  });
  const tailLines: string[] = [];
  const remember = (line: string) => {
    tailLines.push(line.slice(0, 300));
    if (tailLines.length > TAIL_LINES) tailLines.shift();
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: null, signal: null }));
  });
  createInterface({ input: child.stderr! }).on("line", (line) => {
    remember(line);
    o.log.trace(line);
  });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return void (await exited);
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
    await exited;
    clearTimeout(killer);
  };

  return new Promise<LocalProbe>((resolve, reject) => {
    let done = false;
    const fail = (why: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`local probe (${o.probeScript}): ${why}`)));
    };
    const timer = setTimeout(
      () => fail(`did not report "listening" within ${(o.startTimeoutMs ?? START_TIMEOUT_MS) / 1000} s`),
      o.startTimeoutMs ?? START_TIMEOUT_MS,
    );
    child.once("error", (e) => fail(`could not start: ${e.message}`));
    void exited.then(({ code, signal }) => {
      const last = telling(tailLines);
      fail(`exited (${signal ?? `code ${code}`}) before listening${last ? `: ${last}` : ""}`);
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (done) return o.log.trace(line);
      const url = parseListeningLine(line);
      if (url === null) return remember(line);
      done = true;
      clearTimeout(timer);
      o.log.info(`local probe started (pid ${child.pid}) at ${url}`);
      resolve({ url, token, pid: child.pid!, exited, tail: () => telling(tailLines) ?? "", stop });
    });
  });
}
