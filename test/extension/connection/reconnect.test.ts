import { describe, expect, it } from "vitest";
import {
  BACKOFF_MAX_MS,
  backoffDelay,
  initialMachine,
  step,
  type ConnEvent,
  type Machine,
} from "../../../extension/connection/reconnect.js";

const mid = () => 0.5; // no jitter: the nominal delay
const run = (events: ConnEvent[], random = mid, start: Machine = initialMachine, now = 1_000) => {
  let m = start;
  const effects = [];
  for (const e of events) {
    const r = step(m, e, now, random);
    m = r.machine;
    effects.push(r.effects);
  }
  return { m, effects };
};
const fail = (reason = "connect ECONNREFUSED"): ConnEvent => ({ type: "closed", reason });

describe("reconnect state machine", () => {
  it.each([
    [
      "idle + start → connecting #1, opens",
      [{ type: "start" }],
      { phase: "connecting", attempt: 1 },
      [{ type: "open" }],
    ],
    [
      "connecting + hello → connected",
      [{ type: "start" }, { type: "opened" }, { type: "helloReceived" }],
      { phase: "connected", since: 1_000 },
      [],
    ],
    [
      "opened alone does not mean connected",
      [{ type: "start" }, { type: "opened" }],
      { phase: "connecting", attempt: 1 },
      [],
    ],
    [
      "connecting + network error → waiting 250 ms",
      [{ type: "start" }, fail()],
      { phase: "waiting", attempt: 2, retryAt: 1_250, reason: "connect ECONNREFUSED" },
      [{ type: "close" }, { type: "scheduleRetry", delayMs: 250 }],
    ],
    [
      "waiting + timer → connecting #2",
      [{ type: "start" }, fail(), { type: "retryTimerFired" }],
      { phase: "connecting", attempt: 2 },
      [{ type: "open" }],
    ],
    ...[401, 403, 404].map((httpStatus) => [
      `HTTP ${httpStatus} → failed, no retry`,
      [{ type: "start" }, { type: "closed", reason: "Unexpected server response", httpStatus }],
      { phase: "failed", reason: expect.stringContaining(`HTTP ${httpStatus}`) as string },
      [{ type: "close" }],
    ]),
    [
      "HTTP 503 (too many clients) is retried",
      [{ type: "start" }, { type: "closed", reason: "x", httpStatus: 503 }],
      { phase: "waiting", attempt: 2, retryAt: 1_250, reason: "HTTP 503 (probe has too many clients)" },
      [{ type: "close" }, { type: "scheduleRetry", delayMs: 250 }],
    ],
    [
      "fatal close (host key refused) → failed",
      [{ type: "start" }, { type: "closed", reason: "host key CHANGED", fatal: true }],
      { phase: "failed", reason: "host key CHANGED" },
      [{ type: "close" }],
    ],
    [
      "failed + timer → still failed",
      [{ type: "start" }, { type: "closed", reason: "x", httpStatus: 401 }, { type: "retryTimerFired" }],
      { phase: "failed", reason: expect.any(String) as string },
      [],
    ],
    [
      "failed + start (user acts) → connecting #1",
      [{ type: "start" }, { type: "closed", reason: "x", httpStatus: 401 }, { type: "start" }],
      { phase: "connecting", attempt: 1 },
      [{ type: "open" }],
    ],
    [
      "waiting + start → connects now, timer cancelled",
      [{ type: "start" }, fail(), { type: "start" }],
      { phase: "connecting", attempt: 2 },
      [{ type: "cancelRetry" }, { type: "open" }],
    ],
    [
      "connected + stop → idle, closes",
      [{ type: "start" }, { type: "helloReceived" }, { type: "stop" }],
      { phase: "idle" },
      [{ type: "cancelRetry" }, { type: "close" }],
    ],
    [
      "waiting + stop → idle, cancels the timer",
      [{ type: "start" }, fail(), { type: "stop" }],
      { phase: "idle" },
      [{ type: "cancelRetry" }, { type: "close" }],
    ],
    ["idle ignores a late close", [fail()], { phase: "idle" }, []],
    ["idle ignores a late timer", [{ type: "retryTimerFired" }], { phase: "idle" }, []],
    [
      "a second start while connecting opens nothing",
      [{ type: "start" }, { type: "start" }],
      { phase: "connecting", attempt: 1 },
      [],
    ],
    [
      "waiting ignores a duplicate close",
      [{ type: "start" }, fail(), fail("again")],
      { phase: "waiting", attempt: 2, retryAt: 1_250, reason: "connect ECONNREFUSED" },
      [],
    ],
  ] as [string, ConnEvent[], unknown, unknown][])("%s", (_name, events, state, lastEffects) => {
    const { m, effects } = run(events);
    expect(m.state).toEqual(state);
    expect(effects.at(-1)).toEqual(lastEffects);
  });

  it("doubles from 250 ms up to 30 s on consecutive failures", () => {
    let m = initialMachine;
    const delays: number[] = [];
    m = step(m, { type: "start" }, 0, mid).machine;
    for (let i = 0; i < 12; i++) {
      const r = step(m, fail(), 0, mid);
      const fx = r.effects.find((e) => e.type === "scheduleRetry");
      delays.push(fx ? fx.delayMs : -1);
      m = step(r.machine, { type: "retryTimerFired" }, 0, mid).machine;
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000]);
  });

  it("jitter stays within ±20 % and never exceeds 30 s", () => {
    for (const r of [0, 0.25, 0.999999]) {
      for (let n = 1; n <= 20; n++) {
        const d = backoffDelay(n, r);
        const nominal = Math.min(BACKOFF_MAX_MS, 250 * 2 ** (n - 1));
        expect(d).toBeGreaterThanOrEqual(Math.floor(nominal * 0.8));
        expect(d).toBeLessThanOrEqual(Math.min(BACKOFF_MAX_MS, Math.ceil(nominal * 1.2)));
      }
    }
    expect(backoffDelay(1, 0)).toBe(200);
    expect(backoffDelay(1, 0.999999)).toBe(300);
  });

  it("a connection that stayed up resets the backoff; a flapping one keeps growing it", () => {
    // five failures, then a connection
    let m = step(initialMachine, { type: "start" }, 0, mid).machine;
    for (let i = 0; i < 5; i++) m = step(step(m, fail(), 0, mid).machine, { type: "retryTimerFired" }, 0, mid).machine;
    m = step(m, { type: "helloReceived" }, 100_000, mid).machine;
    const flap = step(m, fail("closed by the probe"), 101_000, mid);
    expect(flap.effects).toContainEqual({ type: "scheduleRetry", delayMs: 8000 });
    const stable = step(m, fail("closed by the probe"), 200_000, mid);
    expect(stable.effects).toContainEqual({ type: "scheduleRetry", delayMs: 250 });
    expect(stable.machine.state).toMatchObject({ phase: "waiting", attempt: 1 });
  });
});

