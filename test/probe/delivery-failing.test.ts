// A Telegram that refuses the probe's messages (a blocked bot) shows up where someone
// will see it: a delivery_failing signal and decision on the stream, a counter in
// /metrics. It never goes through Telegram itself, and the alerts it holds back go out
// once Telegram accepts them again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProbe, type Probe } from "../../probe/app.js";
import { parseConfig, type Config } from "../../probe/config.js";
import type { ServerMessage } from "../../probe/protocol.js";
import { makeSignal } from "../../probe/signals.js";
import type { Source } from "../../probe/source.js";
import { startFakeTelegram, type FakeTelegram } from "../helpers/fake-telegram.js";
import { captureLog } from "../helpers/log.js";
import { connect, get, until, type TestClient } from "./server/client.js";

const TOKEN = "delivery-failing-token-0123456789";

function config(env: Record<string, string>): Config {
  const r = parseConfig(env);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.config;
}

const disk: Source = {
  name: "host",
  timeoutMs: 1000,
  collect: () =>
    Promise.resolve({
      signals: [makeSignal("disk_ceiling", "/data", true, "critical", "disk /data at 97% (ceiling 90%)")],
    }),
};

type Snap = Extract<ServerMessage, { type: "snapshot" }>;
type Dec = Extract<ServerMessage, { type: "decision" }>;

describe("Telegram refusing delivery (403 bot was blocked by the user)", () => {
  let probe: Probe;
  let tg: FakeTelegram;
  let client: TestClient;
  const { log, lines } = captureLog();
  const snaps = () => client.frames.filter((f): f is Snap => f.type === "snapshot");
  const decisions = () => client.frames.filter((f): f is Dec => f.type === "decision");
  const failing = (s: Snap) => s.signals.find((x) => x.key === "delivery_failing:telegram");
  let metricsWhileFailing = "";

  beforeAll(async () => {
    tg = await startFakeTelegram();
    // refused twice (retried after 1 s, then 2 s), then accepted
    tg.script({ kind: "blocked" }, { kind: "blocked" });
    probe = await startProbe(
      config({
        WATCHDOG_TICK_S: "0.2",
        WATCHDOG_TELEGRAM_BOT_TOKEN: tg.token,
        WATCHDOG_TELEGRAM_CHAT_ID: "-100500",
        WATCHDOG_TELEGRAM_API_URL: tg.apiUrl,
        WATCHDOG_WS_PORT: "0",
        WATCHDOG_WS_TOKEN: TOKEN,
      }),
      { log, token: TOKEN, hostname: "ci-runner-3", sources: [disk] },
    );
    client = connect(probe.url!, TOKEN);
    await client.opened;
    await until(() => snaps().some((s) => failing(s)?.active === true), "a snapshot with delivery failing", 10_000);
    const port = Number(new URL(probe.url!).port);
    metricsWhileFailing = (await get(port, "/metrics")).body;
    await until(() => tg.messages.length === 1, "the held-back alert delivered", 10_000);
    await until(
      () => snaps().some((s) => s.alerts.some((a) => a.kind === "delivery_failing" && !a.firing)),
      "recovery",
    );
  }, 30_000);
  afterAll(async () => {
    client.ws.close();
    await probe.stop();
    await tg.close();
  });

  it("raises delivery_failing on the stream, naming the Bot API's refusal", () => {
    const sig = snaps()
      .map(failing)
      .find((s) => s?.active)!;
    expect(sig).toMatchObject({ kind: "delivery_failing", entity: "telegram", severity: "critical" });
    expect(sig.title).toBe("Telegram refuses the probe's messages: HTTP 403: Forbidden: bot was blocked by the user");
    const alert = decisions().find((d) => d.kind === "delivery_failing" && d.action === "alert")!;
    expect(alert.delivery.telegram).toBe("failed");
    expect(alert.text).toContain("WATCHDOG_TELEGRAM_CHAT_ID");
  });

  it("counts the refused attempts in /metrics and shows the signal there", () => {
    expect(metricsWhileFailing).toMatch(/^watchdog_telegram_failed_attempts_total\{reason="config"\} [1-9]/m);
    expect(metricsWhileFailing).toContain('watchdog_signal_active{kind="delivery_failing",entity="telegram"} 1');
    expect(metricsWhileFailing).toMatch(/^watchdog_telegram_outbox_depth 1$/m);
  });

  it("never sends the delivery_failing alert or its recovery through Telegram", () => {
    expect(tg.messages.map((m) => m.visible).join("\n")).not.toContain("delivery");
    expect(tg.requests.every((r) => String(r.body?.text).includes("/data"))).toBe(true);
  });

  it("keeps the alert it held back and delivers it once Telegram accepts it", () => {
    expect(tg.requests.map((r) => r.answer)).toEqual([403, 403, 200]);
    expect(tg.messages).toHaveLength(1);
    expect(tg.messages[0]!.visible).toContain("/data");
    expect(lines.filter((l) => l.event === "message_refused")).toEqual([]);
    expect(lines.filter((l) => l.event === "config_error")).toHaveLength(1);
    const recovered = decisions().find((d) => d.kind === "delivery_failing" && d.action === "recovery")!;
    expect(recovered.delivery.telegram).toBe("failed");
  });
});
