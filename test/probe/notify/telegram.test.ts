import { jsonLogger } from "../../../probe/log.js";
import type { LogLine } from "../../helpers/log.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Action } from "../../../probe/protocol.js";
import {
  createTelegram,
  redactToken,
  type Outcome,
  type Telegram,
  type TelegramOptions,
} from "../../../probe/notify/telegram.js";
import { startFakeTelegram, type FakeTelegram } from "../../helpers/fake-telegram.js";
import { closedPort } from "../../helpers/ports.js";

const TOKEN = "987654:AAH-secret_Token_value_0123456789";
let fake: FakeTelegram;
const clock = { t: 1_750_000_000_000 };
let sleeps: number[] = [];
let logs: LogLine[] = [];
/** the channel's lines, as the probe's logger writes them */
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

/** A channel on a fake clock: sleeping advances time instantly and is recorded. */
function channel(
  over: Partial<{ outboxMax: number; apiUrl: string; botToken: string | null }> = {},
  o: Partial<TelegramOptions> = {},
) {
  const tg = createTelegram(
    { botToken: TOKEN, chatId: "-1001234567890", apiUrl: fake.apiUrl, outboxMax: 200, ...over },
    {
      log,
      now: () => clock.t,
      sleep: (ms) => {
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

const msg = (key: string, action: Action = "alert", html = `<b>${key}</b> &amp; more`, plain = `${key} & more`) => ({
  key,
  action,
  html,
  plain,
});

describe("telegram channel against the fake Bot API", () => {
  it("sends each message as HTML sendMessage, in order, and reports it sent", async () => {
    const { tg, outcomes } = channel();
    for (const k of ["a", "b", "c"]) expect(tg.enqueue(msg(k))).toBe("queued");
    await tg.flush(5000);
    expect(fake.messages.map((m) => m.visible)).toEqual(["a & more", "b & more", "c & more"]);
    expect(fake.messages[0]).toMatchObject({
      chatId: "-1001234567890",
      parseMode: "HTML",
      disableWebPagePreview: true,
      text: "<b>a</b> &amp; more",
    });
    expect(outcomes).toEqual([
      ["a", "alert", "sent"],
      ["b", "alert", "sent"],
      ["c", "alert", "sent"],
    ]);
    expect(tg.stats()).toMatchObject({ sent: 3, failed: 0, dropped: 0, depth: 0 });
  });

  it("enqueue returns before any request is made, even while Telegram hangs", async () => {
    const { tg } = channel({}, { requestTimeoutMs: 300 });
    fake.script({ kind: "hang" });
    const results = [];
    for (let i = 0; i < 20; i++) results.push(tg.enqueue(msg(`m${i}`)));
    // Synchronously after 20 enqueues: all accepted, none sent yet (no I/O on the caller's path).
    expect(results.every((r) => r === "queued")).toBe(true);
    expect(fake.requests.length).toBe(0);
    expect(tg.stats().depth).toBe(20);
    await fake.waitFor(() => fake.requests.length === 1);
    // While the first request hangs, more messages are still accepted at once.
    expect(tg.enqueue(msg("late"))).toBe("queued");
    await tg.flush(10_000);
    expect(fake.messages.map((m) => m.visible)).toEqual([
      ...Array.from({ length: 20 }, (_, i) => `m${i} & more`),
      "late & more",
    ]);
    expect(logs.some((l) => String(l.error).includes("timeout"))).toBe(true);
  });

  it("paces to at most one message per second per chat", async () => {
    const { tg } = channel();
    for (let i = 0; i < 5; i++) tg.enqueue(msg(`p${i}`));
    await tg.flush(5000);
    expect(fake.messages).toHaveLength(5);
    const at = fake.messages.map((m) => m.at);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(sleeps).toEqual([1000, 1000, 1000, 1000]);
  });

  it("on 429 waits exactly parameters.retry_after seconds, then sends the same message", async () => {
    const { tg, outcomes } = channel();
    fake.script({ kind: "retry_after", seconds: 7 });
    tg.enqueue(msg("limited"));
    await tg.flush(5000);
    expect(sleeps).toEqual([7000]);
    expect(fake.requests.map((r) => r.answer)).toEqual([429, 200]);
    expect(fake.requests[1]!.body).toEqual(fake.requests[0]!.body);
    expect(fake.messages).toHaveLength(1);
    expect(outcomes).toEqual([["limited", "alert", "sent"]]);
    expect(tg.stats().retried).toBe(1);
  });

  it("backs off exponentially on 5xx and network errors, capped, then delivers", async () => {
    const { tg } = channel({}, { maxBackoffMs: 8000 });
    fake.script(
      { kind: "status", status: 500 },
      { kind: "status", status: 502 },
      { kind: "reset" },
      { kind: "status", status: 503 },
      { kind: "status", status: 500 },
      { kind: "reset" },
    );
    tg.enqueue(msg("eventually"));
    await tg.flush(5000);
    expect(sleeps).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(fake.messages.map((m) => m.visible)).toEqual(["eventually & more"]);
    expect(tg.stats()).toMatchObject({ sent: 1, retried: 6 });
    // the next message starts the back-off afresh
    sleeps = [];
    fake.script({ kind: "status", status: 500 });
    tg.enqueue(msg("next"));
    await tg.flush(5000);
    expect(sleeps).toEqual([1000 /* one per second after "eventually" */, 1000 /* back-off restarts at 1 s */]);
  });

  it("retries a 400 can't parse entities once as plain text", async () => {
    const { tg, outcomes } = channel();
    tg.enqueue(msg("bad", "alert", "<blink>x</blink> ok", "<blink>x</blink> ok (plain)"));
    await tg.flush(5000);
    expect(fake.requests.map((r) => r.answer)).toEqual([400, 200]);
    expect(fake.requests[0]!.body).toMatchObject({ parse_mode: "HTML" });
    expect(fake.requests[1]!.body).not.toHaveProperty("parse_mode");
    expect(fake.messages[0]).toMatchObject({ parseMode: null, text: "<blink>x</blink> ok (plain)" });
    expect(outcomes).toEqual([["bad", "alert", "sent"]]);
    expect(tg.stats().plainFallbacks).toBe(1);
  });

  it("gives up after the single plain-text retry if that is refused too", async () => {
    const { tg, outcomes } = channel();
    fake.script({ kind: "parse_error" }, { kind: "parse_error" });
    tg.enqueue(msg("twice"));
    tg.enqueue(msg("after"));
    await tg.flush(5000);
    expect(fake.requests.map((r) => r.answer)).toEqual([400, 400, 200]);
    expect(outcomes).toEqual([
      ["twice", "alert", "failed"],
      ["after", "alert", "sent"],
    ]);
  });

  it("drops a message the Bot API refuses for itself (too long), logs why, and goes on", async () => {
    const { tg, outcomes } = channel();
    fake.script({ kind: "status", status: 400, description: "Bad Request: message is too long" });
    tg.enqueue(msg("refused"));
    tg.enqueue(msg("fine", "recovery"));
    await tg.flush(5000);
    expect(outcomes).toEqual([
      ["refused", "alert", "failed"],
      ["fine", "recovery", "sent"],
    ]);
    expect(fake.requests).toHaveLength(2); // no retry of that 400
    expect(
      logs.some(
        (l) =>
          l.event === "message_refused" &&
          String(l.msg).includes("the Bot API refused it") &&
          String(l.error).includes("400: Bad Request: message is too long"),
      ),
    ).toBe(true);
    expect(tg.stats()).toMatchObject({ failed: 1, sent: 1 });
  });

  it("on overflow drops the oldest reminders first, then alerts, never a recovery", async () => {
    const { tg, outcomes } = channel({ outboxMax: 3 });
    const seq: Array<[string, Action]> = [
      ["a1", "alert"],
      ["r1", "repeat"],
      ["r2", "repeat"],
      ["c1", "recovery"],
      ["a2", "alert"],
      ["c2", "recovery"],
      ["c3", "recovery"],
      ["c4", "recovery"],
      ["r3", "repeat"],
    ];
    for (const [k, a] of seq) expect(tg.enqueue(msg(k, a))).toBe("queued");
    expect(tg.stats()).toMatchObject({ depth: 4, dropped: 5 });
    await tg.flush(5000);
    expect(fake.messages.map((m) => m.visible)).toEqual(["c1 & more", "c2 & more", "c3 & more", "c4 & more"]);
    const failed = outcomes.filter((o) => o[2] === "failed").map((o) => o[0]);
    expect(failed).toEqual(["r1", "r2", "a1", "a2", "r3"]);
    expect(
      logs
        .filter((l) => String(l.msg).includes("outbox full"))
        .map((l) => [l.key, String(l.msg).replace(/.*dropped /, "")]),
    ).toEqual([
      ["r1", "the oldest reminder"],
      ["r2", "the oldest reminder"],
      ["a1", "the oldest alert"],
      ["a2", "the oldest alert"],
      ["r3", "the new reminder"], // the box holds only recoveries: the newcomer itself goes
    ]);
    expect(tg.stats().maxDepth).toBe(4);
  });

  it("a listener that throws stops neither delivery nor the listeners after it", async () => {
    const { tg, outcomes } = channel({ outboxMax: 1 });
    tg.onDelivery(() => {
      throw new Error("listener broke");
    });
    const after: string[] = [];
    tg.onDelivery((k, _a, out) => after.push(`${k}:${out}`));
    tg.enqueue(msg("one"));
    tg.enqueue(msg("two")); // evicts "one": reported failed through the same listeners
    await tg.flush(5000);
    expect(fake.messages.map((m) => m.visible)).toEqual(["two & more"]);
    expect(outcomes).toEqual([
      ["one", "alert", "failed"],
      ["two", "alert", "sent"],
    ]);
    expect(after).toEqual(["one:failed", "two:sent"]);
  });

  it("does nothing when no bot token is configured", async () => {
    const { tg } = channel({ botToken: null });
    expect(tg.enabled).toBe(false);
    expect(tg.enqueue(msg("x"))).toBe("disabled");
    await tg.flush(100);
    expect(fake.requests).toHaveLength(0);
  });

  it("stop() ends a long wait at once and counts what was left", async () => {
    const tg = createTelegram(
      { botToken: TOKEN, chatId: "1", apiUrl: fake.apiUrl, outboxMax: 10 },
      { log, sleep: () => new Promise<void>(() => undefined) },
    );
    fake.script({ kind: "retry_after", seconds: 3600 });
    tg.enqueue(msg("waiting"));
    tg.enqueue(msg("queued"));
    await fake.waitFor(() => fake.requests.length === 1);
    await tg.stop();
    expect(tg.stats()).toMatchObject({ dropped: 2, sent: 0 });
    expect(fake.requests).toHaveLength(1);
  });
});

describe("the bot token never leaves in a log line or error text", () => {
  const secretPart = TOKEN.split(":")[1]!;
  const clean = (x: unknown) => {
    const s = JSON.stringify(x);
    expect(s).not.toContain(TOKEN);
    expect(s).not.toContain(secretPart);
  };

  it("on ECONNREFUSED", async () => {
    const port = await closedPort();
    const { tg } = channel({ apiUrl: `http://127.0.0.1:${port}` });
    tg.enqueue(msg("x"));
    await waitUntil(() => logs.length >= 3);
    await tg.stop();
    expect(logs.some((l) => String(l.error).includes("ECONNREFUSED"))).toBe(true);
    clean(logs);
    clean(tg.stats());
  });

  it("on 401 Unauthorized (a wrong token)", async () => {
    const wrong = "111:wrong-Token_ABCDEFGHIJKLMNOP";
    const tg = createTelegram({ botToken: wrong, chatId: "1", apiUrl: fake.apiUrl, outboxMax: 5 }, { log });
    started.push(tg);
    tg.enqueue(msg("x"));
    await waitUntil(() => logs.some((l) => l.event === "config_error"));
    await tg.stop();
    expect(fake.requests[0]).toMatchObject({ tokenOk: false, answer: 401 });
    expect(logs.some((l) => String(l.error).includes("401: Unauthorized"))).toBe(true);
    expect(JSON.stringify(logs)).not.toContain("wrong-Token_ABCDEFGHIJKLMNOP");
  });

  it("when an answer echoes the request path (a proxy's 404 page)", async () => {
    const { tg } = channel();
    fake.script({ kind: "status", status: 404, description: `Cannot POST /bot${TOKEN}/sendMessage` });
    tg.enqueue(msg("x"));
    await tg.flush(5000);
    expect(logs.some((l) => String(l.error).includes("404: Cannot POST /bot***/sendMessage"))).toBe(true);
    clean(logs);
    clean(tg.stats());
  });

  it("redacts the token from error texts that quote the request URL", () => {
    const e = `request to http://127.0.0.1:1/bot${TOKEN}/sendMessage failed, reason: connect ECONNREFUSED`;
    expect(redactToken(e, TOKEN)).toBe(
      "request to http://127.0.0.1:1/bot***/sendMessage failed, reason: connect ECONNREFUSED",
    );
    expect(redactToken(`token ${TOKEN} in text`, TOKEN)).not.toContain(secretPart);
    expect(redactToken("bot4242:other_token-x here", null)).toBe("bot*** here");
  });
});

async function waitUntil(pred: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
