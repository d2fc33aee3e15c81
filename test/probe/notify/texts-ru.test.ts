// With WATCHDOG_LANG=ru every word the probe writes for people is Russian: the alert
// texts (texts-ru.ts) and the signal titles and details the collectors write
// (signal-texts.ts). Only data stays as it is: commands, host names, paths, URLs,
// error codes, signal kinds, and a few names an engineer says as they are.
import { describe, expect, it } from "vitest";
import type { DecisionEvent } from "../../../probe/loop.js";
import type { Action, ProcessInfo, Signal } from "../../../probe/protocol.js";
import { buildPidReusedSignal, buildProcSignal } from "../../../probe/collectors/proc-parse.js";
import { matchRules, orchDownSignal } from "../../../probe/collectors/metrics.js";
import { makeSignal } from "../../../probe/signals.js";
import { SIGNAL_EN, SIGNAL_RU, type SignalTexts } from "../../../probe/signal-texts.js";
import { renderDecision } from "../../../probe/notify/texts.js";

const T0 = Date.UTC(2026, 5, 15, 2, 59, 0);
const ctx = { hostname: "ci-runner-3", cooldownS: 1800 };

/** Latin words a Russian engineer writes as they are. */
const ALLOW = new Set([
  "Watchdog",
  "Telegram",
  "Bot",
  "API",
  "PID",
  "pid",
  "ppid",
  "GET",
  "TCP",
  "docker",
  "compose",
  "statfs",
  "URL",
  "kill",
  "UTC",
]);

const ERROR = "connect ECONNREFUSED 127.0.0.1:9";
const proc: ProcessInfo = {
  pid: 23688,
  ppid: 1,
  comm: "pytest",
  state: "S",
  ageS: 26 * 3600 + 5 * 60,
  startedAt: "2026-06-14T00:54:00.000Z",
  orphaned: true,
  blocking: true,
  argv: ["python", "-m", "pytest", "tests/test_x.py", "-k", "slow"],
  cmdline: "python -m pytest tests/test_x.py -k slow",
};

/** the Bot API's words, data like any error text */
const TG_ERROR = "HTTP 403: Forbidden: bot was blocked by the user";

/** One call of every SignalTexts entry, so a new one without a Russian text fails here. */
function everyText(tx: SignalTexts): Record<keyof SignalTexts, string> {
  return {
    duration: tx.duration(93_900),
    procTitle: tx.procTitle("pytest", 23688, tx.duration(93_900)),
    procWho: tx.procWho(23688, "pytest", "S", 1, true),
    procRunning: tx.procRunning(tx.duration(93_900), "2026-06-14T00:54:00.000Z"),
    procCmdline: tx.procCmdline(proc.cmdline),
    procReusedTitle: tx.procReusedTitle("pytest", 23688),
    procReusedDetail: tx.procReusedDetail(23688),
    orchUp: tx.orchUp,
    orchDownTitle: tx.orchDownTitle(null, 14, 3),
    orchDownDetail: tx.orchDownDetail("http://orch:9100/metrics", 14),
    ruleDetail: tx.ruleDetail("agent_hung=orch_agent_hung>0"),
    sourceFailed: tx.sourceFailed("docker", ERROR),
    depTitle: [
      tx.depTitle("postgres", "db:5432", { down: true, ok: false, failures: 3, of: 3 }),
      tx.depTitle("postgres", "db:5432", { down: false, ok: true, failures: 0, of: 3 }),
      tx.depTitle("postgres", "db:5432", { down: false, ok: false, failures: 1, of: 3 }),
    ].join("\n"),
    depOk: tx.depOk("db:5432", 3),
    depFailed: tx.depFailed("db:5432", 3, 3, ERROR),
    diskUnreadableTitle: tx.diskUnreadableTitle("/data", "EACCES"),
    diskUnreadableDetail: tx.diskUnreadableDetail("/data", "EACCES"),
    diskReadableAgain: tx.diskReadableAgain("/data"),
    diskUnknown: tx.diskUnknown,
    diskTitle: [tx.diskTitle("/data", "93%", "90%", true), tx.diskTitle("/data", "50%", "90%", false)].join("\n"),
    diskActiveDetail: tx.diskActiveDetail("/data", "93%", 90, "85%"),
    diskIdleDetail: tx.diskIdleDetail("90%", "85%"),
    containerMissing: tx.containerMissing,
    containerDownTitle: [
      tx.containerDownTitle("orch", true, tx.containerMissing),
      tx.containerDownTitle("orch", false, ""),
    ].join("\n"),
    containerDownDetail: tx.containerDownDetail(tx.containerMissing),
    containerRestarted: tx.containerRestarted("orch", 2, "2026-06-15T02:00:00.000Z", 5),
    containerUnhealthyTitle: [
      tx.containerUnhealthyTitle("orch", true, ""),
      tx.containerUnhealthyTitle("orch", false, tx.noHealthCheck),
    ].join("\n"),
    containerHealthFailing: tx.containerHealthFailing(4, "orch"),
    noHealthCheck: tx.noHealthCheck,
    noContainer: tx.noContainer,
    deliveryFailingTitle: tx.deliveryFailingTitle("Telegram", TG_ERROR),
    deliveryFailingDetail: tx.deliveryFailingDetail(3),
    deliveryWorks: tx.deliveryWorks("Telegram"),
  };
}

