// The probe's one HTTP server: /v1/stream (WebSocket, bearer token), /healthz, /metrics.
// Refusals (401, 503, 404) are answered before any upgrade happens.
import { STATUS_CODES, createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { MAX_CLIENTS, PING_INTERVAL_MS, STREAM_PATH, type Decision, type Hello, type Snapshot } from "../protocol.js";
import { authorized } from "./auth.js";
import { errorText } from "../errors.js";
import { silentLogger, type Logger } from "../log.js";
import { StreamHub, type StreamStats } from "./stream.js";

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export interface ServerOptions {
  host: string;
  /** 0 picks a free port; the handle reports the real one */
  port: number;
  token: string;
  hello(): Hello;
  /** the latest snapshot, sent to each client right after hello */
  snapshot(): Snapshot;
  /**
   * /healthz answers 200 while this is true or ok (the tick loop is alive, kill switch or not);
   * a verdict's reason goes into the 503 body.
   */
  alive(): boolean | { ok: boolean; reason: string };
  /** the body of /metrics (see self-metrics.ts) */
  metricsText(): string;
  /** server → client ping interval; PING_INTERVAL_MS unless a test shortens it */
  pingIntervalMs?: number;
  /** component "http" (the stream's lines say "stream"); never receives the token */
  log?: Logger;
}

export interface ServerHandle {
  /** ws://host:port/v1/stream with the real port */
  url: string;
  port: number;
  /** Sends a snapshot or decision to every client; decisions are kept for replay (last 50). Never throws. */
  broadcast(msg: Snapshot | Decision): void;
  clientCount(): number;
  stats(): StreamStats;
  /** Closes every client with 1001, then the listener. */
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<ServerHandle> {
  if (opts.token.length === 0) throw new Error("stream server: the token is empty");
  const log = opts.log ?? silentLogger;
  const hub = new StreamHub({
    hello: () => opts.hello(),
    snapshot: () => opts.snapshot(),
    log: log.child("stream"),
    pingIntervalMs: opts.pingIntervalMs ?? PING_INTERVAL_MS,
  });
  let closing: Promise<void> | null = null;
  let pending = 0; // upgrades accepted but not yet attached, so 33 racing handshakes cannot all pass

  const server = createServer((req, res) => {
    try {
      handleRequest(req, res);
    } catch (e) {
      log.error("http_error", { path: pathOf(req), error: errorText(e) });
      if (!res.headersSent) reply(res, 500, "internal error\n");
      else res.destroy();
    }
  });

  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const path = pathOf(req);
    const get = req.method === "GET" || req.method === "HEAD";
    if (get && path === "/healthz") {
      let verdict: boolean | { ok: boolean; reason: string };
      try {
        verdict = opts.alive();
      } catch (e) {
        verdict = { ok: false, reason: `liveness check failed: ${errorText(e)}` };
      }
      if (typeof verdict === "boolean") verdict = { ok: verdict, reason: "" };
      if (verdict.ok) return reply(res, 200, "ok\n");
      // one line, whatever the reason holds
      const why = verdict.reason.replace(/[\r\n]+/g, " ");
      return reply(res, 503, `tick loop not alive${why ? `: ${why}` : ""}\n`);
    }
    if (get && path === "/metrics") {
      let body: string;
      try {
        body = opts.metricsText();
      } catch (e) {
        log.error("metrics_render_failed", { error: errorText(e) });
        return reply(res, 500, "metrics unavailable\n");
      }
      return reply(res, 200, body, { "Content-Type": METRICS_CONTENT_TYPE });
    }
    if (get && path === STREAM_PATH) {
      // a plain GET (no upgrade) still needs the token before it learns anything
      if (!authorized(req.headers.authorization, opts.token))
        return reply(res, 401, "unauthorized\n", { "WWW-Authenticate": "Bearer" });
      return reply(res, 426, "WebSocket upgrade required\n", { Upgrade: "websocket" });
    }
    reply(res, 404, "not found\n");
  }

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => {
      /* the peer went away mid-handshake */
    });
    const remote = `${req.socket.remoteAddress ?? "?"}:${req.socket.remotePort ?? "?"}`;
    if (req.method !== "GET" || pathOf(req) !== STREAM_PATH) return refuse(socket, 404, "not found\n");
    if (closing) return refuse(socket, 503, "probe shutting down\n");
    if (!authorized(req.headers.authorization, opts.token)) {
      hub.stats.rejectedUnauthorized++;
      log.warn("stream_rejected", { remote, reason: req.headers.authorization ? "wrong token" : "no token" });
      return refuse(socket, 401, "unauthorized\n", { "WWW-Authenticate": "Bearer" });
    }
    if (hub.size + pending >= MAX_CLIENTS) {
      hub.stats.rejectedFull++;
      log.warn("stream_rejected", { remote, reason: "too many clients", clients: hub.size });
      return refuse(socket, 503, `at most ${MAX_CLIENTS} clients\n`, { "Retry-After": "30" });
    }
    pending++;
    let done = false;
    const settle = () => {
      if (!done) {
        done = true;
        pending--;
      }
    };
    socket.once("close", settle);
    try {
      hub.wss.handleUpgrade(req, socket, head, (ws) => {
        settle();
        hub.attach(ws, remote);
      });
    } catch (e) {
      settle();
      log.error("stream_upgrade_failed", { remote, error: errorText(e) });
      socket.destroy();
    }
  });

  server.on("clientError", (_e, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      void hub.close();
      reject(new Error(`stream server: cannot listen on ${opts.host}:${opts.port}: ${e.code ?? e.message}`));
    };
    server.once("error", onError);
    server.listen(opts.port, opts.host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  server.on("error", (e) => log.error("http_server_error", { error: errorText(e) }));

  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  const hostPart = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  const url = `ws://${hostPart}:${port}${STREAM_PATH}`;

  return {
    url,
    port,
    broadcast: (msg) => hub.broadcast(msg),
    clientCount: () => hub.size,
    stats: () => ({ clients: hub.size, ...hub.stats }),
    close: () => {
      closing ??= (async () => {
        const listening = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await hub.close();
        server.closeAllConnections();
        await listening;
      })();
      return closing;
    },
  };
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

function reply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(body);
}

function refuse(socket: Duplex, status: number, body: string, headers: Record<string, string> = {}): void {
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}`,
    "Connection: close",
    "Content-Type: text/plain; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ].join("\r\n");
  socket.end(`${head}\r\n\r\n${body}`);
}
