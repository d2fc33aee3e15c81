// One probe connection: the pure state machine (reconnect.ts) driven by a real `ws` socket.
// The transport is a Dialer, so a direct URL, an SSH tunnel and the local child probe share
// everything else. Nothing here throws out to the caller: every failure becomes a state.
import type WebSocket from "ws";
import type { Decision } from "../../probe/protocol.js";
import { FatalDialError, errText, type DialResult, type Dialer } from "./dialer.js";
import { parseServerFrame } from "./frame.js";
import { initialMachine, step, type ConnEvent, type Effect, type Machine } from "./reconnect.js";
import type { ConnectionState, ProbeConnectionView, ProbeTarget } from "./types.js";
import type { Logger } from "../log.js";
import { StreamData } from "./stream-data.js";

const DEFAULT_MAX_PAYLOAD = 32 * 1024 * 1024;
const HELLO_TIMEOUT_MS = 15_000;
const HEARTBEAT_MS = 20_000;
/** Rejected frames logged per connection before the log goes quiet (the count keeps going). */
const REJECT_LOG_LIMIT = 5;

/** `ws` loads on the first connection attempt, not at activation (~28 ms of a 100 ms start-up budget). */
let wsLoading: Promise<typeof WebSocket> | null = null;
const loadWebSocket = (): Promise<typeof WebSocket> => (wsLoading ??= import("ws").then((m) => m.default));

export interface ClientOptions {
  id: string;
  target: ProbeTarget;
  getToken(): Promise<string | undefined>;
  dialer: Dialer;
  log: Logger;
  now(): number;
  random(): number;
  onChange(view: ProbeConnectionView): void;
  onDecision(view: ProbeConnectionView, d: Decision, replayed: boolean): void;
  maxPayload?: number;
  helloTimeoutMs?: number;
  heartbeatMs?: number;
}

interface Attempt {
  ws: WebSocket | null;
  release: (() => void) | null;
  abort: AbortController;
  /** why we closed it ourselves, or the socket error: the reason shown when it closes */
  reason: string | null;
  httpStatus?: number;
  firstSnapshotSeq: number | null;
  lastTraffic: number;
  rejectedLogged: number;
  timers: NodeJS.Timeout[];
  closed: Promise<void>;
  markClosed(): void;
}

export class ProbeClient {
  private machine: Machine = initialMachine;
  private attempt: Attempt | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly data = new StreamData();
  private current: ProbeConnectionView;
  private readonly pendingCloses = new Set<Promise<void>>();

  constructor(private readonly o: ClientOptions) {
    this.current = this.build();
  }

  get view(): ProbeConnectionView {
    return this.current;
  }

  get state(): ConnectionState {
    return this.machine.state;
  }

  start(): void {
    this.dispatch({ type: "start" });
  }

  stop(): void {
    this.dispatch({ type: "stop" });
  }

  /** Stop then start: a fresh attempt now, also out of `failed` and `connected`. */
  reconnect(): void {
    this.dispatch({ type: "stop" });
    this.dispatch({ type: "start" });
  }

  /** Stops and resolves once sockets and tunnels are closed (bounded). */
  async dispose(): Promise<void> {
    this.stop();
    const all = Promise.all([...this.pendingCloses]);
    await Promise.race([all, new Promise((r) => setTimeout(r, 3_000).unref())]);
  }

  private build(): ProbeConnectionView {
    const d = this.data;
    return Object.freeze({
      id: this.o.id,
      name: this.o.target.name,
      target: this.o.target,
      state: this.machine.state,
      hello: d.hello,
      snapshot: d.snapshot,
      snapshotReceivedAt: d.snapshotReceivedAt,
      decisions: Object.freeze([...d.decisions]),
      rejectedFrames: d.rejectedFrames,
    });
  }

  private changed(): void {
    this.current = this.build();
    try {
      this.o.onChange(this.current);
    } catch (e) {
      this.o.log.error(`a change listener failed: ${errText(e)}`);
    }
  }

