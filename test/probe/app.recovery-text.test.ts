// Telegram's recovery names what recovered the way its alert did, through the assembled
// probe (probe/app.ts) and a fake Bot API on loopback: a pytest that vanished from the
// scan and a dependency that reports itself back are both told under the alert's title.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProbe, type Probe } from "../../probe/app.js";
import { parseConfig } from "../../probe/config.js";
import { manualClock } from "../helpers/manual-clock.js";
import type { ProcessInfo, Signal } from "../../probe/protocol.js";
import { buildProcSignal } from "../../probe/collectors/proc-parse.js";
import { makeSignal } from "../../probe/signals.js";
import { SIGNAL_EN as tx } from "../../probe/signal-texts.js";
import { silentLogger } from "../../probe/log.js";
import { startFakeTelegram, type FakeTelegram } from "../helpers/fake-telegram.js";

const proc: ProcessInfo = {
  pid: 31337,
  ppid: 1,
  comm: "pytest",
  state: "S",
  ageS: 5 * 3600,
  startedAt: "2026-06-14T00:54:00.000Z",
  orphaned: true,
  blocking: true,
  argv: ["python", "-m", "pytest", "tests/test_slow.py"],
  cmdline: "python -m pytest tests/test_slow.py",
};
const dep = (down: boolean) =>
  makeSignal(
    "dep_down",
    "postgres",
    down,
    "critical",
    tx.depTitle("postgres", "db:5432", { down, ok: !down, failures: down ? 3 : 0, of: 3 }),
    down ? tx.depFailed("db:5432", 3, 3, "connect ECONNREFUSED") : tx.depOk("db:5432", 3),
  );

let tg: FakeTelegram;
let probe: Probe;
let firing = true;

beforeAll(async () => {
  tg = await startFakeTelegram();
  const r = parseConfig({
    WATCHDOG_TELEGRAM_BOT_TOKEN: tg.token,
    WATCHDOG_TELEGRAM_CHAT_ID: "-100500",
    WATCHDOG_TELEGRAM_API_URL: tg.apiUrl,
    WATCHDOG_WS_ENABLED: "false",
  });
  if (!r.ok) throw new Error(r.errors.join("\n"));
  const signals = (): Signal[] => (firing ? [buildProcSignal(proc, "pytest", tx), dep(true)] : [dep(false)]);
  probe = await startProbe(r.config, {
    log: silentLogger,
    token: null,
    hostname: "ci-runner-3",
    sources: [{ name: "scripted", timeoutMs: 5000, collect: () => Promise.resolve({ signals: signals() }) }],
    clock: manualClock,
  });
});
afterAll(async () => {
  await probe.stop();
  await tg.close();
});

describe("Telegram recovery text", () => {
  it("names what recovered the way the alert named it, whether it vanished or reported itself back", async () => {
    await probe.loop.tick();
    await tg.waitFor(() => tg.messages.length >= 2, 20_000);
    firing = false;
    await probe.loop.tick();
    await tg.waitFor(() => tg.messages.length >= 4, 20_000);
    const [alerts, recoveries] = [tg.messages.slice(0, 2), tg.messages.slice(2)];
    const titleOf = (visible: string) => visible.split("\n")[1];
    const procTitle = tx.procTitle("pytest", 31337, tx.duration(proc.ageS));
    const depTitle = dep(true).title;
    expect(alerts.map((m) => titleOf(m.visible)).sort()).toEqual([depTitle, procTitle].sort());
    expect(recoveries.map((m) => titleOf(m.visible)).sort()).toEqual([depTitle, procTitle].sort());
    for (const m of recoveries) expect(m.visible).toMatch(/^✅ RESOLVED · /);
    const procRecovery = recoveries.find((m) => m.visible.includes(procTitle))!;
    expect(procRecovery.visible).toContain("python -m pytest tests/test_slow.py");
  });
});
