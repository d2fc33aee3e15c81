// DESIGN.md's invariants, checked on the assembled probe (probe/app.ts) rather than piece by piece.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProbe, type Probe } from "../../probe/app.js";
import { parseConfig, type Config } from "../../probe/config.js";
import { captureLog } from "../helpers/log.js";
import { ServerMessageSchema, type ServerMessage } from "../../probe/protocol.js";
import { buildSources } from "../../probe/sources.js";
import { startFakeTelegram, type FakeTelegram } from "../helpers/fake-telegram.js";

const PROC = new URL("../fixtures/proc", import.meta.url).pathname;
const TOKEN = "invariants-token-0123456789";
// Secrets that stand in the fake /proc tree's command lines (see test/fixtures/proc).
const SECRETS = ["abc123", "hunter2"];

function config(env: Record<string, string>): Config {
  const r = parseConfig(env);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.config;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("invariant 1: the probe is read-only", () => {
  const probeSources = sourceFiles(new URL("../../probe", import.meta.url).pathname);
  it.each([
    // the one exception: the probe's own exit by signal when a scan thread is stuck in the kernel
    ["sends no signal to another process", /process\.kill\((?!process\.pid\b)|\.kill\(\s*["'A-Z0-9]/],
    [
      "writes no file",
      /\b(writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|mkdirSync|mkdir\(|unlink|rmSync|renameSync|truncate)\b/,
    ],
  ])("%s (no such call anywhere in probe/)", (_what, pattern) => {
    const hits = probeSources.filter((f) => pattern.test(readFileSync(f, "utf8").replace(/^\s*(\/\/|\*).*$/gm, "")));
    expect(hits).toEqual([]);
  });
});

describe("invariant 4: with WATCHDOG_PROC_ENABLED=false the proc source costs nothing", () => {
  it("no proc source is built, even when the proc root does not exist", () => {
    const names = buildSources(config({ WATCHDOG_PROC_ROOT: "/nonexistent/proc" })).map((s) => s.name);
    expect(names).not.toContain("proc");
  });
});

describe("invariant 5: secrets in command lines never leave the probe, on any channel", () => {
  let probe: Probe;
  let tg: FakeTelegram;
  const { log, lines: logs } = captureLog();
  const frames: string[] = [];
  let metricsBody = "";

  beforeAll(async () => {
    tg = await startFakeTelegram();
    const cfg = config({
      WATCHDOG_PROC_ENABLED: "true",
      WATCHDOG_PROC_ROOT: PROC,
      WATCHDOG_PROC_AGE_MIN: "0",
      WATCHDOG_TICK_S: "0.2",
      WATCHDOG_TELEGRAM_BOT_TOKEN: tg.token,
      WATCHDOG_TELEGRAM_CHAT_ID: "-100500",
      WATCHDOG_TELEGRAM_API_URL: tg.apiUrl,
      WATCHDOG_WS_PORT: "0",
      WATCHDOG_WS_TOKEN: TOKEN,
    });
    probe = await startProbe(cfg, { log, token: TOKEN, hostname: "ci-runner-3" });
    const ws = new WebSocket(probe.url!, { headers: { Authorization: `Bearer ${TOKEN}` } });
    await new Promise<void>((resolve, reject) => {
      ws.on("message", (d: Buffer) => {
        frames.push(d.toString("utf8"));
        const m: ServerMessage = ServerMessageSchema.parse(JSON.parse(d.toString("utf8")));
        if (m.type === "snapshot" && m.processes.length > 0 && frames.some((f) => f.includes('"decision"'))) resolve();
      });
      ws.on("error", reject);
    });
    ws.close();
    await tg.waitFor(() => tg.messages.length >= 3, 15_000);
    metricsBody = await (await fetch(probe.url!.replace("ws://", "http://").replace("/v1/stream", "/metrics"))).text();
  });
  afterAll(async () => {
    await probe.stop();
    await tg.close();
  });

  it("the stream shows the processes with their secrets masked", () => {
    const snap = frames
      .map((f) => ServerMessageSchema.parse(JSON.parse(f)))
      .findLast((m): m is Extract<ServerMessage, { type: "snapshot" }> => m.type === "snapshot")!;
    const p4242 = snap.processes.find((p) => p.pid === 4242)!;
    expect(p4242.cmdline).toBe("python -m pytest tests/ --token=***");
    expect(snap.processes.find((p) => p.pid === 4800)!.cmdline).toContain("postgres://app:***@db:5432/test");
  });

  it.each(SECRETS)("%s is in no stream frame, Telegram message, log line or /metrics", (secret) => {
    expect(frames.join("\n")).not.toContain(secret);
    expect(tg.requests.map((r) => JSON.stringify(r.body)).join("\n")).not.toContain(secret);
    expect(logs.map((l) => JSON.stringify(l)).join("\n")).not.toContain(secret);
    expect(metricsBody).not.toContain(secret);
  });

  it("Telegram got one message per orphaned pytest, naming the host and the kill command", () => {
    const about4242 = tg.messages.filter((m) => m.visible.includes("PID: 4242"));
    expect(about4242).toHaveLength(1);
    expect(about4242[0]!.visible).toContain("ci-runner-3");
    expect(about4242[0]!.visible).toContain("kill -TERM 4242");
  });

  it("/metrics carries signal states but no command lines", () => {
    expect(metricsBody).toMatch(/watchdog_signal_active\{kind="proc_blocking",entity="4242"\} 1/);
    expect(metricsBody).not.toContain("pytest tests/");
  });
});
