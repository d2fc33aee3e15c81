// A real loopback HTTP server standing in for the orchestrator's /metrics: it can
// answer, fail, hang before the headers, drip a body forever, or send a huge body.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { closedPort } from "../../helpers/ports.js";

export type Mode = "ok" | "503" | "garbage" | "hang" | "drip" | "huge" | "cut";

export interface FakeOrchestrator {
  base: string;
  /** what `/metrics` does now */
  mode: Mode;
  /** the body `ok` answers with */
  body: string | Buffer;
  /** chunks written by `drip` so far (proves the headers and some body went out) */
  dripWrites: number;
  requests: number;
  close(): Promise<void>;
}

const GARBAGE = '\u0000\u0001<html><body>502 Bad Gateway</body></html>\n{"status":"ok"}\nup{ 1\n';

export async function startFakeOrchestrator(): Promise<FakeOrchestrator> {
  const timers = new Set<NodeJS.Timeout>();
  const state: FakeOrchestrator = {
    base: "",
    mode: "ok",
    body: "up 1\n",
    dripWrites: 0,
    requests: 0,
    close: async () => {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = http.createServer((req, res) => {
    state.requests++;
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const mode: Mode = path === "/metrics" ? state.mode : (path.slice(1) as Mode);
    switch (mode) {
      case "ok":
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(state.body);
        return;
      case "503":
        res.writeHead(503).end("unavailable");
        return;
      case "garbage":
        res.writeHead(200).end(GARBAGE);
        return;
      case "cut": // promises 1000 bytes, sends a few, then drops the connection
        res.writeHead(200, { "content-length": "1000" });
        res.write("up 1\n", () => res.destroy());
        return;
      case "hang":
        return; // never answers; closeAllConnections() ends it
      case "drip": {
        res.writeHead(200, { "content-type": "text/plain" });
        const drip = () => {
          state.dripWrites++;
          res.write("# still here\n");
        };
        drip();
        const t = setInterval(drip, 20);
        timers.add(t);
        res.on("close", () => {
          clearInterval(t);
          timers.delete(t);
        });
        return;
      }
      case "huge": {
        res.writeHead(200, { "content-type": "text/plain" });
        const chunk = Buffer.alloc(64 * 1024, "x 1\n");
        let left = 11 * 1024 * 1024;
        const pump = () => {
          while (left > 0) {
            left -= chunk.length;
            if (!res.write(chunk)) {
              res.once("drain", pump);
              return;
            }
          }
          res.end();
        };
        res.on("close", () => {
          left = 0;
        });
        pump();
        return;
      }
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** A loopback port that was just closed: connecting to it is refused. */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}/metrics`;
}
