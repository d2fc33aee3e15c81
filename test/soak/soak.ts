// The fault-injection soak (issue 7): the REAL TickLoop for N ticks on a virtual clock,
// fake sources replaying a seeded timeline through a fault injector, and every decision
// sent by the REAL Telegram client over loopback HTTP to the fake Bot API, which fails
// per a seeded schedule with outage windows. Checked against the model (model.ts).
//
// Time. The loop's clock and the Telegram client's now/sleep are one VirtualClock; the
// driver fires its timers in order, so 10,000 ticks (41 h 40 min of probe time) need no
// real waiting, and a source that hangs is cut by the loop's own timeout in virtual time.
// Telegram's HTTP is real (loopback, the real client, the real fake server), because
// the point is the client's handling of real 429/5xx/reset/hang answers; only its
// pacing, retry_after and back-off waits are virtual. While a request is in flight the
// driver does not advance virtual time (it waits, in real time, until the client is
// asleep in a virtual wait or has nothing to do), so what happens depends on the seed
// only, not on how fast this machine is: a failing seed reproduces with --seed. The one
// real-time deadline left is the client's per-request timeout, which is how a "hang"
// answer ends (REQUEST_TIMEOUT_MS of real time each). If a healthy request ever took
// that long under load, the client would retry a message the fake already accepted:
// such duplicates are counted and reported separately, and are only tolerated up to
// the number of client timeouts that were not scripted hangs.
import { jsonLogger } from "../../probe/log.js";
import { TickLoop, type DecisionEvent } from "../../probe/loop.js";
import { createTelegram, type Telegram } from "../../probe/notify/telegram.js";
import { renderDecision } from "../../probe/notify/texts.js";
import { SnapshotSchema, type Snapshot } from "../../probe/protocol.js";
import { startFakeTelegram } from "../helpers/fake-telegram.js";
import { Checker } from "./checks.js";
import { heapMiB } from "./heap.js";
import { fitOutages, predict } from "./model.js";
import { SOURCE_TIMEOUT_MS, T0, TICK_MS, TICK_S, cooldownFor, makePlan } from "./plan.js";
import { emptyCounts, makeSources } from "./sources.js";
import { scriptFakeTelegram } from "./telegram-faults.js";
import { VirtualClock } from "./virtual-clock.js";

const REQUEST_TIMEOUT_MS = 300;

export interface SoakOptions {
  seed: number;
  ticks: number;
  /** the Telegram outbox bound (WATCHDOG_TELEGRAM_OUTBOX_MAX); small, so outages fill it */
  outboxMax?: number;
  /**
   * the heap is compared after this many ticks and at the end (default: 1,000, or a
   * tenth of the run but at least 300: the loop keeps recovered alerts for an hour,
   * 240 ticks, so its state is only steady after that)
   */
  heapWindow?: number;
  /** false skips the heap figures (and their check): the sabotage tests do not need them */
  measureHeap?: boolean;
  /** progress and report lines */
  print?: (line: string) => void;
  /** test-only: break one thing on purpose, to show that the checks catch it */
  sabotage?: Sabotage;
}

export type Sabotage =
  /** the 5th alert is never handed to Telegram */
  | "lose-alert"
  /** the 5th alert is handed to Telegram twice */
  | "duplicate-alert"
  /** the loop's proc_blocking cooldown is one tick shorter than configured */
  | "early-reminder"
  /** the loop is stopped after 100 ticks */
  | "stop-loop";

export interface SoakResult {
  ok: boolean;
  summary: string;
  violations: string[];
  figures: ReturnType<Checker["figures"]> & { heapStartMiB: number; heapEndMiB: number; realMs: number };
}

