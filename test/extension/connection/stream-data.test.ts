// What a probe's stream has told us, across reconnects and probe restarts (no sockets).
import { describe, expect, it } from "vitest";
import { MAX_DECISIONS, StreamData } from "../../../extension/connection/stream-data.js";
import { makeDecision, makeHello, makeSnapshot } from "../../helpers/fake-probe.js";

const seqs = (d: StreamData) => d.decisions.map((x) => x.seq);

describe("StreamData", () => {
  it("keeps the latest hello and snapshot with its arrival time", () => {
    const d = new StreamData();
    const h = makeHello();
    d.onHello(h);
    d.onSnapshot(makeSnapshot(1), 1_000);
    const s = makeSnapshot(2);
    d.onSnapshot(s, 2_000);
    expect(d.hello).toBe(h);
    expect(d.snapshot).toBe(s);
    expect(d.snapshotReceivedAt).toBe(2_000);
  });

  it("a replay after a reconnect to the same probe adds nothing twice", () => {
    const d = new StreamData();
    d.onHello(makeHello());
    expect([3, 4].map((n) => d.addDecision(makeDecision(n)))).toEqual([true, true]);
    d.onHello(makeHello()); // reconnected: same hostname, pid and start time
    expect([3, 4, 5].map((n) => d.addDecision(makeDecision(n)))).toEqual([false, false, true]);
    expect(seqs(d)).toEqual([3, 4, 5]);
  });

  it("a restarted probe numbers from scratch: its decisions are kept, the old ones dropped", () => {
    const d = new StreamData();
    const h = makeHello();
    d.onHello(h);
    for (const n of [40, 41]) d.addDecision(makeDecision(n));
    d.onHello(makeHello({ probe: { ...h.probe, pid: h.probe.pid + 1, startedAt: "2026-06-15T04:00:00.000Z" } }));
    expect(seqs(d)).toEqual([]);
    expect(d.addDecision(makeDecision(2))).toBe(true);
    expect(seqs(d)).toEqual([2]);
  });

  it(`keeps the newest ${MAX_DECISIONS} decisions, newest last`, () => {
    const d = new StreamData();
    d.onHello(makeHello());
    for (let n = 1; n <= MAX_DECISIONS + 10; n++) d.addDecision(makeDecision(n));
    expect(d.decisions.length).toBe(MAX_DECISIONS);
    expect(d.decisions[0]?.seq).toBe(11);
    expect(d.decisions.at(-1)?.seq).toBe(MAX_DECISIONS + 10);
  });
});
