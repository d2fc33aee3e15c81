// Only the Bot API can refuse a message: a proxy's page is retried, a wrong token or
// chat keeps messages waiting (logged once per interval), and retry_after is honoured
// however long it is.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_TIMER_MS, type Timers } from "../../../common/long-sleep.js";
import { jsonLogger } from "../../../probe/log.js";
import type { Action } from "../../../probe/protocol.js";
import {
  createTelegram,
  type Outcome,
  type Telegram,
  type TelegramOptions,
  type TelegramStats,
} from "../../../probe/notify/telegram.js";
import { startFakeTelegram, type FakeAnswer, type FakeTelegram } from "../../helpers/fake-telegram.js";
import type { LogLine } from "../../helpers/log.js";

const TOKEN = "987654:AAH-secret_Token_value_0123456789";
let fake: FakeTelegram;
const clock = { t: 5_000_000 };
let sleeps: number[] = [];
let logs: LogLine[] = [];
const log = jsonLogger((s) => logs.push(JSON.parse(s) as LogLine));
const started: Telegram[] = [];

beforeAll(async () => {
  fake = await startFakeTelegram({ token: TOKEN, now: () => clock.t });
});
afterAll(async () => {
  for (const t of started) await t.stop();
  await fake.close();
});
beforeEach(() => {
  sleeps = [];
  logs = [];
  fake.requests.length = 0;
  fake.messages.length = 0;
});

/** A channel on a fake clock; `duringSleep` sees the channel while it waits. */
function channel(o: Partial<TelegramOptions> = {}, duringSleep?: (tg: Telegram) => void) {
  let tg: Telegram | null = null;
  tg = createTelegram(
    { botToken: TOKEN, chatId: "-1001234567890", apiUrl: fake.apiUrl, outboxMax: 200 },
    {
      log,
      now: () => clock.t,
      sleep: (ms) => {
        if (tg) duringSleep?.(tg);
        sleeps.push(ms);
        clock.t += ms;
        return Promise.resolve();
      },
      ...o,
    },
  );
  started.push(tg);
  const outcomes: Array<[string, Action, Outcome]> = [];
  tg.onDelivery((k, a, out) => outcomes.push([k, a, out]));
  return { tg, outcomes };
}

const msg = (key: string) => ({ key, action: "alert" as const, html: `<b>${key}</b>`, plain: key });

describe("an answer that is not the Bot API's is no verdict", () => {
  it.each([200, 302, 404] as const)("HTML %i from a proxy: retried with backoff, never dropped", async (status) => {
    const { tg, outcomes } = channel();
    fake.script({ kind: "proxy_html", status }, { kind: "proxy_html", status }, { kind: "proxy_html", status });
    tg.enqueue(msg("through-the-proxy"));
    tg.enqueue(msg("next"));
    await tg.flush(5000);
    expect(fake.requests.map((r) => r.answer)).toEqual([status, status, status, 200, 200]);
    expect(fake.messages.map((m) => m.visible)).toEqual(["through-the-proxy", "next"]);
    expect(outcomes).toEqual([
      ["through-the-proxy", "alert", "sent"],
      ["next", "alert", "sent"],
    ]);
    expect(sleeps).toEqual([1000, 2000, 4000, 1000 /* pacing before "next" */]);
    const lines = logs.filter((l) => l.event === "not_bot_api");
    expect(lines).toHaveLength(3);
    expect(String(lines[0]!.msg)).toContain("not a Bot API answer");
    expect(String(lines[0]!.error)).toContain(`HTTP ${status} text/html`);
    expect(logs.some((l) => String(l.msg).includes("refused"))).toBe(false);
    expect(tg.stats()).toMatchObject({ sent: 2, failed: 0, dropped: 0 });
    expect(tg.stats().attemptFailures.not_bot_api).toBe(3);
  });

  it("a JSON body without a boolean ok is no verdict either", async () => {
    const { tg, outcomes } = channel();
    fake.script({ kind: "status", status: 403, description: "Forbidden" }); // the Bot API's: a verdict
    tg.enqueue(msg("a"));
    await tg.flush(5000);
    expect(tg.stats().attemptFailures).toMatchObject({ config: 1, not_bot_api: 0 });
    expect(outcomes).toEqual([["a", "alert", "sent"]]);
  });
});

const CONFIG_ERRORS: Array<[string, FakeAnswer, string]> = [
  ["400 chat not found", { kind: "chat_not_found" }, "HTTP 400: Bad Request: chat not found"],
  ["401 Unauthorized", { kind: "unauthorized" }, "HTTP 401: Unauthorized"],
  ["403 bot blocked", { kind: "blocked" }, "HTTP 403: Forbidden: bot was blocked by the user"],
];

