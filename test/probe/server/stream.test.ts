// Every client rule of docs/protocol.md, against the real server and a real `ws` client on loopback.
import { afterEach, describe, expect, it } from "vitest";
import {
  CLOSE_POLICY,
  CLOSE_TRY_AGAIN,
  DECISION_REPLAY,
  DecisionSchema,
  HelloSchema,
  MAX_BACKLOG_BYTES,
  MAX_CLIENT_FRAME_BYTES,
  SnapshotSchema,
  type Decision,
  type Snapshot,
} from "../../../probe/protocol.js";
import { startServer, type ServerHandle, type ServerOptions } from "../../../probe/server/http.js";
import { connect, until, type TestClient } from "./client.js";
import { makeDecision, makeHello, makeSnapshot } from "./fixtures.js";

const TOKEN = "test-token-0123456789abcdef";
let server: ServerHandle | null = null;
const clients: TestClient[] = [];

async function start(over: Partial<ServerOptions> = {}): Promise<ServerHandle> {
  let snap: Snapshot = makeSnapshot(1);
  server = await startServer({
    host: "127.0.0.1",
    port: 0,
    token: TOKEN,
    hello: makeHello,
    snapshot: () => snap,
    alive: () => true,
    metricsText: () => "",
    ...over,
  });
  const s = server;
  const broadcast = s.broadcast.bind(s);
  // the latest snapshot follows broadcasts, as the tick loop's does
  s.broadcast = (m) => {
    if (m.type === "snapshot") snap = m;
    broadcast(m);
  };
  return s;
}

function client(token: string | null = TOKEN, opts = {}): TestClient {
  const c = connect(server!.url, token, opts);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = null;
});

describe("greeting", () => {
  it("sends hello, then the latest snapshot, then the last 50 decisions oldest first", async () => {
    const s = await start();
    for (let i = 1; i <= 60; i++) s.broadcast(makeDecision(100 + i, i % 3 === 0 ? "recovery" : "alert"));
    const latest = makeSnapshot(170, 5);
    s.broadcast(latest);
    const c = client();
    const frames = await c.received(2 + DECISION_REPLAY);
    expect(c.invalid).toEqual([]);
    expect(HelloSchema.parse(frames[0])).toEqual(makeHello());
    expect(SnapshotSchema.parse(frames[1])).toEqual(latest);
    const replay = frames.slice(2).map((f) => DecisionSchema.parse(f));
    expect(replay.map((d) => d.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 111 + i));
    expect(replay[49]).toEqual(makeDecision(160, "recovery"));
    expect(replay[48]).toEqual(makeDecision(159, "alert"));
  });

  it("greets with the snapshot callback's answer when nothing was broadcast yet, and no replay", async () => {
    await start();
    const c = client();
    await c.received(2);
    expect(c.frames.map((f) => f.type)).toEqual(["hello", "snapshot"]);
    expect(c.frames[1]).toEqual(makeSnapshot(1));
  });

  it("then streams each snapshot and decision as it is broadcast, to every client", async () => {
    const s = await start();
    const a = client(),
      b = client();
    await Promise.all([a.received(2), b.received(2)]);
    const snap = makeSnapshot(2, 500);
    const dec: Decision = makeDecision(3, "repeat");
    s.broadcast(snap);
    s.broadcast(dec);
    for (const c of [a, b]) {
      const f = await c.received(4);
      expect(f[2]).toEqual(snap);
      expect(f[3]).toEqual(dec);
      expect(c.invalid).toEqual([]);
    }
  });
});

