import { describe, expect, it } from "vitest";
import { captureLog } from "../helpers/log.js";
import { TickLoop, type DecisionEvent, type LoopOptions } from "../../probe/loop.js";
import { SnapshotSchema, type OrchState } from "../../probe/protocol.js";
import { makeSignal } from "../../probe/signals.js";
import type { Source, SourceOutput } from "../../probe/source.js";

const orchIdle: OrchState = { configured: false, up: null, failures: 0, threshold: 3, lastOkAt: null, lastError: null };

/** A source whose answer for each tick is scripted: an output, an error to throw, or "hang". */
function scripted(
  name: string,
  script: (tick: number) => SourceOutput | Error | "hang",
  timeoutMs = 50,
): Source & { calls: number } {
  const src = {
    name,
    timeoutMs,
    calls: 0,
    async collect({ signal }: { signal: AbortSignal }) {
      const r = script(src.calls++);
      if (r === "hang")
        return new Promise<SourceOutput>((_, reject) =>
          signal.addEventListener("abort", () => reject(new Error("aborted"))),
        );
      if (r instanceof Error) throw r;
      return r;
    },
  };
  return src;
}

const blocking = (...pids: number[]): SourceOutput => ({
  signals: pids.map((p) => makeSignal("proc_blocking", String(p), true, "critical", `pytest ${p}`)),
});

