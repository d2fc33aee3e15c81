// The Telegram channel: a bounded outbox drained in order by one background worker.
// enqueue() only puts a message in the box and returns; nothing here runs on the
// tick's path, and nothing here throws. Bot API: POST {apiUrl}/bot{token}/sendMessage.
// Only a genuine Bot API refusal ends a message (./bot-api.ts); a wrong token or chat
// keeps it waiting, and anything a proxy says is retried.
import http from "node:http";
import https from "node:https";
import { backoffDelay, type BackoffPolicy } from "../../common/backoff.js";
import { longSleep, realTimers, type Timers } from "../../common/long-sleep.js";
import type { Config } from "../config.js";
import type { Action } from "../protocol.js";
import { errorText } from "../errors.js";
import type { Level, LogFields, Logger } from "../log.js";
import { Drain } from "./drain.js";
import type { Stage } from "../http-request.js";
import { readBotAnswer, type BotVerdict } from "./bot-api.js";
import { postFailure, postJson, type PostAnswer } from "./http.js";
import { Outbox } from "./outbox.js";

export type Outcome = "sent" | "failed";
type EnqueueResult = "queued" | "disabled";
type AttemptFailure = "config" | "not_bot_api" | "rate_limited" | "server_error" | "network";

interface TelegramMessage {
  key: string;
  action: Action;
  html: string;
  plain: string;
}

export interface TelegramOptions {
  /** the channel's own logger (component "telegram"); the token never reaches it */
  log: Logger;
  /** a monotonic clock in ms (default performance.now) */
  now?: () => number;
  /** replaces the wait itself; it should end when `signal` aborts (default: timers, in chunks) */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** the timers the default sleep uses */
  timers?: Timers;
  /** a wrong token or chat is logged once per this interval while it lasts (default 10 min) */
  configErrorLogEveryMs?: number;
  /** cap of the 5xx/network back-off (default 60 s) */
  maxBackoffMs?: number;
  /** first back-off step, doubled per consecutive failure (default 1 s) */
  initialBackoffMs?: number;
  /** each request's own deadline (default 15 s) */
  requestTimeoutMs?: number;
  /** pacing per chat (default 1 s: at most one message per second) */
  minIntervalMs?: number;
}

export interface TelegramStats {
  sent: number;
  failed: number;
  /** evicted from a full outbox, or still waiting when the channel stopped */
  dropped: number;
  retried: number;
  plainFallbacks: number;
  /** attempts that failed without a verdict on the message, by reason */
  attemptFailures: Record<AttemptFailure, number>;
  /** the Bot API's refusal while the bot token or chat is wrong (messages wait); null when not */
  configError: string | null;
  /** messages waiting, counting the one being delivered */
  depth: number;
  maxDepth: number;
  outboxMax: number;
  lastError: string | null;
}

export interface Telegram {
  enabled: boolean;
  enqueue(msg: TelegramMessage): EnqueueResult;
  onDelivery(cb: (key: string, action: Action, outcome: Outcome) => void): void;
  stats(): TelegramStats;
  /** Resolves when the box is empty and nothing is in flight, or after timeoutMs. */
  flush(timeoutMs: number): Promise<void>;
  /** Stops the worker, cancels a request or wait in progress; never throws. */
  stop(): Promise<void>;
}

/** Replaces the bot token wherever it may appear (it is part of the request path). */
export function redactToken(text: string, token: string | null): string {
  let out = text.replace(/bot\d+:[A-Za-z0-9_-]+/g, "bot***");
  if (token) out = out.split(token).join("***");
  return out;
}

type Attempt = BotVerdict | { kind: "network"; why: string; stage: Stage | null } | { kind: "stopped" };