describe("client frames", () => {
  async function expectPolicyClose(send: (c: TestClient) => void, reason: RegExp) {
    const s = await start();
    const c = client();
    await c.received(2);
    send(c);
    const closed = await c.closed;
    expect(closed.code).toBe(CLOSE_POLICY);
    expect(closed.reason).toMatch(reason);
    await until(() => s.clientCount() === 0, "the server to forget the client");
    expect(s.stats().closedPolicy).toBe(1);
  }

  it("closes a binary frame with 1008", () =>
    expectPolicyClose((c) => c.ws.send(Buffer.from('{"type":"ping"}')), /binary/));
  it("closes invalid JSON with 1008", () => expectPolicyClose((c) => c.ws.send("{type: ping"), /JSON/));
  it("closes an unknown type with 1008", () => expectPolicyClose((c) => c.ws.send('{"type":"subscribe"}'), /unknown/));
  it("closes a JSON value that is not a message with 1008", () =>
    expectPolicyClose((c) => c.ws.send("null"), /unknown/));
  it("closes a frame over 1 KiB with 1008, even a valid ping", () =>
    expectPolicyClose((c) => c.ws.send('{"type":"ping"}' + " ".repeat(MAX_CLIENT_FRAME_BYTES)), /over 1024/));
  it("closes a binary frame over 1 KiB with 1008", () =>
    expectPolicyClose((c) => c.ws.send(Buffer.alloc(4096)), /over 1024/));
  it("closes invalid UTF-8 text with 1008", () =>
    expectPolicyClose((c) => c.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false }), /UTF-8/));

  it("accepts pings (up to exactly 1 KiB) and keeps streaming", async () => {
    const s = await start();
    const c = client();
    await c.received(2);
    c.ws.send('{"type":"ping"}');
    const padded = '{"type":"ping"}';
    c.ws.send(padded + " ".repeat(MAX_CLIENT_FRAME_BYTES - padded.length));
    c.ws.send('{"type":"ping","note":"fields may be added"}');
    // a round trip after the pings: the server has read them before it answers this one
    await new Promise<void>((resolve) => {
      c.ws.once("pong", () => resolve());
      c.ws.ping();
    });
    s.broadcast(makeSnapshot(9));
    await c.received(3);
    expect(c.frames[2]).toEqual(makeSnapshot(9));
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    expect(s.stats().closedPolicy).toBe(0);
  });
});

describe("liveness", () => {
  it("terminates a client that does not answer pings and keeps one that does", async () => {
    const s = await start({ pingIntervalMs: 200 });
    const deaf = client(TOKEN, { autoPong: false });
    const good = client();
    let goodPings = 0;
    good.ws.on("ping", () => {
      goodPings++;
    });
    await Promise.all([deaf.received(2), good.received(2)]);
    const closed = await deaf.closed;
    expect(closed.code).toBe(1006); // terminated: no close frame
    expect(s.stats().closedNoPong).toBe(1);
    expect(goodPings).toBeGreaterThanOrEqual(1);
    expect(good.ws.readyState).toBe(good.ws.OPEN);
    s.broadcast(makeDecision(5));
    await good.received(3);
    expect(s.clientCount()).toBe(1);
  });
});

describe("backlog", () => {
  it("closes a client that stops reading with 1013 once its backlog passes 4 MiB; others keep receiving", async () => {
    const s = await start();
    const slow = client(),
      fast = client();
    await Promise.all([slow.received(2), fast.received(2)]);
    const socket = (slow.ws as unknown as { _socket: import("node:net").Socket })._socket;
    socket.pause();
    const big = makeSnapshot(2, 500);
    const size = Buffer.byteLength(JSON.stringify(big));
    // kernel buffers on loopback absorb several MiB before the server's own backlog grows
    const maxRounds = Math.ceil((64 * 1024 * 1024) / size);
    let rounds = 0;
    while (s.stats().closedBacklog === 0 && rounds < maxRounds) {
      rounds++;
      s.broadcast({ ...big, seq: 100 + rounds });
      await fast.received(2 + rounds); // the fast client is never behind
    }
    expect(s.stats().closedBacklog).toBe(1);
    expect(rounds * size).toBeGreaterThan(MAX_BACKLOG_BYTES);
    s.broadcast(makeDecision(1000));
    await fast.received(3 + rounds);
    expect(fast.frames.at(-1)).toEqual(makeDecision(1000));
    socket.resume();
    const closed = await slow.closed;
    expect(closed.code).toBe(CLOSE_TRY_AGAIN);
    expect(slow.invalid).toEqual([]);
    // it got what was queued before the cut, nothing after
    expect(slow.frames.some((f) => f.type === "decision")).toBe(false);
    expect(fast.invalid).toEqual([]);
  });
});

describe("shutdown", () => {
  it("closes clients with 1001 and stops listening", async () => {
    const s = await start();
    const c = client();
    await c.received(2);
    await s.close();
    expect((await c.closed).code).toBe(1001);
    const late = client();
    await expect(late.opened).rejects.toThrow(/ECONNREFUSED/);
  });
});
