// A small real probe stream server on 127.0.0.1 (port 0) that speaks docs/protocol.md: bearer
// auth before the upgrade (401), hello → latest snapshot → replay of up to 50 decisions,
// then whatever the test pushes. It can also misbehave on purpose: raw/invalid frames,
// closes with any code, a fixed HTTP refusal. Shared by connection, views and e2e tests.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import {
  DECISION_REPLAY,
  PROTOCOL_VERSION,
  STREAM_PATH,
  type Decision,
  type Hello,
  type ProcessInfo,
  type Snapshot,
} from "../../probe/protocol.js";

const T0 = Date.parse("2026-06-15T03:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

export function makeHello(over: Partial<Hello> = {}): Hello {
  return {
    type: "hello",
    protocol: PROTOCOL_VERSION,
    probe: { version: "0.1.0", hostname: "fake-host", pid: 4321, startedAt: iso(T0 - 3_600_000) },
    config: {
      enabled: true,
      tickS: 15,
      orchDownTicks: 3,
      cooldownS: 1800,
      proc: { enabled: true, ageMin: 60, patterns: ["pytest"], cooldownS: 1800 },
      telegram: { enabled: false },
    },
    ...over,
  };
}

export function makeProcess(over: Partial<ProcessInfo> = {}): ProcessInfo {
  const argv = over.argv ?? ["python", "-m", "pytest", "tests/"];
  return {
    pid: 4242,
    ppid: 1,
    comm: "python",
    state: "S",
    ageS: 7260,
    startedAt: iso(T0 - 7_260_000),
    orphaned: true,
    blocking: true,
    argv,
    cmdline: argv.join(" "),
    ...over,
  };
}

export function makeSnapshot(seq: number, over: Partial<Snapshot> = {}): Snapshot {
  return {
    type: "snapshot",
    seq,
    at: iso(T0 + seq * 15_000),
    tickMs: 3.1,
    enabled: true,
    sources: [{ name: "proc", ok: true, error: null, ms: 2.4 }],
    orch: { configured: false, up: null, failures: 0, threshold: 3, lastOkAt: null, lastError: null },
    processes: [],
    processesTruncated: 0,
    signals: [],
    alerts: [],
    host: null,
    containers: [],
    deps: [],
    ...over,
  };
}

export function makeDecision(seq: number, over: Partial<Decision> = {}): Decision {
  return {
    type: "decision",
    seq,
    at: iso(T0 + seq * 15_000),
    key: "proc_blocking:4242",
    kind: "proc_blocking",
    entity: "4242",
    action: "alert",
    text: "pytest 4242 running for 2h 1m",
    delivery: { telegram: "disabled" },
    ...over,
  };
}

export interface FakeProbeOptions {
  /** default: a random one */
  token?: string;
  /** default 0 (a free port) */
  port?: number;
  hello?: Partial<Hello>;
  /** answer every upgrade with this HTTP status instead of accepting (401, 404, 503…) */
  refuseWith?: number | null;
  /** send hello, the latest snapshot and the replay on connect (default true) */
  greet?: boolean;
}

interface UpgradeAttempt {
  authorization: string | undefined;
  status: number;
}

export interface FakeProbe {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** every upgrade request that reached the server, in order (101 = accepted) */
  readonly attempts: readonly UpgradeAttempt[];
  /** every text frame a client sent */
  readonly received: readonly string[];
  readonly clients: ReadonlySet<WebSocket>;
  hello: Hello;
  latest: Snapshot;
  refuseWith: number | null;
  greet: boolean;
  /** next seq from the one counter shared by snapshots and decisions */
  nextSeq(): number;
  /** a new snapshot (fresh seq), kept as the latest and sent to every client */
  snapshot(over?: Partial<Snapshot>): Snapshot;
  /** a new decision (fresh seq), kept for replay and sent to every client */
  decision(over?: Partial<Decision>): Decision;
  /** anything at all, to every client */
  sendRaw(data: string | Buffer, opts?: { binary?: boolean }): void;
  closeClients(code?: number, reason?: string): Promise<void>;
  waitForClients(n: number, timeoutMs?: number): Promise<void>;
  waitForAttempts(n: number, timeoutMs?: number): Promise<void>;
  /** stops listening and drops every client; `start()` listens again on the same port */
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`fake probe: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startFakeProbe(opts: FakeProbeOptions = {}): Promise<FakeProbe> {
  const token = opts.token ?? randomBytes(16).toString("hex");
  const attempts: UpgradeAttempt[] = [];
  const received: string[] = [];
  const clients = new Set<WebSocket>();
  const sockets = new Set<Socket>();
  const decisions: Decision[] = [];
  let seq = 0;
  let server: Server | null = null;
  let port = opts.port ?? 0;
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 });

  const refuse = (sock: Socket, status: number) => {
    sock.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  const fake: FakeProbe = {
    get url() {
      return `ws://127.0.0.1:${port}${STREAM_PATH}`;
    },
    get port() {
      return port;
    },
    token,
    attempts,
    received,
    clients,
    hello: makeHello(opts.hello),
    latest: makeSnapshot(0),
    refuseWith: opts.refuseWith ?? null,
    greet: opts.greet ?? true,
    nextSeq: () => ++seq,
    snapshot(over = {}) {
      fake.latest = makeSnapshot(fake.nextSeq(), over);
      broadcast(JSON.stringify(fake.latest));
      return fake.latest;
    },
    decision(over = {}) {
      const d = makeDecision(fake.nextSeq(), over);
      decisions.push(d);
      if (decisions.length > DECISION_REPLAY) decisions.shift();
      broadcast(JSON.stringify(d));
      return d;
    },
    sendRaw(data, o = {}) {
      for (const c of clients) c.send(data, { binary: o.binary ?? false });
    },
    async closeClients(code = 1001, reason = "") {
      const gone = [...clients].map((c) => new Promise<void>((r) => c.once("close", () => r())));
      for (const c of clients) c.close(code, reason);
      await Promise.race([Promise.all(gone), new Promise((r) => setTimeout(r, 2_000))]);
      for (const c of clients) c.terminate();
    },
    waitForClients: (n, timeoutMs = 5_000) => until(`${n} connected client(s)`, () => clients.size >= n, timeoutMs),
    waitForAttempts: (n, timeoutMs = 5_000) => until(`${n} upgrade attempt(s)`, () => attempts.length >= n, timeoutMs),
    async stop() {
      const s = server;
      server = null;
      if (!s) return;
      for (const c of clients) c.terminate();
      for (const k of sockets) k.destroy();
      await new Promise<void>((r) => s.close(() => r()));
    },
    async start() {
      if (server) return;
      const s = createServer((_req, res) => {
        res.writeHead(404).end();
      });
      s.on("connection", (k) => {
        sockets.add(k);
        k.on("close", () => sockets.delete(k));
      });
      s.on("upgrade", (req: IncomingMessage, sock: Socket, head: Buffer) => {
        const authorization = req.headers.authorization;
        const path = new URL(req.url ?? "/", "http://x").pathname;
        let status = 101;
        if (fake.refuseWith !== null) status = fake.refuseWith;
        else if (path !== STREAM_PATH) status = 404;
        else if (authorization === undefined || !sameSecret(authorization, `Bearer ${token}`)) status = 401;
        attempts.push({ authorization, status });
        if (status !== 101) return refuse(sock, status);
        wss.handleUpgrade(req, sock, head, (ws) => {
          clients.add(ws);
          ws.on("close", () => clients.delete(ws));
          ws.on("message", (data, isBinary) => {
            if (isBinary) return ws.close(1008, "binary frame");
            received.push((data as Buffer).toString());
          });
          if (fake.greet) {
            ws.send(JSON.stringify(fake.hello));
            ws.send(JSON.stringify(fake.latest));
            for (const d of decisions) ws.send(JSON.stringify(d));
          }
        });
      });
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(port, "127.0.0.1", () => {
          s.off("error", reject);
          resolve();
        });
      });
      port = (s.address() as AddressInfo).port;
      server = s;
    },
  };

  function broadcast(text: string) {
    for (const c of clients) c.send(text);
  }

  fake.latest = makeSnapshot(fake.nextSeq());
  await fake.start();
  return fake;
}
