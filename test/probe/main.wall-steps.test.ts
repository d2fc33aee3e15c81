// The bundled probe with its wall clock stepped under it by libfaketime (as by NTP or
// `date -s`), monotonic clocks left alone: −1 h, then +1 day. Ticks go on, reminders
// keep their cooldown, and none says "active for 1d". Progress is counted in
// snapshots (ticks), not timed.
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServerMessageSchema, type Decision, type ServerMessage } from "../../probe/protocol.js";
import { startFakeTelegram, type FakeTelegram } from "../helpers/fake-telegram.js";
import { buildProbeBundle } from "../helpers/probe-bundle.js";

const FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
const TOKEN = "test-token-0123456789abcdef";
const TICK_S = 0.5;
const COOLDOWN_S = 5;
/** no message at all for this long means the loop stopped ticking (a guard, not a measurement) */
const STALL_MS = 15_000;

const dir = mkdtempSync(join(tmpdir(), "watchdog-steps-"));
const bundle = join(dir, "probe.js");
const stepFile = join(dir, "faketime");
const procRoot = join(dir, "proc");
const started: ChildProcess[] = [];
let telegram: FakeTelegram;

beforeAll(async () => {
  await buildProbeBundle(bundle);
  // the fixture /proc with one pytest left (4242), so one alert's reminders are followed
  cpSync(new URL("../fixtures/proc", import.meta.url).pathname, procRoot, { recursive: true });
  for (const e of readdirSync(procRoot))
    if (/^\d+$/.test(e) && e !== "4242") rmSync(join(procRoot, e), { recursive: true });
  telegram = await startFakeTelegram();
});
afterAll(async () => {
  for (const c of started) if (c.exitCode === null && c.pid) process.kill(c.pid, "SIGKILL");
  await telegram.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The stream read in order; `until` counts the snapshots that pass before a match. */
function readStream(url: string) {
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
  const msgs: ServerMessage[] = [];
  let wake: (() => void) | null = null;
  ws.on("message", (d) => {
    msgs.push(ServerMessageSchema.parse(JSON.parse((d as Buffer).toString())));
    wake?.();
  });
  let cursor = 0;
  async function until(pred: (m: ServerMessage) => boolean, maxSnapshots: number, what: string) {
    let snapshots = 0;
    for (;;) {
      while (cursor < msgs.length) {
        const m = msgs[cursor++]!;
        if (pred(m)) return { msg: m, snapshots };
        if (m.type === "snapshot" && ++snapshots > maxSnapshots)
          throw new Error(`${what}: not within ${maxSnapshots} snapshots`);
      }
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`${what}: no message for ${STALL_MS} ms (ticking stopped)`)),
          STALL_MS,
        );
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
  return { ws, msgs, until };
}

const decision = (action: string, key?: string) => (m: ServerMessage) =>
  m.type === "decision" && m.action === action && (key === undefined || m.key === key);

describe("node dist/probe.js under wall-clock steps (libfaketime)", () => {
  it("keeps ticking and keeps each reminder's cooldown through −1 h and +1 day", async () => {
    expect(existsSync(FAKETIME_LIB), `${FAKETIME_LIB}: apt-get install faketime (scripts/setup-test.sh)`).toBe(true);
    writeFileSync(stepFile, "+0");
    const child = spawn(process.execPath, [bundle], {
      env: {
        PATH: process.env.PATH ?? "",
        LD_PRELOAD: FAKETIME_LIB,
        FAKETIME_TIMESTAMP_FILE: stepFile,
        FAKETIME_NO_CACHE: "1",
        FAKETIME_DONT_FAKE_MONOTONIC: "1",
        WATCHDOG_PROC_ENABLED: "true",
        WATCHDOG_PROC_ROOT: procRoot,
        WATCHDOG_PROC_AGE_MIN: "0",
        WATCHDOG_PROC_COOLDOWN_S: String(COOLDOWN_S),
        WATCHDOG_COOLDOWN_S: String(COOLDOWN_S),
        WATCHDOG_TICK_S: String(TICK_S),
        WATCHDOG_WS_PORT: "0",
        WATCHDOG_WS_TOKEN: TOKEN,
        WATCHDOG_TELEGRAM_BOT_TOKEN: telegram.token,
        WATCHDOG_TELEGRAM_CHAT_ID: "1",
        WATCHDOG_TELEGRAM_API_URL: telegram.apiUrl,
      },
      stdio: ["ignore", "pipe", "pipe"],
      cwd: dir,
    });
    started.push(child);
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", () => {
        const m = /"event":"listening".*?"url":"([^"]+)"/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      child.on("exit", () => reject(new Error(`probe exited before listening: ${stdout}`)));
    });
    const s = readStream(url);
    const perCooldown = COOLDOWN_S / TICK_S;

    const alert = (await s.until(decision("alert"), 10, "the first alert")).msg as Decision;

    writeFileSync(stepFile, "-1h");
    // before: no reminder for the size of the step (and a step inside a tick stopped ticking)
    const afterBack = await s.until(decision("repeat", alert.key), 3 * perCooldown, "a reminder after −1 h");
    const wallOf = (m: ServerMessage) => Date.parse((m as Decision).at);
    expect(wallOf(afterBack.msg)).toBeLessThan(wallOf(alert) - 50 * 60_000); // the step did reach the probe

    writeFileSync(stepFile, "+1d");
    // before: the very next tick sent a reminder saying "active for 1d"
    const afterForward = await s.until(decision("repeat", alert.key), 3 * perCooldown, "a reminder after +1 day");
    expect(wallOf(afterForward.msg)).toBeGreaterThan(wallOf(alert) + 23 * 3_600_000);
    expect(afterForward.snapshots).toBeGreaterThanOrEqual(3); // 3 ticks are 1.5 s, the cooldown is 5 s
    const text = (afterForward.msg as Decision).text;
    expect(text).toMatch(/active for \d+[ms]/);
    expect(text).not.toMatch(/active for \d+d/);

    // ticks go on after both steps, in order
    let after = 0;
    await s.until((m) => m.type === "snapshot" && ++after >= 3, Infinity, "3 ticks after the steps");
    const seqs = s.msgs.filter((m) => m.type === "snapshot").map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect((afterBack.msg as Decision).text).toMatch(/active for \d+[ms]/);

    // what people get on Telegram says the same
    await telegram.waitFor(() => telegram.messages.filter((m) => m.text.includes("active for")).length >= 2, 20_000);
    for (const m of telegram.messages) expect(m.text).not.toMatch(/active for \d+d/);

    s.ws.close();
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 90_000);
});