function harness(sources: Source[], extra: Partial<LoopOptions> = {}) {
  // a clock pair: `advance` moves both (time passes), `stepWall` only the wall clock (NTP, `date -s`)
  let mono = 1_000;
  let wallOffset = Date.parse("2026-06-15T00:00:00Z") - mono;
  const decisions: DecisionEvent[] = [];
  const loop = new TickLoop({
    enabled: true,
    tickS: 15,
    sources,
    orchIdle,
    cooldownFor: () => 1800,
    clock: {
      wallMs: () => mono + wallOffset,
      monoMs: () => mono,
      setTimeout: (f, ms) => setTimeout(f, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    },
    onDecision: (d) => decisions.push(d),
    ...extra,
  });
  return {
    loop,
    decisions,
    advance(s: number) {
      mono += s * 1000;
    },
    stepWall(s: number) {
      wallOffset += s * 1000;
    },
    actions: () => decisions.map((d) => `${d.action} ${d.signal.key}`),
  };
}

describe("TickLoop", () => {
  it("alerts once per pid, stays quiet in the cooldown, recovers a pid that vanished", async () => {
    const timeline = [[4242], [4242, 7], [4242, 7], [7], []];
    const h = harness([scripted("proc", (t) => blocking(...(timeline[t] ?? [])))]);
    for (let i = 0; i < timeline.length; i++) {
      await h.loop.tick();
      h.advance(15);
    }
    expect(h.actions()).toEqual([
      "alert proc_blocking:4242",
      "alert proc_blocking:7",
      "recovery proc_blocking:4242",
      "recovery proc_blocking:7",
    ]);
  });

  it("a recovery is told as its alert was: kind, entity, severity, title and detail of the last active signal", async () => {
    const dep = (down: boolean) =>
      makeSignal(
        "dep_down",
        "postgres",
        down,
        down ? "critical" : "info",
        down ? "dependency postgres is down" : "dependency postgres is up",
        down ? "TCP connect failed" : "TCP connect took 3 ms",
      );
    const proc = (title: string) => makeSignal("proc_blocking", "5", true, "critical", title, "python -m pytest");
    const timeline: SourceOutput[] = [
      { signals: [proc("pytest 5 running for 1h"), dep(true)] },
      { signals: [proc("pytest 5 running for 2h"), dep(true)] }, // a reminder, under its newer title
      { signals: [dep(false)] }, // the pytest exited; the dependency is back
    ];
    const h = harness([scripted("s", (t) => timeline[t] ?? { signals: [] })], { cooldownFor: () => 60 });
    for (let i = 0; i < timeline.length; i++) {
      await h.loop.tick();
      h.advance(60);
    }
    const told = h.decisions.map((d) => ({ action: d.action, ...d.signal }));
    const recoveries = told.filter((d) => d.action === "recovery");
    expect(recoveries).toEqual([
      { action: "recovery", ...dep(true), active: false },
      { action: "recovery", ...proc("pytest 5 running for 2h"), active: false },
    ]);
  });

  it("reminds after the cooldown", async () => {
    const h = harness([scripted("proc", () => blocking(1))], { cooldownFor: () => 60 });
    await h.loop.tick();
    h.advance(30);
    await h.loop.tick();
    h.advance(30);
    await h.loop.tick();
    expect(h.actions()).toEqual(["alert proc_blocking:1", "repeat proc_blocking:1"]);
    const alert = h.loop.snapshot.alerts.find((a) => a.key === "proc_blocking:1")!;
    expect(alert).toMatchObject({ firing: true, notifications: 2, cooldownUntil: "2026-06-15T00:02:00.000Z" });
  });

  it("a source that throws becomes source_error, and the others keep going", async () => {
    const h = harness([
      scripted("docker", () => new Error("connect ENOENT /var/run/docker.sock")),
      scripted("proc", () => blocking(9)),
    ]);
    const snap = await h.loop.tick();
    expect(snap.sources).toEqual([
      expect.objectContaining({ name: "docker", ok: false, error: "connect ENOENT /var/run/docker.sock" }),
      expect.objectContaining({ name: "proc", ok: true, error: null }),
    ]);
    expect(h.actions()).toEqual(["alert source_error:docker", "alert proc_blocking:9"]);
    expect(SnapshotSchema.parse(snap)).toBeTruthy();
  });

  it("a source that hangs times out, the tick finishes, and the source recovers when it answers", async () => {
    const h = harness([scripted("metrics", (t) => (t === 0 ? "hang" : { signals: [] }), 30)]);
    const snap = await h.loop.tick();
    expect(snap.sources[0]).toMatchObject({ ok: false, error: "timeout after 0.03 s" });
    h.advance(15);
    await h.loop.tick();
    expect(h.actions()).toEqual(["alert source_error:metrics", "recovery source_error:metrics"]);
  });

  it("a failing source does not make its firing signals look recovered", async () => {
    const h = harness([scripted("proc", (t) => (t === 1 ? new Error("EACCES /proc") : blocking(5)))]);
    await h.loop.tick();
    h.advance(15);
    const during = await h.loop.tick();
    h.advance(15);
    await h.loop.tick();
    expect(h.actions()).toEqual(["alert proc_blocking:5", "alert source_error:proc", "recovery source_error:proc"]);
    expect(during.alerts.find((a) => a.key === "proc_blocking:5")?.firing).toBe(true);
  });

  it("returns garbage → a source_error, never a crash", async () => {
    const h = harness([scripted("proc", () => ({ nonsense: true }) as unknown as SourceOutput)]);
    const snap = await h.loop.tick();
    expect(snap.sources[0]).toMatchObject({ ok: false, error: "returned no signals list" });
  });

  it.each([
    [
      "a junk process",
      { signals: [], processes: [{ pid: -1 }] },
      "returned a malformed processes list: #0 does not fit the protocol",
    ],
    [
      "processes that are not a list",
      { signals: [], processes: "4242" },
      "returned a malformed processes list: not a list",
    ],
    ["a junk orch state", { signals: [], orch: { up: "yes" } }, "returned a malformed orch state"],
    ["a null signal", { signals: [null] }, "returned a malformed signal: #0 is null"],
  ])(
    "a source that returns %s has failed, and the snapshot stays valid for every client",
    async (_what, output, error) => {
      const h = harness([scripted("proc", () => output as unknown as SourceOutput)]);
      const snap = await h.loop.tick();
      expect(snap.sources[0]).toMatchObject({ ok: false, error });
      expect(SnapshotSchema.safeParse(snap).success).toBe(true);
    },
  );

  it("a listener that throws does not stop the tick, and is logged as an error of the loop", async () => {
    const { log, lines } = captureLog();
    const h = harness([scripted("proc", () => blocking(1))], {
      onDecision: () => {
        throw new Error("boom");
      },
      log: log.child("loop"),
    });
    await expect(h.loop.tick()).resolves.toMatchObject({ type: "snapshot" });
    expect(lines).toEqual([
      expect.objectContaining({
        level: "error",
        component: "loop",
        event: "listener_failed",
        listener: "onDecision",
        error: "boom",
      }),
    ]);
  });

  it("ticks never overlap: a tick asked for during a tick is the same tick", async () => {
    const src = scripted("slow", () => "hang", 40);
    const h = harness([src]);
    const [a, b] = await Promise.all([h.loop.tick(), h.loop.tick()]);
    expect(a).toBe(b);
    expect(src.calls).toBe(1);
  });

  it("with the kill switch off it collects nothing, alerts nothing, and says enabled: false", async () => {
    const src = scripted("proc", () => blocking(1));
    const h = harness([src], { enabled: false });
    const snap = await h.loop.tick();
    expect(src.calls).toBe(0);
    expect(h.decisions).toEqual([]);
    expect(snap).toMatchObject({ enabled: false, processes: [], signals: [], alerts: [] });
    expect(SnapshotSchema.parse(snap)).toBeTruthy();
  });

  it("runs on its own until stopped, and stop waits for the tick in progress", async () => {
    const snaps: number[] = [];
    const loop = new TickLoop({
      enabled: true,
      tickS: 0.01,
      orchIdle,
      cooldownFor: () => 1800,
      sources: [scripted("proc", () => blocking(1))],
      onSnapshot: (s) => snaps.push(s.seq),
    });
    loop.start();
    await new Promise((r) => setTimeout(r, 200));
    await loop.stop();
    const count = snaps.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(count).toBeGreaterThan(1);
    expect(snaps.length).toBe(count);
    expect(snaps).toEqual([...snaps].sort((a, b) => a - b));
  });

  it("stopped and started again during a tick, it keeps one schedule and stop clears it", async () => {
    const timers = new Map<number, { fn: () => void; ms: number }>();
    let nextId = 0;
    const clock = {
      wallMs: () => 0,
      monoMs: () => 0,
      setTimeout: (fn: () => void, ms: number) => {
        timers.set(++nextId, { fn, ms });
        return nextId;
      },
      clearTimeout: (h: unknown) => {
        timers.delete(h as number);
      },
    };
    const fireDue = () => {
      for (const [id, t] of [...timers])
        if (t.ms === 0) {
          timers.delete(id);
          t.fn();
        }
    };
    let release: (() => void) | null = null;
    const gate: Source = {
      name: "gate",
      timeoutMs: 60_000,
      collect: () =>
        new Promise<SourceOutput>((r) => {
          release = () => r({ signals: [] });
        }),
    };
    const loop = new TickLoop({ enabled: true, tickS: 15, sources: [gate], orchIdle, cooldownFor: () => 1800, clock });
    loop.start();
    fireDue(); // the first tick starts and waits at the gate
    const stopping = loop.stop();
    loop.start();
    fireDue(); // the new start's first run joins the tick in progress
    expect(release).not.toBeNull();
    release!();
    await stopping;
    await new Promise((r) => setTimeout(r, 0)); // both runs resume after the tick
    expect([...timers.values()].map((t) => t.ms)).toEqual([15_000]);
    await loop.stop();
    expect(timers.size).toBe(0);
  });

  it("numbers decisions and snapshots from one counter, decisions of a tick before its snapshot", async () => {
    const h = harness([scripted("proc", () => blocking(1))]);
    const snap = await h.loop.tick();
    expect(h.decisions[0]!.seq).toBeLessThan(snap.seq);
  });
});
