// The Telegram channel: a bounded outbox drained in order by one background worker.
// enqueue() only puts a message in the box and returns; nothing here runs on the
// tick's path, and nothing here throws. Bot API: POST {apiUrl}/bot{token}/sendMessage.
import http from "node:http";
import https from "node:https";
import { backoffDelay, type BackoffPolicy } from "../../common/backoff.js";
import type { Config } from "../config.js";
import type { Action } from "../protocol.js";
import { errorText } from "../errors.js";
import type { Level, LogFields, Logger } from "../log.js";
import { Drain } from "./drain.js";
import type { Stage } from "../http-request.js";
import { postFailure, postJson, type PostAnswer } from "./http.js";
import { Outbox } from "./outbox.js";

export type Outcome = "sent" | "failed";
type EnqueueResult = "queued" | "disabled";

interface TelegramMessage {
  key: string;
  action: Action;
  html: string;
  plain: string;
}

export interface TelegramOptions {
  /** the channel's own logger (component "telegram"); the token never reaches it */
  log: Logger;
  /** monotonic ms: spaces requests (tests pass a virtual clock) */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
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

type Attempt =
  | { kind: "sent" }
  | { kind: "wait"; ms: number; why: string }
  | { kind: "backoff"; why: string; stage?: Stage | null }
  | { kind: "parse"; why: string }
  | { kind: "failed"; why: string };

export function createTelegram(cfg: Config["telegram"], opts: TelegramOptions): Telegram {
  const token = cfg.botToken;
  const enabled = Boolean(token && cfg.chatId);
  // spacing between requests is elapsed time: monotonic, so a wall-clock step cannot stall sending
  const now = opts.now ?? (() => performance.now());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const backoff: BackoffPolicy = { initialMs: opts.initialBackoffMs ?? 1000, maxMs: opts.maxBackoffMs ?? 60_000 };
  const timeoutMs = opts.requestTimeoutMs ?? 15_000;
  const minInterval = opts.minIntervalMs ?? 1000;
  const url = `${cfg.apiUrl}/bot${token ?? ""}/sendMessage`;
  const agent = cfg.apiUrl.startsWith("https:")
    ? new https.Agent({ keepAlive: true })
    : new http.Agent({ keepAlive: true });

  const box = new Outbox<TelegramMessage>(cfg.outboxMax);
  const listeners: Array<(key: string, action: Action, outcome: Outcome) => void> = [];
  const st = { sent: 0, failed: 0, dropped: 0, retried: 0, plainFallbacks: 0, lastError: null as string | null };
  let lastRequestAt: number | null = null;
  let inflight: AbortController | null = null;
  /** the wake-ups of waits in progress, called by stop() */
  const wakers = new Set<() => void>();

  const safe = (s: string) => redactToken(s, token);
  const logger = opts.log.hiding([token]);
  const log = (level: Level, event: string, fields: LogFields) => {
    const clean: LogFields = {};
    for (const [k, v] of Object.entries(fields)) clean[k] = typeof v === "string" ? safe(v) : v;
    logger[level](event, clean);
  };

  /**
   * Waits, but wakes at once when the channel stops. Each wait races its own wake-up
   * promise: racing one long-lived "stopped" promise would leave a reaction on it per
   * wait, a leak the soak measured (about 1 MiB per 10,000 ticks).
   */
  const wait = async (ms: number) => {
    if (ms <= 0 || drain.stopped) return;
    let wake: () => void = () => undefined;
    const woken = new Promise<void>((r) => {
      wake = r;
    });
    wakers.add(wake);
    try {
      await Promise.race([sleep(ms), woken]);
    } finally {
      wakers.delete(wake);
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
    if (drain.stopped) return { kind: "failed", why: "stopped" };
    lastRequestAt = now();
    const body: Record<string, unknown> = plain
      ? { chat_id: cfg.chatId, text: msg.plain, disable_web_page_preview: true }
      : { chat_id: cfg.chatId, text: msg.html, parse_mode: "HTML", disable_web_page_preview: true };
    let ans: PostAnswer;
    try {
      ans = await request(body);
    } catch (e) {
      const f = postFailure(e, timeoutMs);
      return { kind: "backoff", why: `${f.timeout ? "timeout" : "network error"}: ${f.text}`, stage: f.stage };
    }
    let json: { ok?: unknown; description?: unknown; parameters?: { retry_after?: unknown } } = {};
    try {
      json = JSON.parse(ans.body) as typeof json;
    } catch {
      /* described by the status below */
    }
    const desc = typeof json.description === "string" ? json.description : ans.body.slice(0, 200);
    const why = `HTTP ${ans.status}${desc ? `: ${desc}` : ""}`;
    if (ans.status === 200 && json.ok === true) return { kind: "sent" };
    if (ans.status === 429) {
      const ra = json.parameters?.retry_after;
      if (typeof ra === "number" && Number.isFinite(ra) && ra >= 0) return { kind: "wait", ms: ra * 1000, why };
      return { kind: "backoff", why };
    }
    if (ans.status >= 500) return { kind: "backoff", why };
    if (ans.status === 400 && /can't parse entities/i.test(desc)) return { kind: "parse", why };
    return { kind: "failed", why };
  }

  async function deliver(msg: TelegramMessage): Promise<Outcome | null> {
    let plain = false;
    /** 5xx and network failures in a row, for the backoff */
    let failures = 0;
    for (;;) {
      const r = await attempt(msg, plain);
      if (drain.stopped) return r.kind === "sent" ? "sent" : null;
      if (r.kind === "sent") return "sent";
      st.lastError = safe(r.why);
      const base = {
        key: msg.key,
        action: msg.action,
        error: r.why,
        ...(r.kind === "backoff" && r.stage ? { stage: r.stage } : {}),
      };
      if (r.kind === "failed" || (r.kind === "parse" && plain)) {
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
      if (r.kind === "wait") {
        log("warn", "rate_limited", {
          msg: `telegram rate limit: waiting ${r.ms / 1000} s as told`,
          waitMs: r.ms,
          ...base,
        });
        await wait(r.ms);
        continue;
      }
      const ms = backoffDelay(backoff, ++failures);
      log("warn", "send_failed", { msg: `telegram send failed; retrying in ${ms / 1000} s`, waitMs: ms, ...base });
      await wait(ms);
    }
  }

  /** One message from the outbox to Telegram; false when the box is empty or the channel stopped. */
  async function step(): Promise<boolean> {
    const msg = box.shift();
    if (!msg) return false;
    const outcome = await deliver(msg);
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
      return { ...st, depth: box.length, maxDepth: box.maxDepth, outboxMax: cfg.outboxMax };
    },
    flush: (timeoutMs) => drain.flush(timeoutMs),
    stop: () =>
      drain.stop(
        () => {
          for (const w of wakers) w();
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