/** Representative signals of every kind, built the way the collectors build them. */
function signals(tx: SignalTexts): Signal[] {
  const all = everyText(tx);
  const rule = {
    name: "agent_hung",
    metric: "orch_agent_hung",
    labels: {},
    op: ">" as const,
    value: 0,
    source: "agent_hung=orch_agent_hung>0",
  };
  return [
    buildProcSignal(proc, "pytest", tx),
    buildPidReusedSignal(23688, "pytest", tx),
    orchDownSignal({ failures: 14, down: true }, 3, ERROR, "http://orch:9100/metrics", tx),
    orchDownSignal({ failures: 0, down: false }, 3, null, "http://orch:9100/metrics", tx),
    ...matchRules([rule], [{ name: "orch_agent_hung", labels: { agent: "a1" }, value: 1 }], tx).signals,
    makeSignal("disk_ceiling", "/data", true, "critical", all.diskTitle, all.diskActiveDetail),
    makeSignal(
      "container_down",
      "orch",
      true,
      "critical",
      all.containerDownTitle,
      `${all.containerDownDetail}; ${all.containerRestarted}`,
    ),
    makeSignal("container_unhealthy", "orch", true, "warning", all.containerUnhealthyTitle, all.containerHealthFailing),
    makeSignal("dep_down", "postgres", true, "critical", all.depTitle, all.depFailed),
    makeSignal("source_error", "host:/data", true, "warning", all.diskUnreadableTitle, all.diskUnreadableDetail),
    makeSignal("source_error", "docker", true, "warning", all.sourceFailed, ERROR),
    makeSignal("delivery_failing", "telegram", true, "critical", all.deliveryFailingTitle, all.deliveryFailingDetail),
    makeSignal("container_down", "orch", false, "critical", all.noContainer, Object.values(all).join("\n")),
  ];
}

function event(signal: Signal, action: Action): DecisionEvent {
  const after = action === "alert" ? 0 : 93_900_000;
  return {
    seq: 1,
    at: T0 + after,
    action,
    signal: { ...signal, active: action !== "recovery" },
    state: { firing: action !== "recovery", since: T0, lastNotifiedAt: T0 + after, notifications: 3 },
  };
}

