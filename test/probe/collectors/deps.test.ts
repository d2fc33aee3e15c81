import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createDepsSource, depTarget, tcpConnect } from "../../../probe/collectors/deps.js";
import { DepSchema, SignalSchema } from "../../../probe/protocol.js";
import { TickLoop, type DecisionEvent } from "../../../probe/loop.js";
import type { SourceOutput } from "../../../probe/source.js";
import { closedPort } from "../../helpers/ports.js";

const servers = new Set<net.Server>();
afterAll(async () => {
  await Promise.all([...servers].map(stop));
});

async function listen(port = 0): Promise<net.Server> {
  const s = net.createServer((c) => c.destroy());
  await new Promise<void>((resolve, reject) => {
    s.once("error", reject);
    s.listen(port, "127.0.0.1", () => resolve());
  });
  servers.add(s);
  return s;
}

async function stop(s: net.Server): Promise<void> {
  servers.delete(s);
  if (!s.listening) return;
  await new Promise<void>((r) => s.close(() => r()));
}

const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;

const ctx = () => ({ now: Date.now(), signal: new AbortController().signal });
const sig = (out: SourceOutput, name: string) => out.signals.find((s) => s.key === `dep_down:${name}`)!;

describe("tcpConnect", () => {
  it("connects to a real listener, and reports a refused port", async () => {
    const s = await listen();
    expect(await tcpConnect("127.0.0.1", portOf(s), { timeoutMs: 2000 })).toMatchObject({ ok: true, error: null });
    const refused = await tcpConnect("127.0.0.1", await closedPort(), { timeoutMs: 2000 });
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatch(/ECONNREFUSED 127\.0\.0\.1:\d+/);
  });

  it("settles at its timeout when the connect never progresses", async () => {
    // a name lookup that never answers stands in for a black-holed SYN
    const r = await tcpConnect("db.invalid", 5432, { timeoutMs: 200, lookup: () => undefined });
    expect(r).toMatchObject({ ok: false, error: "connect timed out after 0.2 s" });
  });

  it("stops when the tick is aborted", async () => {
    const ac = new AbortController();
    const p = tcpConnect("db.invalid", 5432, { timeoutMs: 60_000, signal: ac.signal, lookup: () => undefined });
    ac.abort();
    expect(await p).toMatchObject({ ok: false, error: "aborted" });
  });

  it("writes IPv6 targets with brackets", () => {
    expect(depTarget({ name: "db", host: "::1", port: 5432 })).toBe("[::1]:5432");
    expect(depTarget({ name: "db", host: "db", port: 5432 })).toBe("db:5432");
  });
});

describe("deps source", () => {
  it("checks every target in parallel and reports each one", async () => {
    const up = await listen();
    const downPort = await closedPort();
    const src = createDepsSource({
      targets: [
        { name: "postgres", host: "127.0.0.1", port: portOf(up) },
        { name: "redis", host: "127.0.0.1", port: downPort },
      ],
      timeoutS: 2,
      downTicks: 3,
    });
    expect(src.name).toBe("deps");
    expect(src.timeoutMs).toBe(3000);
    const out = await src.collect(ctx());
    for (const d of out.deps!) DepSchema.parse(d);
    for (const s of out.signals) SignalSchema.parse(s);
    expect(out.deps![0]).toMatchObject({ name: "postgres", target: `127.0.0.1:${portOf(up)}`, up: true });
    expect(out.deps![0]!.ms).toBeGreaterThanOrEqual(0);
    expect(out.deps![1]).toEqual({ name: "redis", target: `127.0.0.1:${downPort}`, up: false, ms: null });
    // one failed connect is not yet an outage
    expect(sig(out, "redis")).toMatchObject({
      active: false,
      title: `dependency redis (127.0.0.1:${downPort}) failed 1 of 3 checks`,
    });
    expect(sig(out, "postgres").active).toBe(false);
  });

  it("debounces: alerts after downTicks failures, one hiccup never alerts, recovers on the first success", async () => {
    const first = await listen();
    const port = portOf(first);
    const src = createDepsSource({ targets: [{ name: "db", host: "127.0.0.1", port }], timeoutS: 2, downTicks: 3 });
    const decisions: DecisionEvent[] = [];
    const loop = new TickLoop({
      enabled: true,
      tickS: 15,
      sources: [src],
      cooldownFor: () => 1800,
      orchIdle: { configured: false, up: null, failures: 0, threshold: 3, lastOkAt: null, lastError: null },
      onDecision: (d) => decisions.push(d),
    });
    let server: net.Server | null = first;
    const seen: (boolean | null)[] = [];
    // up, hiccup, up, then down for 3 ticks, then back
    for (const listening of [true, false, true, false, false, false, false, true]) {
      if (listening && !server) server = await listen(port);
      if (!listening && server) {
        await stop(server);
        server = null;
      }
      const snap = await loop.tick();
      seen.push(snap.deps[0]!.up);
    }
    expect(seen).toEqual([true, false, true, false, false, false, false, true]);
    expect(decisions.map((d) => d.action)).toEqual(["alert", "recovery"]);
    expect(decisions[0]!.signal.title).toBe(`dependency db (127.0.0.1:${port}) is down`);
    expect(decisions[0]!.signal.detail).toMatch(/failed 3 time\(s\) in a row \(alerts at 3\): connect ECONNREFUSED/);
  });

  it("keeps each dependency's count separate", async () => {
    const a = await listen();
    const bPort = await closedPort();
    const src = createDepsSource({
      targets: [
        { name: "a", host: "127.0.0.1", port: portOf(a) },
        { name: "b", host: "127.0.0.1", port: bPort },
      ],
      timeoutS: 2,
      downTicks: 2,
    });
    await src.collect(ctx());
    const out = await src.collect(ctx());
    expect(sig(out, "a").active).toBe(false);
    expect(sig(out, "b").active).toBe(true);
  });
});
