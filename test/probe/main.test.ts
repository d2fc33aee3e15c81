// The bundled probe as an operator runs it: `node dist/probe.js` with only WATCHDOG_* set.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServerMessageSchema, type ServerMessage } from "../../probe/protocol.js";
import { buildProbeBundle } from "../helpers/probe-bundle.js";

const dir = mkdtempSync(join(tmpdir(), "watchdog-main-"));
const bundle = join(dir, "probe.js");
const started: ChildProcess[] = [];
const TOKEN = "test-token-0123456789abcdef";
const FIXTURE_PROC = new URL("../fixtures/proc", import.meta.url).pathname;

beforeAll(async () => {
  await buildProbeBundle(bundle);
});
afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.pid) process.kill(c.pid, "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** Only WATCHDOG_* variables and PATH: nothing from this test runner leaks in. */
function run(env: Record<string, string>, stdin: "ignore" | "pipe" = "ignore") {
  const child = spawn(process.execPath, [bundle], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: [stdin, "pipe", "pipe"],
    cwd: dir,
  });
  started.push(child);
  let stdout = "",
    stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const line = (event: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        for (const l of stdout.split("\n")) {
          try {
            const j = JSON.parse(l) as Record<string, unknown>;
            if (j.event === event) {
              resolve(j);
              return true;
            }
          } catch {
            /* partial line */
          }
        }
        return false;
      };
      if (check()) return;
      child.stdout!.on("data", () => {
        check();
      });
      child.on("exit", () => reject(new Error(`probe exited before "${event}": ${stderr}`)));
    });
  return { child, exited, line, out: () => stdout, err: () => stderr };
}

describe("node dist/probe.js", () => {
  it("stops at start with exit code 2, naming every bad variable", async () => {
    const p = run({ WATCHDOG_TICK_S: "abc", WATCHDOG_PROC_PATTERNS: "/(/" });
    expect(await p.exited).toBe(2);
    expect(p.err()).toContain("WATCHDOG_TICK_S: expected a number");
    expect(p.err()).toContain("WATCHDOG_PROC_PATTERNS: invalid regex");
  });

  it("stops at start with exit code 2 on a pattern that needs backtracking, saying why", async () => {
    const p = run({ WATCHDOG_PROC_PATTERNS: "pytest,/(\\w+)\\1/" });
    expect(await p.exited).toBe(2);
    expect(p.err()).toMatch(/WATCHDOG_PROC_PATTERNS: invalid regex \/\(\\w\+\)\\1\/: a backreference/);
  });

  it("streams hello and a snapshot of a fake /proc, then stops cleanly on SIGTERM", async () => {
    const p = run({
      WATCHDOG_PROC_ENABLED: "true",
      WATCHDOG_PROC_ROOT: FIXTURE_PROC,
      WATCHDOG_PROC_AGE_MIN: "0",
      WATCHDOG_TICK_S: "0.2",
      WATCHDOG_WS_PORT: "0",
      WATCHDOG_WS_TOKEN: TOKEN,
    });
    const listening = await p.line("listening");
    expect(listening.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v1\/stream$/);
    const ws = new WebSocket(String(listening.url), { headers: { Authorization: `Bearer ${TOKEN}` } });
    const msgs: ServerMessage[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on("message", (d) => {
        msgs.push(ServerMessageSchema.parse(JSON.parse((d as Buffer).toString())));
        if (msgs.some((m) => m.type === "snapshot" && m.processes.length > 0)) resolve();
      });
      ws.on("error", reject);
    });
    ws.close();
    expect(msgs[0]).toMatchObject({ type: "hello", config: { proc: { enabled: true } } });
    const snap = msgs.findLast((m) => m.type === "snapshot")!;
    expect(snap.type === "snapshot" && snap.processes.every((x) => x.cmdline.includes("pytest"))).toBe(true);

    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('"event":"stopping"');
  });

  it("with the kill switch off stays up, answers, and says enabled: false", async () => {
    const p = run({
      WATCHDOG_ENABLED: "false",
      WATCHDOG_PROC_ENABLED: "true",
      WATCHDOG_WS_PORT: "0",
      WATCHDOG_WS_TOKEN: TOKEN,
      WATCHDOG_TICK_S: "0.1",
    });
    const { url } = await p.line("listening");
    const health = await fetch(String(url).replace("ws://", "http://").replace("/v1/stream", "/healthz"));
    expect(health.status).toBe(200);
    const ws = new WebSocket(String(url), { headers: { Authorization: `Bearer ${TOKEN}` } });
    const snap = await new Promise<ServerMessage>((resolve) =>
      ws.on("message", (d) => {
        const m = ServerMessageSchema.parse(JSON.parse((d as Buffer).toString()));
        if (m.type === "snapshot") resolve(m);
      }),
    );
    ws.close();
    expect(snap).toMatchObject({ enabled: false, processes: [], signals: [] });
    expect(p.child.exitCode).toBeNull();
    p.child.kill("SIGINT");
    expect(await p.exited).toBe(0);
  });

  it("generates a stream token when none is set, and says so once on stderr", async () => {
    const p = run({ WATCHDOG_WS_PORT: "0" });
    await p.line("listening");
    expect(p.err()).toMatch(/generated for this run: [A-Za-z0-9_-]{43}\n/);
    expect(p.out()).not.toMatch(/generated for this run/);
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
  });

  it("with WATCHDOG_STDIN_LIFELINE=true exits when the parent's end of stdin closes", async () => {
    const p = run({ WATCHDOG_STDIN_LIFELINE: "true", WATCHDOG_WS_PORT: "0", WATCHDOG_WS_TOKEN: TOKEN }, "pipe");
    await p.line("listening");
    p.child.stdin!.end();
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('"signal":"stdin closed"');
  });

  it("without it, a closed stdin (as in a container) changes nothing", async () => {
    const p = run({ WATCHDOG_WS_PORT: "0", WATCHDOG_WS_TOKEN: TOKEN, WATCHDOG_TICK_S: "0.1" });
    await p.line("listening");
    const ws = new WebSocket(String((await p.line("listening")).url), {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    let snapshots = 0;
    await new Promise<void>((resolve) =>
      ws.on("message", (d) => {
        if ((d as Buffer).toString().includes('"snapshot"') && ++snapshots >= 3) resolve();
      }),
    );
    ws.close();
    expect(p.child.exitCode).toBeNull();
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
  });
});