const yieldTurn = () => new Promise<void>((r) => setImmediate(r));
const realPause = () => new Promise<void>((r) => setTimeout(r, 1));
/** longer than any request can take (REQUEST_TIMEOUT_MS cuts it): the worker is stuck */
const STUCK_MS = 30_000;

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const started = Date.now();
  const print = opts.print ?? (() => undefined);
  const { seed, ticks } = opts;
  const outboxMax = opts.outboxMax ?? 100;
  const heapWindow = opts.heapWindow ?? Math.min(1000, Math.max(300, Math.floor(ticks / 10)), Math.max(1, ticks - 1));
  const lang = seed % 2 === 0 ? "en" : "ru";
  const measure = opts.measureHeap ?? true;

  const draft = makePlan(seed, ticks);
  const expected = predict(draft);
  const plan = { ...draft, outages: fitOutages(draft.outages, expected, outboxMax) };
  print(
    `soak: seed ${seed}, ${ticks} ticks of ${TICK_S} s (virtual), source timeout ${SOURCE_TIMEOUT_MS / 1000} s, ` +
      `outbox ${outboxMax}, ${plan.outages.length} Telegram outages (${plan.outages.map((o) => `${o.style} ${Math.round((o.to - o.from) / TICK_MS)} ticks`).join(", ")}), lang ${lang}`,
  );
  print(`soak: reproduce with: npm run soak -- --seed ${seed} --ticks ${ticks}`);

  const clock = new VirtualClock(T0);
  const check = new Checker(expected, plan, outboxMax);
  const onUnhandled = (e: unknown) =>
    check.violation(`unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.on("unhandledRejection", onUnhandled);

  const fake = await startFakeTelegram({ now: clock.now });
  const answers = scriptFakeTelegram(fake, seed, plan.outages, clock.now);
  let telegram: Telegram | null = null;
  let loop: TickLoop | null = null;
  let heapStart = 0,
    heapEnd = 0;
  try {
    const tg = createTelegram(
      { botToken: fake.token, chatId: "-100123", apiUrl: fake.apiUrl, outboxMax },
      {
        log: jsonLogger((s) => check.telegramLog(JSON.parse(s) as Record<string, unknown>)),
        now: clock.now,
        sleep: clock.sleep,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        minIntervalMs: 1000,
        initialBackoffMs: 1000,
        maxBackoffMs: 60_000,
      },
    );
    telegram = tg;
    tg.onDelivery((key, action, outcome) => check.outcome(key, action, outcome));

    const faults = emptyCounts();
    const sources = makeSources(plan, clock, faults, (why) => check.violation(why));
    let enqueued = 0,
      alerts = 0;
    const onDecision = (ev: DecisionEvent) => {
      check.decision(ev);
      const text = renderDecision(lang, ev, { hostname: "soak-host", cooldownS: cooldownFor(ev.signal.kind) });
      const mark = `#${ev.seq} `;
      const msg = { key: ev.signal.key, action: ev.action, html: mark + text.html, plain: mark + text.plain };
      const nth = ev.action === "alert" ? ++alerts : 0;
      if (opts.sabotage === "lose-alert" && nth === 5) return;
      for (let i = opts.sabotage === "duplicate-alert" && nth === 5 ? 2 : 1; i > 0; i--) {
        enqueued++;
        tg.enqueue(msg);
      }
    };
    const loopCooldown =
      opts.sabotage === "early-reminder"
        ? (kind: string) => cooldownFor(kind) - (kind === "proc_blocking" ? TICK_S : 0)
        : cooldownFor;
    loop = new TickLoop({
      enabled: true,
      tickS: TICK_S,
      sources,
      cooldownFor: loopCooldown,
      clock,
      onDecision,
      orchIdle: { configured: true, up: null, failures: 0, threshold: 3, lastOkAt: null, lastError: null },
      onSnapshot: (s: Snapshot) => check.snapshot(s, SnapshotSchema.safeParse(s)),
    });

    const pendingWork = () => {
      const st = tg.stats();
      return enqueued - st.sent - st.failed - st.dropped;
    };
    let stuck = false;
    /** Lets microtasks, I/O and the Telegram worker run until the client sleeps or is idle. */
    const settle = async () => {
      const since = Date.now();
      for (let i = 0; ; i++) {
        await yieldTurn();
        check.deliveries(fake.messages.splice(0));
        if (pendingWork() === 0 || clock.sleeping > 0 || stuck) return;
        if (Date.now() - since > STUCK_MS) {
          stuck = true;
          check.violation(
            `the Telegram worker neither sent nor waited for ${STUCK_MS / 1000} s with ${pendingWork()} message(s) to go`,
          );
          return;
        }
        if (i > 3) await realPause(); // a request in flight: real time, virtual time frozen
      }
    };

    loop.start();
    let lastReport = 0;
    for (;;) {
      await settle();
      const done = check.snapshots;
      if (done >= ticks || stuck) break;
      if (opts.sabotage === "stop-loop" && done === 100) void loop.stop();
      if (done === heapWindow && heapStart === 0 && measure) heapStart = await heapMiB();
      if (done - lastReport >= 1000) {
        lastReport = done;
        print(
          `soak: tick ${done}/${ticks}, outbox ${tg.stats().depth}, ${check.violationCount} violations, ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      }
      const overdue = T0 + done * TICK_MS + TICK_MS;
      if (clock.now() > overdue || clock.nextAt() === null) {
        check.violation(
          `the loop stopped: tick ${done + 1} never ran (virtual time ${new Date(clock.now()).toISOString()})`,
        );
        break;
      }
      clock.fireNext();
    }
    await loop.stop();
    await settle();
    if (measure) {
      heapEnd = await heapMiB();
      if (heapStart === 0) heapStart = heapEnd;
    }

    // Telegram comes back (no outage is scheduled past the end): let it deliver the rest.
    const deadline = clock.now() + 6 * 3600_000;
    while (pendingWork() > 0 && !stuck && clock.now() < deadline && clock.fireNext()) await settle();
    for (const e of clock.errors) check.violation(`a virtual timer threw: ${String(e)}`);
    check.finish(tg.stats(), faults, answers);
  } finally {
    await loop?.stop();
    await telegram?.stop();
    await fake.close();
    process.off("unhandledRejection", onUnhandled);
  }

  const grew = heapEnd > heapStart * 1.1;
  if (grew)
    check.violation(
      `heap grew: ${heapStart.toFixed(1)} MiB after ${heapWindow} ticks, ${heapEnd.toFixed(1)} MiB after ${ticks} (more than 10 %)`,
    );
  const figures = { ...check.figures(), heapStartMiB: heapStart, heapEndMiB: heapEnd, realMs: Date.now() - started };
  for (const line of check.reportLines()) print(line);
  const ok = check.violationCount === 0;
  const summary = `soak: ${ticks} ticks, seed ${seed}, ${check.summaryCore()}, ${measure ? `heap ${heapStart.toFixed(1)}→${heapEnd.toFixed(1)} MiB` : "heap not measured"}: ${ok ? "OK" : `FAILED (${check.violationCount} violations)`}`;
  return { ok, summary, violations: check.violationList(), figures };
}
