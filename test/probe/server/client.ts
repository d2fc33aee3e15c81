// A real `ws` client for the server tests: records every frame (validated with
// ServerMessageSchema) and how the connection ended.
import http from "node:http";
import WebSocket, { type ClientOptions } from "ws";
import { ServerMessageSchema, type ServerMessage } from "../../../probe/protocol.js";

export interface TestClient {
  ws: WebSocket;
  frames: ServerMessage[];
  /** frames that failed ServerMessageSchema or were not JSON text */
  invalid: string[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  /** resolves once `n` frames have arrived in total */
  received(n: number): Promise<ServerMessage[]>;
}

export function connect(url: string, token: string | null, opts: ClientOptions = {}): TestClient {
  const ws = new WebSocket(url, { ...opts, headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
  const frames: ServerMessage[] = [];
  const invalid: string[] = [];
  const waiters: Array<{ n: number; resolve: (f: ServerMessage[]) => void }> = [];
  ws.on("message", (data, isBinary) => {
    const text = (data as Buffer).toString();
    let ok = false;
    if (!isBinary) {
      try {
        const r = ServerMessageSchema.safeParse(JSON.parse(text));
        if (r.success) {
          frames.push(r.data);
          ok = true;
        }
      } catch {
        /* recorded below */
      }
    }
    if (!ok) invalid.push(text.slice(0, 200));
    for (const w of waiters.filter((w) => frames.length >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(frames);
    }
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  opened.catch(() => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  ws.on("error", () => {
    /* seen through `closed` */
  });
  return {
    ws,
    frames,
    invalid,
    opened,
    closed,
    received: (n) =>
      frames.length >= n ? Promise.resolve(frames) : new Promise((resolve) => waiters.push({ n, resolve })),
  };
}

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  upgraded: boolean;
}

/** A WebSocket upgrade request by hand, to see the HTTP answer the server gives before any upgrade. */
export function rawUpgrade(port: number, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: "127.0.0.1",
      port,
      path,
      method: "GET",
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        ...headers,
      },
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: "", upgraded: true });
    });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, upgraded: false }));
    });
    req.on("error", reject);
    req.end();
  });
}

export function get(
  port: number,
  path: string,
  method = "GET",
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, method, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Waits (bounded) until `cond` holds; for server-side state that settles a moment after a client-side event. */
export async function until(cond: () => boolean, what: string, maxWaitMs = 5000): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