export function createTelegram(cfg: Config["telegram"], opts: TelegramOptions): Telegram {
  const token = cfg.botToken;
  const enabled = Boolean(token && cfg.chatId);
  // pacing and log intervals: only differences of this clock matter, so it is monotonic
  const now = opts.now ?? (() => performance.now());
  const timers = opts.timers ?? realTimers;
  const sleep = opts.sleep ?? ((ms: number, signal?: AbortSignal) => longSleep(ms, timers, signal));
  const backoff: BackoffPolicy = { initialMs: opts.initialBackoffMs ?? 1000, maxMs: opts.maxBackoffMs ?? 60_000 };
  const timeoutMs = opts.requestTimeoutMs ?? 15_000;
  const minInterval = opts.minIntervalMs ?? 1000;
  const configLogEvery = opts.configErrorLogEveryMs ?? 600_000;
  const url = `${cfg.apiUrl}/bot${token ?? ""}/sendMessage`;
  const agent = cfg.apiUrl.startsWith("https:")
    ? new https.Agent({ keepAlive: true })
    : new http.Agent({ keepAlive: true });

  const box = new Outbox<TelegramMessage>(cfg.outboxMax);
  const listeners: Array<(key: string, action: Action, outcome: Outcome) => void> = [];
  const st = { sent: 0, failed: 0, dropped: 0, retried: 0, plainFallbacks: 0, lastError: null as string | null };
  const failures: Record<AttemptFailure, number> = {
    config: 0,
    not_bot_api: 0,
    rate_limited: 0,
    server_error: 0,
    network: 0,
  };
  /** the Bot API's refusal while the token or chat is wrong; null once a message went through */
  let configError: string | null = null;
  /** when the configuration error was last logged, and the attempts since */
  let configLogged: { at: number; why: string; attempts: number } | null = null;
  let lastRequestAt: number | null = null;
  let inflight: AbortController | null = null;
  /** the message being delivered: it still counts as waiting */
  let current: TelegramMessage | null = null;
  /** the waits in progress, ended by stop() */
  const waits = new Set<AbortController>();

  const safe = (s: string) => redactToken(s, token);
  const logger = opts.log.hiding([token]);
  const log = (level: Level, event: string, fields: LogFields) => {
    const clean: LogFields = {};
    for (const [k, v] of Object.entries(fields)) clean[k] = typeof v === "string" ? safe(v) : v;
    logger[level](event, clean);
  };
  const waiting = () => box.length + (current ? 1 : 0);

  /**
   * Waits, but wakes at once when the channel stops. Each wait has its own abort
   * controller: racing one long-lived "stopped" promise would leave a reaction on it per
   * wait, a leak the soak measured (about 1 MiB per 10,000 ticks).
   */
  const wait = async (ms: number) => {
    if (ms <= 0 || drain.stopped) return;
    const ac = new AbortController();
    const aborted = new Promise<void>((r) => ac.signal.addEventListener("abort", () => r(), { once: true }));
    waits.add(ac);
    try {
      await Promise.race([sleep(ms, ac.signal), aborted]);
    } finally {
      waits.delete(ac);
    }
  };

  function report(msg: TelegramMessage, outcome: Outcome): void {
    for (const cb of listeners) {
      try {
        cb(msg.key, msg.action, outcome);
      } catch {
        /* a listener's failure is its own */
      }
    }
  }

  async function request(body: Record<string, unknown>): Promise<PostAnswer> {
    inflight = new AbortController();
    try {
      return await postJson(url, body, { timeoutMs, agent, signal: inflight.signal, target: `POST ${safe(url)}` });
    } finally {
      inflight = null;
    }
  }

  async function attempt(msg: TelegramMessage, plain: boolean): Promise<Attempt> {
    await wait(lastRequestAt === null ? 0 : lastRequestAt + minInterval - now());
    if (drain.stopped) return { kind: "stopped" };
    lastRequestAt = now();
    const body: Record<string, unknown> = plain
      ? { chat_id: cfg.chatId, text: msg.plain, disable_web_page_preview: true }
      : { chat_id: cfg.chatId, text: msg.html, parse_mode: "HTML", disable_web_page_preview: true };
    try {
      return readBotAnswer(await request(body));
    } catch (e) {
      const f = postFailure(e, timeoutMs);
      return { kind: "network", why: `${f.timeout ? "timeout" : "network error"}: ${f.text}`, stage: f.stage };
    }
  }

  /** Logged when it starts, when its text changes, then at most once per interval. */
  function noteConfigError(msg: TelegramMessage, why: string): void {
    configError = safe(why);
    const t = now();
    const attempts = (configLogged?.attempts ?? 0) + 1;
    if (configLogged && configLogged.why === why && t - configLogged.at < configLogEvery) {
      configLogged.attempts = attempts;
      return;
    }
    configLogged = { at: t, why, attempts: 0 };
    log("error", "config_error", {
      msg:
        "telegram refuses delivery: check WATCHDOG_TELEGRAM_BOT_TOKEN and WATCHDOG_TELEGRAM_CHAT_ID " +
        "(and that the bot may write to that chat); messages wait in the outbox and are retried",
      error: why,
      key: msg.key,
      attempts,
      waiting: waiting(),
    });
  }

  async function deliver(msg: TelegramMessage): Promise<Outcome | null> {
    let plain = false;
    /** transient failures in a row, for the backoff */
    let fails = 0;
    for (;;) {
      const r = await attempt(msg, plain);
      if (drain.stopped || r.kind === "stopped") return r.kind === "sent" ? "sent" : null;
      if (r.kind === "sent") {
        if (configError !== null)
          log("info", "config_error_cleared", { msg: "telegram delivers again", previousError: configError });
        configError = null;
        configLogged = null;
        return "sent";
      }
      st.lastError = safe(r.why);
      const base = {
        key: msg.key,
        action: msg.action,
        error: r.why,
        ...(r.kind === "network" && r.stage ? { stage: r.stage } : {}),
      };
      if (r.kind === "refused" || (r.kind === "parse" && plain)) {
        log("error", "message_refused", { msg: "telegram message dropped: the Bot API refused it", ...base });
        return "failed";
      }
      st.retried++;
      if (r.kind === "parse") {
        plain = true;
        st.plainFallbacks++;
        log("warn", "plain_fallback", {
          msg: "telegram could not parse the HTML; sending once as plain text",
          ...base,
        });
        continue;
      }
      failures[r.kind]++;
      if (r.kind === "rate_limited" && r.retryAfterMs !== null) {
        log("warn", "rate_limited", {
          msg: `telegram rate limit: waiting ${r.retryAfterMs / 1000} s as told`,
          waitMs: r.retryAfterMs,
          ...base,
        });
        await wait(r.retryAfterMs);
        continue;
      }
      const ms = backoffDelay(backoff, ++fails);
      if (r.kind === "config") noteConfigError(msg, r.why);
      else if (r.kind === "not_bot_api")
        log("warn", "not_bot_api", {
          msg: `telegram send failed: not a Bot API answer (a proxy or gateway?); retrying in ${ms / 1000} s`,
          waitMs: ms,
          ...base,
        });
      else log("warn", "send_failed", { msg: `telegram send failed; retrying in ${ms / 1000} s`, waitMs: ms, ...base });
      await wait(ms);
    }
  }

  /** One message from the outbox to Telegram; false when the box is empty or the channel stopped. */
  async function step(): Promise<boolean> {
    const msg = box.shift();
    if (!msg) return false;
    current = msg;
    const outcome = await deliver(msg).finally(() => (current = null));
    if (outcome === null) {
      st.dropped++;
      return false;
    }
    if (outcome === "sent") st.sent++;
    else st.failed++;
    report(msg, outcome);
    return true;
  }

  const drain = new Drain({
    step,
    pending: () => box.length,
    onError: (e) => log("error", "worker_failed", { msg: "telegram worker failed", error: errorText(e) }),
  });

  return {
    enabled,
    enqueue(msg) {
      if (!enabled) return "disabled";
      if (drain.stopped) {
        st.dropped++;
        log("warn", "message_dropped", {
          msg: "telegram channel stopped; message dropped",
          key: msg.key,
          action: msg.action,
        });
        report(msg, "failed");
        return "queued";
      }
      const { evicted, overBound } = box.push(msg);
      for (const m of evicted) {
        st.dropped++;
        log("warn", "outbox_full", {
          msg: `telegram outbox full (${cfg.outboxMax}); dropped ${m === msg ? "the new" : "the oldest"} ${m.action === "repeat" ? "reminder" : "alert"}`,
          key: m.key,
          action: m.action,
          dropped: st.dropped,
        });
        report(m, "failed");
      }
      if (overBound)
        log("warn", "outbox_over_bound", {
          msg: "telegram outbox over its bound: recoveries are never dropped",
          depth: box.length,
        });
      drain.kick();
      return "queued";
    },
    onDelivery(cb) {
      listeners.push(cb);
    },
    stats() {
      return {
        ...st,
        attemptFailures: { ...failures },
        configError,
        depth: waiting(),
        maxDepth: box.maxDepth,
        outboxMax: cfg.outboxMax,
      };
    },
    flush: (timeoutMs) => drain.flush(timeoutMs),
    stop: () =>
      drain.stop(
        () => {
          for (const w of waits) w.abort();
          inflight?.abort();
        },
        () => {
          const left = box.drain();
          if (left.length) {
            st.dropped += left.length;
            log("warn", "stopped_unsent", {
              msg: `telegram channel stopped with ${left.length} message(s) unsent`,
              dropped: left.length,
            });
          }
          agent.destroy();
        },
      ),
  };
}
