// /healthz and /metrics of the assembled probe (probe/app.ts) while a source hangs: the real
// HTTP server and tick loop, a source whose collect does not come back until the test lets
// go (its timeout is an hour away), and a monotonic clock the test moves past the bound.
import { afterEach, describe, expect, it } from "vitest";
import { startProbe, type Probe } from "../../probe/app.js";
import { parseConfig, type Config } from "../../probe/config.js";
import { captureLog } from "../helpers/log.js";
import { get } from "./server/client.js";
import { gatedSource } from "../helpers/gated-source.js";

const TOKEN = "liveness-token-0123456789abcdef";

function config(env: Record<string, string>): Config {
  const r = parseConfig(env);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.config;
}

/** Polls (bounded) until `cond` holds. */
async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; !(await cond()); i++) {
    if (i > 1000) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function sample(metrics: string, name: string): number | undefined {
  const line = metrics.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

let probe: Probe | null = null;
const stuck = gatedSource("stuck");
afterEach(async () => {
  stuck.release();
  await probe?.stop();
  probe = null;
});

describe("liveness of the assembled probe", () => {
  it("/healthz turns 503 naming the source a tick waits on, and 200 again once ticks complete", async () => {
    const clock = { mono: 0 };
    const { log } = captureLog();
    const cfg = config({ WATCHDOG_TICK_S: "0.02", WATCHDOG_WS_PORT: "0", WATCHDOG_WS_TOKEN: TOKEN });
    probe = await startProbe(cfg, { log, token: TOKEN, sources: [stuck], monoNow: () => clock.mono });
    const port = Number(new URL(probe.url!).port);
    const loop = probe.loop;

    await until(() => loop.ticks >= 2, "two ticks");
    expect(await get(port, "/healthz")).toMatchObject({ status: 200, body: "ok\n" });
    const healthy = await get(port, "/metrics");
    expect(sample(healthy.body, "watchdog_up")).toBe(1);
    expect(sample(healthy.body, "watchdog_last_tick_age_seconds")).toBe(0);

    stuck.hold = true;
    const calls = stuck.calls;
    await until(() => stuck.calls > calls, "a tick to ask the stuck source");
    const tick = loop.ticks;
    clock.mono += loop.healthBoundMs + 1_000;

    const down = await get(port, "/healthz");
    expect(down.status).toBe(503);
    expect(down.body).toMatch(
      new RegExp(
        `^tick loop not alive: tick ${tick} started 3611\\.04 s ago, waiting on stuck; last completed tick ${tick - 1} ended 3611\\.04 s ago \\(bound 3610\\.04 s\\)\\n$`,
      ),
    );
    const stale = await get(port, "/metrics");
    expect(sample(stale.body, "watchdog_up")).toBe(0);
    expect(sample(stale.body, "watchdog_last_tick_age_seconds")).toBe(3611.04);
    expect(sample(stale.body, "watchdog_last_tick_age_bound_seconds")).toBe(3610.04);

    stuck.release();
    await until(async () => (await get(port, "/healthz")).status === 200, "/healthz to answer 200 again");
    // and stays so while the ticks after the stuck one complete
    await until(() => loop.ticks > tick + 2, "two more ticks");
    expect(await get(port, "/healthz")).toMatchObject({ status: 200, body: "ok\n" });
    const again = await get(port, "/metrics");
    expect(sample(again.body, "watchdog_up")).toBe(1);
    expect(sample(again.body, "watchdog_last_tick_age_seconds")).toBe(0);
  });

  it("/metrics reports the event-loop delay as a summary, and a stall in its max", async () => {
    const { log } = captureLog();
    const cfg = config({ WATCHDOG_TICK_S: "0.02", WATCHDOG_WS_PORT: "0", WATCHDOG_WS_TOKEN: TOKEN });
    probe = await startProbe(cfg, { log, token: TOKEN, sources: [stuck] });
    const port = Number(new URL(probe.url!).port);
    let body = "";
    // the monitor's first interval only starts its measuring, it is no sample
    await until(async () => {
      body = (await get(port, "/metrics")).body;
      return (sample(body, "watchdog_event_loop_delay_seconds_count") ?? 0) > 0;
    }, "a first event-loop delay sample");
    // hold the event loop for 200 ms, as a long synchronous scan would
    const t0 = performance.now();
    while (performance.now() - t0 < 200);
    await until(async () => {
      body = (await get(port, "/metrics")).body;
      return (sample(body, "watchdog_event_loop_delay_max_seconds") ?? 0) > 0.15;
    }, "the stall to show in the event-loop delay");
    expect(body).toContain("# TYPE watchdog_event_loop_delay_seconds summary\n");
    const p50 = sample(body, 'watchdog_event_loop_delay_seconds{quantile="0.5"}')!;
    const p99 = sample(body, 'watchdog_event_loop_delay_seconds{quantile="0.99"}')!;
    const max = sample(body, "watchdog_event_loop_delay_max_seconds")!;
    expect(p50).toBeGreaterThanOrEqual(0);
    expect(p99).toBeGreaterThanOrEqual(p50);
    expect(max).toBeGreaterThanOrEqual(p99);
    expect(sample(body, "watchdog_event_loop_delay_seconds_count")).toBeGreaterThan(0);
    expect(sample(body, "watchdog_event_loop_delay_seconds_sum")).toBeGreaterThan(0);
  });
});
