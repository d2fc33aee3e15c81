// The probe assembled from a parsed config: sources → tick loop → decisions to
// Telegram, Alertmanager and the stream; snapshots to the stream. main.ts only adds
// the process concerns (env, exit codes, signals); tests start this in-process.
import os from "node:os";
import type { Config } from "./config.js";
import type { Logger } from "./log.js";
import { realClock } from "./clock.js";
import { TickLoop, type Clock, type DecisionEvent } from "./loop.js";
import { createAlertmanager, type Alertmanager } from "./notify/alertmanager.js";
import { aboutTelegramDelivery, telegramDeliverySignal } from "./notify/delivery-signal.js";
import { createTelegram, type Telegram } from "./notify/telegram.js";
import { renderDecision } from "./notify/texts.js";
import { PROTOCOL_VERSION, type Action, type Decision, type Hello } from "./protocol.js";
import { startServer, type ServerHandle } from "./server/http.js";
import { renderSelfMetrics, signalStates, type ProbeFigures } from "./server/self-metrics.js";
import { monitorLoopDelay, type LoopDelayMonitor } from "./server/event-loop-delay.js";
import { buildSources, cooldownFor, orchIdle } from "./sources.js";
import { signalTexts } from "./signal-texts.js";
import type { Source } from "./source.js";

const PROBE_VERSION = "0.1.0";

export interface ProbeOptions {
  log: Logger;
  /** the stream token (resolved by the caller); required when cfg.ws.enabled */
  token: string | null;
  hostname?: string;
  /** tests replace the sources or the clock */
  sources?: Source[];
  clock?: Clock;
  /** monotonic ms for liveness (/healthz, tick age); performance.now() unless a test drives it */
  monoNow?: () => number;
  pingIntervalMs?: number;
}

export interface Probe {
  /** ws://host:port/v1/stream, or null with the stream off */
  url: string | null;
  loop: TickLoop;
  telegram: Telegram;
  sourceNames: string[];
  /** Stops the loop, the server, and the senders (flushing what they can within ~1 s). */
  stop(): Promise<void>;
}

function buildHello(cfg: Config, meta: { hostname: string; startedAt: number; telegram: boolean }): Hello {
  return {
    type: "hello",
    protocol: PROTOCOL_VERSION,
    probe: {
      version: PROBE_VERSION,
      hostname: meta.hostname,
      pid: process.pid,
      startedAt: new Date(meta.startedAt).toISOString(),
    },
    config: {
      enabled: cfg.enabled,
      tickS: cfg.tickS,
      orchDownTicks: cfg.metrics.downTicks,
      cooldownS: cfg.cooldownS,
      proc: {
        enabled: cfg.proc.enabled,
        ageMin: cfg.proc.ageMin,
        patterns: cfg.proc.patterns.map((p) => p.source),
        cooldownS: cfg.proc.cooldownS,
      },
      telegram: { enabled: meta.telegram },
      alertmanager: { enabled: cfg.alertmanagerUrl !== null },
    },
  };
}