  private dispatch(e: ConnEvent): void {
    const before = this.machine.state;
    const { machine, effects } = step(this.machine, e, this.o.now(), () => this.o.random());
    this.machine = machine;
    for (const fx of effects) this.perform(fx);
    if (machine.state !== before) {
      this.logTransition(machine.state);
      this.changed();
    }
  }

  private logTransition(s: ConnectionState): void {
    // the child logger already names the probe ("[probe:NAME]")
    if (s.phase === "connected") this.o.log.info("connected");
    else if (s.phase === "waiting") {
      this.o.log.info(`disconnected (${s.reason}); retrying in ${Math.round((s.retryAt - this.o.now()) / 100) / 10} s`);
    } else if (s.phase === "failed") this.o.log.warn(`not retrying: ${s.reason}`);
    else if (s.phase === "connecting") this.o.log.debug(`connecting (attempt ${s.attempt})`);
  }

  private perform(fx: Effect): void {
    switch (fx.type) {
      case "open":
        void this.open();
        break;
      case "close":
        this.closeAttempt();
        break;
      case "scheduleRetry":
        this.clearRetry();
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.dispatch({ type: "retryTimerFired" });
        }, fx.delayMs);
        break;
      case "cancelRetry":
        this.clearRetry();
        break;
    }
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Ends the current attempt; its late events are ignored (their attempt is no longer `this.attempt`). */
  private closeAttempt(): void {
    const a = this.attempt;
    if (!a) return;
    this.attempt = null;
    a.abort.abort();
    for (const t of a.timers) clearTimeout(t);
    if (a.ws && a.ws.readyState !== a.ws.CLOSED) a.ws.terminate();
    else a.markClosed();
  }

  private isCurrent(a: Attempt): boolean {
    return this.attempt === a;
  }

  private async open(): Promise<void> {
    this.closeAttempt();
    let markClosed!: () => void;
    const closed = new Promise<void>((r) => (markClosed = r));
    const a: Attempt = {
      ws: null,
      release: null,
      abort: new AbortController(),
      reason: null,
      firstSnapshotSeq: null,
      lastTraffic: this.o.now(),
      rejectedLogged: 0,
      timers: [],
      closed,
      markClosed,
    };
    this.attempt = a;
    this.pendingCloses.add(closed);
    // the transport goes once the socket is gone, whichever way that happens
    void closed.then(() => {
      this.pendingCloses.delete(closed);
      this.release(a);
    });

    let token: string | undefined;
    let WebSocketClass: typeof WebSocket;
    let dialed: DialResult;
    try {
      token = await this.o.getToken();
      if (!this.isCurrent(a)) return a.markClosed();
      if (!token) {
        throw new FatalDialError(
          `no token stored for probe "${this.o.target.name}": set its token, then connect again`,
        );
      }
      WebSocketClass = await loadWebSocket();
      dialed = await this.o.dialer.dial(a.abort.signal);
    } catch (e) {
      a.markClosed();
      if (this.isCurrent(a)) this.dispatch({ type: "closed", reason: errText(e), fatal: e instanceof FatalDialError });
      return;
    }
    a.release = () => dialed.release();
    if (!this.isCurrent(a)) {
      a.markClosed();
      return this.release(a);
    }

    let ws: WebSocket;
    try {
      ws = new WebSocketClass(dialed.url, {
        headers: { Authorization: `Bearer ${token}` },
        perMessageDeflate: false,
        maxPayload: this.o.maxPayload ?? DEFAULT_MAX_PAYLOAD,
        followRedirects: false,
        ...(dialed.createConnection ? { createConnection: dialed.createConnection as never } : {}),
      });
    } catch (e) {
      a.markClosed();
      this.dispatch({ type: "closed", reason: `bad probe URL: ${errText(e)}`, fatal: true });
      return;
    }
    a.ws = ws;
    this.wire(a, ws);
  }

  private wire(a: Attempt, ws: WebSocket): void {
    const helloMs = this.o.helloTimeoutMs ?? HELLO_TIMEOUT_MS;
    a.timers.push(
      setTimeout(() => {
        if (this.isCurrent(a) && !this.isConnected(a)) this.abort(a, `no valid hello within ${helloMs / 1000} s`);
      }, helloMs),
    );
    ws.on("unexpected-response", (req, res) => {
      a.httpStatus = res.statusCode;
      res.resume();
      req.destroy();
      ws.terminate();
    });
    ws.on("error", (err) => {
      a.reason ??= errText(err);
      if ((err as { code?: string }).code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
        this.data.rejectedFrames++;
        a.reason = `a frame exceeded ${this.o.maxPayload ?? DEFAULT_MAX_PAYLOAD} bytes`;
      }
    });
    ws.on("open", () => {
      if (!this.isCurrent(a)) return;
      a.lastTraffic = this.o.now();
      this.dispatch({ type: "opened" });
      const beatMs = this.o.heartbeatMs ?? HEARTBEAT_MS;
      const beat = setInterval(() => {
        if (!this.isCurrent(a)) return clearInterval(beat);
        const silentMs = this.o.now() - a.lastTraffic;
        if (silentMs > 3 * beatMs) this.abort(a, `no traffic from the probe for ${Math.round(silentMs / 1000)} s`);
        else ws.ping();
      }, beatMs);
      a.timers.push(beat);
    });
    const traffic = () => (a.lastTraffic = this.o.now());
    ws.on("ping", traffic);
    ws.on("pong", traffic);
    ws.on("message", (data, isBinary) => {
      if (!this.isCurrent(a)) return;
      traffic();
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      this.onFrame(a, buf, isBinary);
    });
    ws.on("close", (code, reasonBuf) => {
      for (const t of a.timers) clearTimeout(t);
      a.markClosed();
      if (!this.isCurrent(a)) return;
      const remote = reasonBuf.toString("utf8").slice(0, 120);
      const reason =
        a.reason ??
        (code === 1006
          ? "connection lost"
          : `closed by the probe (code ${code}${remote ? `: ${JSON.stringify(remote)}` : ""})`);
      this.dispatch({
        type: "closed",
        reason,
        code,
        ...(a.httpStatus !== undefined ? { httpStatus: a.httpStatus } : {}),
      });
    });
  }

  private isConnected(a: Attempt): boolean {
    return this.isCurrent(a) && this.machine.state.phase === "connected";
  }

  private release(a: Attempt): void {
    const r = a.release;
    a.release = null;
    if (!r) return;
    try {
      r();
    } catch (e) {
      this.o.log.warn(`closing the transport failed: ${errText(e)}`);
    }
  }

  private abort(a: Attempt, reason: string): void {
    a.reason = reason;
    a.ws?.terminate();
  }

  private onFrame(a: Attempt, buf: Buffer, isBinary: boolean): void {
    const r = parseServerFrame(buf, isBinary, buf.length);
    if (r.skip === "newer-protocol") {
      this.dispatch({ type: "incompatible", protocol: r.protocol, reason: r.reason });
      return;
    }
    if (r.skip === "unknown-type") {
      this.o.log.debug(r.reason);
      return;
    }
    if (!r.ok) {
      this.data.rejectedFrames++;
      if (a.rejectedLogged < REJECT_LOG_LIMIT) {
        a.rejectedLogged++;
        const quiet =
          a.rejectedLogged === REJECT_LOG_LIMIT ? " (further rejections on this connection are only counted)" : "";
        this.o.log.warn(`dropped an invalid frame: ${r.reason}${quiet}`);
      }
      this.changed();
      return;
    }
    const m = r.msg;
    if (m.type === "hello") {
      this.data.onHello(m);
      if (this.machine.state.phase === "connecting") this.dispatch({ type: "helloReceived" });
      else this.changed();
      return;
    }
    if (m.type === "snapshot") {
      a.firstSnapshotSeq ??= m.seq;
      this.data.onSnapshot(m, this.o.now());
      this.changed();
      return;
    }
    const replayed = a.firstSnapshotSeq !== null && m.seq < a.firstSnapshotSeq;
    if (!this.data.addDecision(m)) return;
    this.changed();
    try {
      this.o.onDecision(this.current, m, replayed);
    } catch (e) {
      this.o.log.error(`a decision listener failed: ${errText(e)}`);
    }
  }
}