const unescape = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** The Latin words left once data (the commands to paste, values we put in) is taken out. */
function englishWords(plain: string, html: string, data: readonly string[]): string[] {
  let text = plain;
  // the commands to paste; the detail lines are <code> too, but their words are ours
  const code = [...html.matchAll(/<code>([^<]*)<\/code>/g)]
    .map((m) => unescape(m[1]!))
    .filter((c) => /^(kill|docker|df) /.test(c));
  for (const d of [...code, ...data].sort((a, b) => b.length - a.length)) text = text.split(d).join(" ");
  return (text.match(/[A-Za-z0-9/][A-Za-z0-9_./:=-]*/g) ?? [])
    .map((w) => w.replace(/[.:=-]+$/, "")) // "cmdline:" is the word cmdline
    .filter((w) => /[A-Za-z]/.test(w) && !ALLOW.has(w) && !/[0-9_./:=]/.test(w)); // identifiers, paths, URLs, 2xx
}

const DATA = [
  "ci-runner-3",
  "pytest",
  "python -m pytest tests/test_x.py -k slow",
  "http://orch:9100/metrics",
  ERROR,
  "agent_hung=orch_agent_hung>0",
  "agent_hung",
  "orch_agent_hung",
  'agent="a1"',
  "container_down",
  "orchestrator",
  "orch",
  "postgres",
  "host:/data",
  "EACCES",
  "S",
  "WATCHDOG_DISK_PATHS",
  "WATCHDOG_DISK_CEILING_PCT",
  TG_ERROR,
  "telegram",
  "WATCHDOG_TELEGRAM_BOT_TOKEN",
  "WATCHDOG_TELEGRAM_CHAT_ID",
];

describe("Russian probe texts", () => {
  it("have a Russian text for every signal text, and it differs from the English one", () => {
    const ru = everyText(SIGNAL_RU);
    const en = everyText(SIGNAL_EN);
    for (const k of Object.keys(en) as Array<keyof SignalTexts>) {
      if (k === "orchDownDetail" || k === "depOk" || k === "ruleDetail") continue; // checked by the scan below
      expect({ k, ru: ru[k] }).not.toEqual({ k, ru: en[k] });
    }
    expect(ru.duration).toBe("1 д 2 ч");
    expect(SIGNAL_RU.duration(26 * 3600 + 5 * 60 + 9)).toBe("1 д 2 ч");
    expect(SIGNAL_RU.duration(5 * 3600 + 5 * 60)).toBe("5 ч 5 мин");
    expect(SIGNAL_RU.duration(45)).toBe("45 с");
  });

  for (const action of ["alert", "repeat", "recovery"] as const) {
    it(`${action}: no English word is left in any kind's alert text`, () => {
      for (const sig of signals(SIGNAL_RU)) {
        const r = renderDecision("ru", event(sig, action), ctx);
        expect({ kind: sig.kind, title: sig.title, words: englishWords(r.plain, r.html, DATA) }).toEqual({
          kind: sig.kind,
          title: sig.title,
          words: [],
        });
      }
    });
  }

  it("the scan finds English where it is left (the same signals in English)", () => {
    const sig = buildProcSignal(proc, "pytest", SIGNAL_EN);
    const r = renderDecision("ru", event(sig, "alert"), ctx);
    expect(englishWords(r.plain, r.html, DATA)).toEqual(expect.arrayContaining(["running", "for", "state", "cmdline"]));
  });

  it("an orphaned pytest reads in Russian, durations included", () => {
    const r = renderDecision("ru", event(buildProcSignal(proc, "pytest", SIGNAL_RU), "repeat"), ctx).plain;
    expect(r).toContain("pytest 23688 работает уже 1 д 2 ч");
    expect(r).toContain("командная строка: python -m pytest tests/test_x.py -k slow");
    expect(r).toContain("Что сделать:");
    const orch = renderDecision(
      "ru",
      event(orchDownSignal({ failures: 14, down: true }, 3, ERROR, "http://orch:9100/metrics", SIGNAL_RU), "alert"),
      ctx,
    ).plain;
    expect(orch).toContain("GET http://orch:9100/metrics не отвечает кодом 2xx уже 14 проверок подряд");
  });
});
