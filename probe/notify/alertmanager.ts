// Optional hand-off to an existing Alertmanager (`WATCHDOG_ALERTMANAGER_URL`), so a
// fleet of probes can leave routing, grouping and silencing to it. Alert and reminder
// post the firing alert (a reminder re-posts it, which keeps it alive); a recovery
// posts it with `endsAt`, which resolves it. Fire-and-forget: post() never throws and
// never waits; a small ordered queue with its own timeout does the sending.
import http from "node:http";
import https from "node:https";
import { backoffDelay, type BackoffPolicy } from "../../common/backoff.js";
import type { DecisionEvent } from "../loop.js";
import { displaySafe } from "../../common/display-safe.js";
import { errorText } from "../errors.js";
import type { Level, LogFields, Logger } from "../log.js";
import { Drain } from "./drain.js";
import { postFailure, postJson } from "./http.js";
import { Outbox } from "./outbox.js";

export interface AlertmanagerOptions {
  hostname: string;
  /** the client's own logger (component "alertmanager") */
  log: Logger;
  /** reminder interval of a kind: a firing alert is kept alive for about twice that */
  cooldownFor?(kind: string): number;
  generatorURL?: string;
  timeoutMs?: number;
  queueMax?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface Alertmanager {
  post(ev: DecisionEvent, text: string): void;
  flush(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
  stats(): { sent: number; failed: number; dropped: number; depth: number };
}

/** Alertmanager's `postableAlert` (api/v2/openapi.yaml). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

/** Slack on top of two reminder intervals before Alertmanager resolves an alert nobody re-posted. */
const KEEPALIVE_MARGIN_MS = 5 * 60_000;
const ATTEMPTS = 3;
/** 1 s, then 2 s: three attempts within a few seconds, then the alert is logged as failed */
const RETRY_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 60_000 };
const ANNOTATION_MAX = 8000;

/** Pure: the alert Alertmanager should hold after this decision. */
export function toPostableAlert(
  ev: DecisionEvent,
  text: string,
  o: { hostname: string; cooldownS: number; generatorURL?: string },
): PostableAlert {
  const sig = ev.signal;
  const startsAt = new Date(ev.state.since ?? ev.at).toISOString();
  const endsAt =
    ev.action === "recovery"
      ? new Date(ev.at).toISOString()
      : // The probe re-posts every cooldown while the signal lasts; if the probe dies, the
        // alert resolves by itself some time later instead of firing forever.
        new Date(ev.at + 2 * o.cooldownS * 1000 + KEEPALIVE_MARGIN_MS).toISOString();
  const alert: PostableAlert = {
    labels: {
      alertname: sig.kind,
      entity: sig.entity,
      instance: o.hostname,
      severity: sig.severity,
      job: "orchestrator-watchdog",
    },
    annotations: { summary: displaySafe(sig.title).slice(0, 500), description: text.slice(0, ANNOTATION_MAX) },
    startsAt,
    endsAt,
  };
  if (o.generatorURL) alert.generatorURL = o.generatorURL;
  return alert;
}

/** `http://am:9093` or `http://am:9093/api/v2/alerts` → the alerts endpoint. */
export function alertsEndpoint(base: string): string {
  const u = new URL(base);
  if (!/\/api\/v2\/alerts\/?$/.test(u.pathname)) u.pathname = `${u.pathname.replace(/\/+$/, "")}/api/v2/alerts`;
  return u.toString();
}

/** The URL as it may be logged: no user or password. */
function shown(url: string): string {
  const u = new URL(url);
  u.username = "";
  u.password = "";
  return u.toString();
}

interface Item {
  action: DecisionEvent["action"];
  key: string;
  alert: PostableAlert;
}

export function createAlertmanager(url: string, opts: AlertmanagerOptions): Alertmanager {
  const endpoint = alertsEndpoint(url);
  const where = shown(endpoint);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const agent = endpoint.startsWith("https:")
    ? new https.Agent({ keepAlive: true })
    : new http.Agent({ keepAlive: true });
  // Same policy as Telegram's outbox: reminders go first, recoveries are never dropped.
  const box = new Outbox<Item>(opts.queueMax ?? 500);
  const st = { sent: 0, failed: 0, dropped: 0 };
  const ac = new AbortController();

  const log = (level: Level, event: string, fields: LogFields) => opts.log[level](event, { url: where, ...fields });

  /**
   * A retry's pause, cut short by stop(). Its abort listener goes when the pause ends:
   * racing one promise that lives as long as the client would leave a reaction on it per retry.
   */
  async function pause(ms: number): Promise<void> {
    let onAbort: () => void = () => undefined;
    const woken = new Promise<void>((r) => {
      onAbort = r;
    });
    ac.signal.addEventListener("abort", onAbort, { once: true });
    try {
      await Promise.race([sleep(ms), woken]);
    } finally {
      ac.signal.removeEventListener("abort", onAbort);
    }
  }

  async function send(item: Item): Promise<boolean> {
    let lastError = "";
    for (let i = 0; i < ATTEMPTS; i++) {
      if (i > 0) await pause(backoffDelay(RETRY_BACKOFF, i));
      if (drain.stopped) break;
      try {
        const r = await postJson(endpoint, [item.alert], {
          timeoutMs,
          agent,
          signal: ac.signal,
          target: `POST ${where}`,
        });
        if (r.status >= 200 && r.status < 300) return true;
        lastError = `HTTP ${r.status}: ${r.body.slice(0, 300)}`;
        if (r.status < 500) break; // Alertmanager refused the alert itself: retrying will not help
      } catch (e) {
        lastError = postFailure(e, timeoutMs).text;
      }
    }
    log("error", "post_failed", {
      msg: "alertmanager post failed",
      key: item.key,
      action: item.action,
      error: lastError.split(url).join(where),
    });
    return false;
  }

  const drain = new Drain({
    async step() {
      const item = box.shift();
      if (!item) return false;
      if (await send(item)) st.sent++;
      else st.failed++;
      return true;
    },
    pending: () => box.length,
    onError: (e) => log("error", "worker_failed", { msg: "alertmanager worker failed", error: errorText(e) }),
  });

  return {
    post(ev, text) {
      try {
        if (drain.stopped) return;
        const alert = toPostableAlert(ev, text, {
          hostname: opts.hostname,
          cooldownS: opts.cooldownFor?.(ev.signal.kind) ?? 1800,
          generatorURL: opts.generatorURL,
        });
        const { evicted } = box.push({ action: ev.action, key: ev.signal.key, alert });
        for (const e of evicted) {
          st.dropped++;
          log("warn", "queue_full", {
            msg: "alertmanager queue full; dropped the oldest non-recovery post",
            key: e.key,
            action: e.action,
          });
        }
        drain.kick();
      } catch (e) {
        log("error", "post_not_queued", { msg: "alertmanager post could not be queued", error: errorText(e) });
      }
    },
    flush: (ms) => drain.flush(ms),
    stop: () =>
      drain.stop(
        () => ac.abort(),
        () => {
          const left = box.drain().length;
          if (left) {
            st.dropped += left;
            log("warn", "stopped_unsent", { msg: `alertmanager stopped with ${left} post(s) unsent`, dropped: left });
          }
          agent.destroy();
        },
      ),
    stats() {
      return { ...st, depth: box.length };
    },
  };
}
