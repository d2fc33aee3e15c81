// The /v1/stream fan-out (docs/protocol.md): hello → latest snapshot → replay,
// then every broadcast. Enforces the client rules: only {"type":"ping"} may come in
// (anything else closes with 1008), ping/pong liveness, and a 4 MiB backlog cap (1013).
// Each broadcast is serialized once; every client gets the same bytes.
import { WebSocket, WebSocketServer } from "ws";
import { errorText } from "../errors.js";
import {
  CLOSE_POLICY,
  CLOSE_TRY_AGAIN,
  ClientMessageSchema,
  DECISION_REPLAY,
  MAX_BACKLOG_BYTES,
  MAX_CLIENT_FRAME_BYTES,
  type Decision,
  type Hello,
  type Snapshot,
} from "../protocol.js";
import { silentLogger, type Level, type LogFields, type Logger } from "../log.js";

export interface StreamStats {
  /** clients connected right now */
  clients: number;
  /** upgrades accepted since start */
  accepted: number;
  rejectedUnauthorized: number;
  rejectedFull: number;
  /** closed with 1008 for a frame the protocol does not allow */
  closedPolicy: number;
  /** closed with 1013 for an unsent backlog over MAX_BACKLOG_BYTES */
  closedBacklog: number;
  /** terminated for a missed pong */
  closedNoPong: number;
  /** messages broadcast (each counted once, whatever the number of clients) */
  broadcasts: number;
}

export interface HubOptions {
  hello(): Hello;
  snapshot(): Snapshot;
  pingIntervalMs: number;
  /** component "stream"; never receives the token */
  log?: Logger;
}

/**
 * A message serialized at most once (lazily: a tick with no client costs no JSON),
 * then sent as the same UTF-8 text frame to every client.
 */
class Frame {
  private encoded: Buffer | null = null;
  constructor(readonly msg: unknown) {}
  get bytes(): Buffer {
    return (this.encoded ??= Buffer.from(JSON.stringify(this.msg), "utf8"));
  }
}

function frame(msg: unknown): Frame {
  return new Frame(msg);
}

/**
 * ws closes an oversized frame (over maxPayload, or a declared length over 2^53 - 1) with
 * 1009 and invalid UTF-8 with 1007 before any event
 * reaches us; the protocol says 1008 for both ("anything else"), so the receiver's close
 * codes are mapped here. Everything else passes through unchanged.
 */
class StreamSocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    if (code === 1009) return super.close(CLOSE_POLICY, `frame over ${MAX_CLIENT_FRAME_BYTES} bytes`);
    if (code === 1007) return super.close(CLOSE_POLICY, "invalid UTF-8");
    return super.close(code, data);
  }
}

interface Client {
  ws: WebSocket;
  alive: boolean;
  remote: string;
}

export class StreamHub {
  readonly wss: WebSocketServer;
  readonly stats: Omit<StreamStats, "clients"> = {
    accepted: 0,
    rejectedUnauthorized: 0,
    rejectedFull: 0,
    closedPolicy: 0,
    closedBacklog: 0,
    closedNoPong: 0,
    broadcasts: 0,
  };
  private readonly clients = new Set<Client>();
  private readonly replay: Frame[] = [];
  private lastSnapshot: Frame | null = null;
  private readonly pinger: NodeJS.Timeout;