describe("a probe of a newer protocol", () => {
  const incompatible: ConnEvent = {
    type: "incompatible",
    protocol: 2,
    reason: "this probe speaks protocol 2; update the extension (it speaks 1)",
  };

  it("ends in failed with the probe's version, closes the socket, and schedules no retry", () => {
    const { m, effects } = run([{ type: "start" }, { type: "opened" }, incompatible]);
    expect(m.state).toEqual({ phase: "failed", reason: incompatible.reason, probeProtocol: 2 });
    expect(effects.at(-1)).toEqual([{ type: "cancelRetry" }, { type: "close" }]);
    // the socket's own close that follows changes nothing: still failed, still no retry
    const after = step(m, fail("closed by the probe (code 1006)"), 2_000, mid);
    expect(after).toEqual({ machine: m, effects: [] });
  });

  it("also from connected (a probe upgraded behind a reconnect), and a start tries again", () => {
    const { m } = run([{ type: "start" }, { type: "helloReceived" }, incompatible]);
    expect(m.state).toMatchObject({ phase: "failed", probeProtocol: 2 });
    expect(step(m, { type: "start" }, 5_000, mid).machine.state).toEqual({ phase: "connecting", attempt: 1 });
  });

  it("is ignored when no socket is open (idle, waiting)", () => {
    expect(run([incompatible]).m).toBe(initialMachine);
    const waiting = run([{ type: "start" }, fail()]).m;
    expect(step(waiting, incompatible, 1_000, mid)).toEqual({ machine: waiting, effects: [] });
  });
});