describe("a wrong token or chat keeps the messages waiting", () => {
  it.each(CONFIG_ERRORS)("%s: nothing dropped, one log line per interval, counted", async (_n, answer, why) => {
    const seen: TelegramStats[] = [];
    const { tg, outcomes } = channel({ maxBackoffMs: 60_000, configErrorLogEveryMs: 600_000 }, (t) =>
      seen.push(t.stats()),
    );
    fake.script(...Array.from({ length: 30 }, () => answer));
    for (const k of ["a1", "a2", "a3"]) tg.enqueue(msg(k));
    await tg.flush(5000);

    // while refused: all three wait (the one being tried counts), nothing reported, the error is known
    const during = seen[20]!;
    expect(during).toMatchObject({ depth: 3, sent: 0, failed: 0, dropped: 0, configError: why });
    expect(during.attemptFailures.config).toBe(21);
    expect(outcomes.filter(([, , o]) => o === "failed")).toEqual([]);

    // backoff 1, 2, 4 … 32 s then every 60 s: attempts at 0 s, 603 s and 1203 s log, the 27 between do not
    const lines = logs.filter((l) => l.event === "config_error");
    expect(fake.requests.filter((r) => r.answer !== 200)).toHaveLength(30);
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.error)).toEqual([why, why, why]);
    expect(String(lines[0]!.msg)).toContain("WATCHDOG_TELEGRAM_CHAT_ID");
    expect(lines.map((l) => l.attempts)).toEqual([1, 15, 10]); // attempts since the line before, this one included
    expect(logs.some((l) => String(l.msg).includes("refused it"))).toBe(false);

    // fixed: everything goes out, in order, and the error is cleared
    expect(fake.messages.map((m) => m.visible)).toEqual(["a1", "a2", "a3"]);
    expect(outcomes.map(([k, , o]) => `${k}:${o}`)).toEqual(["a1:sent", "a2:sent", "a3:sent"]);
    expect(tg.stats()).toMatchObject({ configError: null, depth: 0 });
    expect(tg.stats().attemptFailures.config).toBe(30);
    expect(logs.filter((l) => l.event === "config_error_cleared")).toHaveLength(1);
  });
});

/** Timers that record what was asked and fire only when told. */
function manualTimers() {
  const asked: number[] = [];
  let pending: { fn: () => void; h: number } | null = null;
  let n = 0;
  const timers: Timers = {
    setTimeout(fn, ms) {
      asked.push(ms);
      pending = { fn, h: ++n };
      return n;
    },
    clearTimeout(h) {
      if (pending?.h === h) pending = null;
    },
  };
  return {
    timers,
    asked,
    pending: () => pending !== null,
    fire() {
      const p = pending;
      pending = null;
      p?.fn();
    },
  };
}

async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!pred()) throw new Error(`not reached: ${what}`);
}

describe("retry_after longer than a Node timer", () => {
  it("2,200,000 s is waited in full, in timers Node honours, before the next attempt", async () => {
    const m = manualTimers();
    const { tg, outcomes } = channel({ sleep: undefined, timers: m.timers });
    fake.script({ kind: "retry_after", seconds: 2_200_000 });
    tg.enqueue(msg("patient"));
    await until(() => m.asked.length === 1, "the first timer");
    // one Node timer at most: a longer one would fire after 1 ms
    expect(m.asked).toEqual([MAX_TIMER_MS]);
    m.fire();
    await until(() => m.asked.length === 2, "the second timer");
    expect(m.asked).toEqual([MAX_TIMER_MS, 2_200_000_000 - MAX_TIMER_MS]);
    expect(fake.requests).toHaveLength(1);
    m.fire();
    // then the pacing second (the fake clock has not moved), then the attempt
    await until(() => m.asked.length === 3, "the pacing timer");
    expect(m.asked[2]).toBe(1000);
    expect(fake.requests).toHaveLength(1);
    m.fire();
    await tg.flush(5000);
    expect(fake.requests.map((r) => r.answer)).toEqual([429, 200]);
    expect(outcomes).toEqual([["patient", "alert", "sent"]]);
  });

  it("stop() ends such a wait at once and leaves no timer behind", async () => {
    const m = manualTimers();
    const { tg } = channel({ sleep: undefined, timers: m.timers });
    fake.script({ kind: "retry_after", seconds: 2_200_000 });
    tg.enqueue(msg("stopped"));
    await until(() => m.asked.length === 1, "the first timer");
    await tg.stop();
    expect(m.pending()).toBe(false);
    expect(tg.stats()).toMatchObject({ dropped: 1, sent: 0 });
    expect(fake.requests).toHaveLength(1);
  });
});