  constructor(private readonly opts: HubOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: MAX_CLIENT_FRAME_BYTES,
      clientTracking: false,
      WebSocket: StreamSocket,
    });
    if (!(opts.pingIntervalMs > 0))
      throw new Error(`stream: ping interval must be positive, got ${opts.pingIntervalMs}`);
    this.pinger = setInterval(() => this.pingAll(), opts.pingIntervalMs);
    this.pinger.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Takes over an upgraded socket: greets it, then it receives every broadcast. */
  attach(ws: WebSocket, remote: string): void {
    const c: Client = { ws, alive: true, remote };
    this.clients.add(c);
    this.stats.accepted++;
    ws.on("pong", () => {
      c.alive = true;
    });
    ws.on("message", (data, isBinary) => this.onMessage(c, data, isBinary));
    ws.on("error", (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      if (
        code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" ||
        code === "WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH" ||
        code === "WS_ERR_INVALID_UTF8"
      ) {
        // ws has already closed it (with 1008, see StreamSocket); count it like any refusal
        this.stats.closedPolicy++;
        this.clients.delete(c);
        this.log("warn", "stream_client_dropped", { remote, reason: e.message });
        return;
      }
      // a client's socket failing (reset, broken pipe) is its going away, not the probe's fault
      this.log("warn", "stream_client_error", { remote, error: e.message });
    });
    ws.on("close", (code) => {
      this.clients.delete(c);
      this.log("info", "stream_client_closed", { remote, code, clients: this.clients.size });
    });
    this.log("info", "stream_client_connected", { remote, clients: this.clients.size });

    let first: Frame[];
    try {
      const snap = this.opts.snapshot();
      first = [frame(this.opts.hello()), this.lastSnapshot?.msg === snap ? this.lastSnapshot : frame(snap)];
    } catch (e) {
      this.log("error", "stream_greeting_failed", { remote, error: errorText(e) });
      ws.close(1011, "probe could not build its greeting");
      return;
    }
    for (const f of [...first, ...this.replay]) this.sendTo(c, f);
  }

  /** Sends one message to every client. Never throws. */
  broadcast(msg: Snapshot | Decision): void {
    const f = frame(msg);
    this.stats.broadcasts++;
    if (msg.type === "snapshot") this.lastSnapshot = f;
    else {
      this.replay.push(f);
      if (this.replay.length > DECISION_REPLAY) this.replay.shift();
    }
    for (const c of this.clients) this.sendTo(c, f);
  }

  /** Closes every client (1001) and stops pinging; terminates those that do not answer in time. */
  async close(graceMs = 1000): Promise<void> {
    clearInterval(this.pinger);
    const open = [...this.clients];
    await Promise.all(
      open.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.ws.readyState === WebSocket.CLOSED) return resolve();
            const t = setTimeout(() => c.ws.terminate(), graceMs);
            c.ws.once("close", () => {
              clearTimeout(t);
              resolve();
            });
            c.ws.close(1001, "probe shutting down");
          }),
      ),
    );
    this.clients.clear();
  }

  private sendTo(c: Client, f: Frame): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    try {
      if (c.ws.bufferedAmount > MAX_BACKLOG_BYTES) {
        this.clients.delete(c);
        this.stats.closedBacklog++;
        this.log("warn", "stream_client_dropped", {
          remote: c.remote,
          reason: "backlog",
          bufferedBytes: c.ws.bufferedAmount,
        });
        closeSoon(c.ws, CLOSE_TRY_AGAIN, `unsent backlog over ${MAX_BACKLOG_BYTES} bytes`);
        return;
      }
      c.ws.send(f.bytes, { binary: false });
    } catch (e) {
      this.log("error", "stream_send_failed", { remote: c.remote, error: errorText(e) });
    }
  }

  private onMessage(c: Client, data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary) return this.refuse(c, "binary frames are not accepted");
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawText(data));
    } catch {
      return this.refuse(c, "invalid JSON");
    }
    if (!ClientMessageSchema.safeParse(parsed).success) return this.refuse(c, "unknown message type");
    // {"type":"ping"}: accepted; the answer is that the connection stays open.
  }

  private refuse(c: Client, reason: string): void {
    this.stats.closedPolicy++;
    this.clients.delete(c);
    this.log("warn", "stream_client_dropped", { remote: c.remote, reason });
    closeSoon(c.ws, CLOSE_POLICY, reason);
  }

  private pingAll(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        this.clients.delete(c);
        this.stats.closedNoPong++;
        this.log("warn", "stream_client_dropped", { remote: c.remote, reason: "missed pong" });
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      try {
        c.ws.ping();
      } catch {
        /* a socket that cannot be pinged misses its pong */
      }
    }
  }

  private log(level: Level, event: string, fields: LogFields): void {
    (this.opts.log ?? silentLogger)[level](event, fields);
  }
}

/**
 * Closes with a code the client can read, but does not wait ws's 30 s for a peer that
 * never answers the close (a stalled reader's backlog would stay in memory meanwhile).
 */
const CLOSE_GRACE_MS = 5000;
function closeSoon(ws: WebSocket, code: number, reason: string): void {
  ws.close(code, reason);
  const t = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
  t.unref();
  ws.once("close", () => clearTimeout(t));
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}
