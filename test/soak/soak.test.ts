// The short soak inside `npm test`: 1,000 ticks with a fixed seed and 1,000 with a
// random one (printed in the test name and the output; pass it to `npm run soak --
// --seed N --ticks 1000` to reproduce), and proof that each kind of check can fail.
// The full 10,000-tick run is `npm run soak`.
import { describe, expect, it } from "vitest";
import { TickLoop } from "../../probe/loop.js";
import type { Snapshot } from "../../probe/protocol.js";
import { makeSignal } from "../../probe/signals.js";
import type { SourceOutput } from "../../probe/source.js";
import { randomSeed } from "./prng.js";
import { runSoak, type Sabotage } from "./soak.js";
import { VirtualClock } from "./virtual-clock.js";

const FIXED_SEED = 3; // its 1,000 ticks hold two Telegram outages that fill the outbox
const RANDOM_SEED = randomSeed();
const SLOW = 180_000; // no timing is asserted; this only bounds a run on a loaded machine

async function soak(seed: number, ticks: number, sabotage?: Sabotage) {
  const r = await runSoak({ seed, ticks, sabotage, measureHeap: sabotage === undefined });
  // a sabotaged run is meant to fail: its FAILED line would only mislead a reader of the log
  if (sabotage === undefined) {
    console.log(r.summary);
    for (const v of r.violations.slice(0, 5)) console.log(`  ${v}`);
  }
  return r;
}

describe("soak, 1,000 ticks", () => {
  it(
    `fixed seed ${FIXED_SEED}: the model's alerts, reminders and recoveries all reach Telegram, in order, through outages`,
    async () => {
      const r = await soak(FIXED_SEED, 1000);
      expect(r.violations).toEqual([]);
      expect(r.ok).toBe(true);
      const f = r.figures;
      expect(f.ticks).toBe(1000);
      expect(f.delivered.alert).toBe(f.expected.alert);
      expect(f.delivered.recovery).toBe(f.expected.recovery);
      expect(f.delivered.repeat + f.evictedRepeats).toBe(f.expected.repeat);
      // the run really was hostile: every fault kind, every kind of refusal, a full outbox
      for (const n of ["throw", "hang", "garbage", "vanish"] as const) expect(f.faults![n]).toBeGreaterThan(0);
      for (const n of ["429", "5xx", "reset"] as const) expect(f.answers![n]).toBeGreaterThan(0);
      expect(f.maxOutbox).toBe(f.outboxMax);
      expect(f.evictedRepeats).toBeGreaterThan(0);
      expect(r.summary).toMatch(/^soak: 1000 ticks, seed 3, .*: OK$/);
    },
    SLOW,
  );

  it(
    `random seed ${RANDOM_SEED}: every check holds`,
    async () => {
      const r = await soak(RANDOM_SEED, 1000);
      expect(r.violations).toEqual([]);
      expect(r.ok).toBe(true);
    },
    SLOW,
  );
});

describe("the soak's checks can fail", () => {
  const cases: Array<[Sabotage, RegExp]> = [
    ["lose-alert", /^alert \S+ \(decision #\d+, tick \d+\) never reached Telegram$/],
    ["duplicate-alert", /delivered twice|again or out of order/],
    ["early-reminder", /reminder for proc_blocking:\d+ inside its cooldown/],
    ["stop-loop", /^the loop stopped: tick 101 never ran/],
  ];
  it.each(cases)(
    "%s is caught",
    async (sabotage, expected) => {
      const r = await soak(FIXED_SEED, 150, sabotage);
      expect(r.ok).toBe(false);
      expect(r.summary).toMatch(/FAILED \(\d+ violations\)$/);
      expect(
        r.violations.some((v) => expected.test(v)),
        r.violations.join("\n"),
      ).toBe(true);
    },
    SLOW,
  );
});

describe("a source returning junk signals (found by the soak)", () => {
  it("is a failed source: the loop keeps ticking, keeps the last good signals, and no junk reaches a snapshot", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const good: SourceOutput = { signals: [makeSignal("proc_blocking", "7", true, "critical", "pytest 7")] };
    const junk: unknown[] = [
      { signals: [null] },
      { signals: [42] },
      { signals: [{ ...good.signals[0], active: "yes" }] },
      { signals: [{ ...good.signals[0], key: "proc_blocking:8" }] },
      { signals: [{ ...good.signals[0], severity: "fatal" }] },
    ];
    let n = 0;
    const snaps: Snapshot[] = [];
    const actions: string[] = [];
    const loop = new TickLoop({
      enabled: true,
      tickS: 15,
      cooldownFor: () => 3600,
      clock,
      orchIdle: { configured: false, up: null, failures: 0, threshold: 3, lastOkAt: null, lastError: null },
      sources: [
        {
          name: "proc",
          timeoutMs: 1000,
          collect: async () => (n++ === 0 ? good : junk[(n - 2) % junk.length]) as SourceOutput,
        },
      ],
      onSnapshot: (s) => snaps.push(s),
      onDecision: (d) => actions.push(`${d.action} ${d.signal.key}`),
    });
    loop.start();
    for (let i = 0; i < 200 && snaps.length < 1 + junk.length; i++) {
      await new Promise((r) => setImmediate(r));
      if (snaps.length < 1 + junk.length) clock.fireNext();
    }
    await loop.stop();
    expect(snaps).toHaveLength(1 + junk.length);
    for (const s of snaps.slice(1)) {
      expect(s.sources[0]).toMatchObject({ name: "proc", ok: false });
      expect(s.sources[0]!.error).toMatch(/^returned a malformed signal: #0 /);
      expect(s.signals.map((g) => `${g.key} ${g.active}`)).toEqual(["proc_blocking:7 true", "source_error:proc true"]);
    }
    expect(actions).toEqual(["alert proc_blocking:7", "alert source_error:proc"]);
  });
});