export async function startProbe(cfg: Config, opts: ProbeOptions): Promise<Probe> {
  // Every line the probe writes passes through here: no token or URL password reaches one.
  const log = opts.log.hiding([
    opts.token,
    cfg.telegram.botToken,
    ...urlPasswords(cfg.alertmanagerUrl),
    ...urlPasswords(cfg.metrics.url),
  ]);
  const hostname = opts.hostname ?? os.hostname();
  const startedAt = (opts.clock ?? realClock).wallMs();
  const cooldown = cooldownFor(cfg);
  const sources = opts.sources ?? (cfg.enabled ? buildSources(cfg) : []);

  const telegramLog = log.child("telegram");
  const telegram = createTelegram(cfg.telegram, { log: telegramLog });
  const deliveries: Record<string, number> = {};
  telegram.onDelivery((key, action, outcome) => {
    deliveries[outcome] = (deliveries[outcome] ?? 0) + 1;
    // a failed delivery was logged as an error where it failed; this line counts it
    telegramLog[outcome === "sent" ? "info" : "warn"]("delivery", { key, action, outcome });
  });
  const alertmanager: Alertmanager | null = cfg.alertmanagerUrl
    ? createAlertmanager(cfg.alertmanagerUrl, {
        hostname,
        cooldownFor: cooldown,
        log: log.child("alertmanager"),
      })
    : null;

  const decisions: Record<Action, number> = { alert: 0, repeat: 0, recovery: 0 };
  let server: ServerHandle | null = null;

  const loopLog = log.child("loop");
  const sourceLogs = new Map(sources.map((s) => [s.name, log.child("source", { source: s.name })]));
  const onDecision = (ev: DecisionEvent) => {
    decisions[ev.action]++;
    const text = renderDecision(cfg.lang, ev, { hostname, cooldownS: cooldown(ev.signal.kind) });
    // Telegram refusing its messages is not news Telegram can carry (notify/delivery-signal.ts)
    const delivery = aboutTelegramDelivery(ev.signal)
      ? "failed"
      : telegram.enqueue({ key: ev.signal.key, action: ev.action, html: text.html, plain: text.plain });
    alertmanager?.post(ev, text.plain);
    const msg: Decision = {
      type: "decision",
      seq: ev.seq,
      at: new Date(ev.at).toISOString(),
      key: ev.signal.key,
      kind: ev.signal.kind,
      entity: ev.signal.entity,
      action: ev.action,
      text: text.plain,
      delivery: { telegram: delivery },
    };
    loopLog[ev.action === "recovery" ? "info" : "warn"]("decision", {
      action: ev.action,
      key: ev.signal.key,
      title: ev.signal.title,
      telegram: delivery,
    });
    server?.broadcast(msg);
  };

  const loop = new TickLoop({
    enabled: cfg.enabled,
    tickS: cfg.tickS,
    sources,
    cooldownFor: cooldown,
    orchIdle: orchIdle(cfg),
    texts: signalTexts(cfg.lang),
    ownSignals: telegram.enabled ? () => [telegramDeliverySignal(telegram.stats(), signalTexts(cfg.lang))] : undefined,
    clock: opts.clock,
    monoNow: opts.monoNow,
    onDecision,
    onSnapshot: (s) => server?.broadcast(s),
    // a failed source is reported (and alerted on as source_error) and tried again next tick
    onSourceError: (source, error) => sourceLogs.get(source)?.warn("source_error", { error }),
    log: loopLog,
  });

  let loopDelay: LoopDelayMonitor | null = null;
  const figures = (): ProbeFigures => {
    const snap = loop.snapshot;
    const health = loop.health();
    const tg = telegram.enabled ? telegram.stats() : null;
    const am = alertmanager?.stats() ?? null;
    const lastMs = new Map(snap.sources.map((s) => [s.name, s.ms]));
    return {
      up: health.ok,
      enabled: cfg.enabled,
      build: { version: PROBE_VERSION, node: process.version },
      startedAtMs: startedAt,
      ticksTotal: loop.ticks,
      lastTickMs: loop.ticks ? snap.tickMs : null,
      lastTickAgeMs: health.lastTickAgeMs,
      tickAgeBoundMs: health.boundMs,
      eventLoopDelay: loopDelay?.read() ?? null,
      signals: signalStates(snap),
      decisions,
      sources: sources.map((s) => ({
        name: s.name,
        lastMs: lastMs.get(s.name) ?? null,
        errorsTotal: loop.sourceErrors.get(s.name) ?? 0,
      })),
      telegram: tg && {
        deliveries,
        outboxDepth: tg.depth,
        droppedTotal: tg.dropped,
        failedAttempts: tg.attemptFailures,
      },
      alertmanager: am && { posts: { sent: am.sent, failed: am.failed, dropped: am.dropped } },
      stream: server && server.stats(),
      rssBytes: process.memoryUsage.rss(),
    };
  };

  if (cfg.ws.enabled) {
    if (!opts.token) throw new Error("WATCHDOG_WS_TOKEN: required when the stream is on");
    const hello = buildHello(cfg, { hostname, startedAt, telegram: telegram.enabled });
    server = await startServer({
      host: cfg.ws.host,
      port: cfg.ws.port,
      token: opts.token,
      hello: () => hello,
      snapshot: () => loop.snapshot,
      alive: () => loop.health(),
      metricsText: () => renderSelfMetrics(figures()),
      pingIntervalMs: opts.pingIntervalMs,
      log: log.child("http"),
    });
    // only /metrics reads it, so it runs only with the server
    loopDelay = monitorLoopDelay();
  }
  loop.start();

  return {
    url: server?.url ?? null,
    loop,
    telegram,
    sourceNames: sources.map((s) => s.name),
    async stop() {
      await loop.stop();
      loopDelay?.stop();
      await Promise.allSettled([
        server?.close(),
        telegram.flush(500).then(() => telegram.stop()),
        alertmanager?.flush(500).then(() => alertmanager.stop()),
      ]);
    },
  };
}

/** A URL's password as written (percent-encoded) and as meant. */
function urlPasswords(url: string | null): string[] {
  if (url === null) return [];
  try {
    const p = new URL(url).password;
    return p ? [p, decodeURIComponent(p)] : [];
  } catch {
    return [];
  }
}
