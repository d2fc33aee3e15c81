// The wall clock stepped (NTP, `date -s`, a VM resumed): ticks keep their spacing,
// reminders their cooldown, and the text says how long something was really active.
import { describe, expect, it } from "vitest";
import { TickLoop, type Clock, type DecisionEvent } from "../../probe/loop.js";
import { renderDecision } from "../../probe/notify/texts.js";
import type { OrchState } from "../../probe/protocol.js";
import { makeSignal } from "../../probe/signals.js";
import type { Source, SourceOutput } from "../../probe/source.js";

const orchIdle: OrchState = { configured: false, up: null, failures: 0, threshold: 3, lastOkAt: null, lastError: null };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A clock pair: `pass` is time passing (both move), `step` moves the wall clock alone. Timers are recorded. */
function clockPair() {
  let mono = 5_000;
  let offset = Date.parse("2026-06-15T00:00:00Z") - mono;
  const timers: { fn: () => void; ms: number; live: boolean }[] = [];
  const clock: Clock = {
    wallMs: () => mono + offset,
    monoMs: () => mono,
    setTimeout: (fn, ms) => {
      const t = { fn, ms, live: true };
      timers.push(t);
      return t;
    },
    clearTimeout: (h) => {
      if (h) (h as { live: boolean }).live = false;
    },
  };
  return {
    clock,
    timers,
    pass: (ms: number) => (mono += ms),
    step: (ms: number) => (offset += ms),
  };
}

const blocking: Source = {
  name: "proc",
  timeoutMs: 60_000,
  collect: () => Promise.resolve({ signals: [makeSignal("proc_blocking", "42", true, "critical", "pytest 42")] }),
};

function loopOn(c: ReturnType<typeof clockPair>, sources: Source[] = [blocking], cooldownS = 60) {
  const decisions: DecisionEvent[] = [];
  const loop = new TickLoop({
    enabled: true,
    tickS: 15,
    sources,
    orchIdle,
    cooldownFor: () => cooldownS,
    clock: c.clock,
    onDecision: (d) => decisions.push(d),
  });
  return { loop, decisions, actions: () => decisions.map((d) => d.action) };
}

describe("TickLoop under wall-clock steps", () => {
  it("a step back between ticks does not silence the reminder; shown times move with the clock", async () => {
    const c = clockPair();
    const { loop, actions } = loopOn(c);
    await loop.tick();
    c.pass(30_000);
    c.step(-HOUR);
    await loop.tick();
    c.pass(30_000);
    const snap = await loop.tick();
    expect(actions()).toEqual(["alert", "repeat"]);
    // the alert began at 00:00:00 on the old clock; on the stepped clock that instant reads 23:00:00
    expect(snap.alerts[0]).toMatchObject({
      since: "2026-06-14T23:00:00.000Z",
      lastNotifiedAt: "2026-06-14T23:01:00.000Z",
      cooldownUntil: "2026-06-14T23:02:00.000Z",
    });
    expect(snap.at).toBe("2026-06-14T23:01:00.000Z");
  });

  it("a step forward of a day brings no early reminder, and the reminder says the real time active", async () => {
    const c = clockPair();
    const { loop, decisions, actions } = loopOn(c);
    await loop.tick();
    c.step(DAY);
    c.pass(30_000);
    await loop.tick();
    expect(actions()).toEqual(["alert"]);
    c.pass(30_000);
    await loop.tick();
    expect(actions()).toEqual(["alert", "repeat"]);
    const repeat = decisions[1]!;
    expect(repeat.at - repeat.state.since!).toBe(60_000);
    const text = renderDecision("en", repeat, { hostname: "h", cooldownS: 60 }).plain;
    expect(text).toContain("(active for 1m)");
    expect(text).not.toMatch(/active for \d+d/);
  });

  it("a step back during a tick does not hold the next tick back", async () => {
    const c = clockPair();
    const stepping: Source = {
      name: "proc",
      timeoutMs: 60_000,
      collect: () => {
        c.pass(2_000);
        c.step(-HOUR);
        return Promise.resolve({ signals: [] } as SourceOutput);
      },
    };
    const { loop } = loopOn(c, [stepping]);
    loop.start();
    c.timers.shift()!.fn(); // the first tick
    await loop.tick(); // joins it
    await new Promise((r) => setImmediate(r));
    const next = c.timers.filter((t) => t.live);
    expect(next.map((t) => t.ms)).toEqual([13_000]);
    await loop.stop();
  });
});
