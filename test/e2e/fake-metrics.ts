// The orchestrator stand-in: a loopback `/metrics` that can be stopped and started again on
// the same port, which is what a restarting orchestrator looks like to the probe.
import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";

const BODY = [
  "# HELP orch_jobs_running Jobs running now.",
  "# TYPE orch_jobs_running gauge",
  "orch_jobs_running 3",
  "",
].join("\n");

export class FakeMetrics {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/metrics`;
  }

  get running(): boolean {
    return this.server !== null;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => {
      if (req.url === "/metrics") {
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
        res.end(BODY);
      } else {
        res.writeHead(404).end();
      }
    });
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", (e) =>
        reject(new Error(`fake /metrics: cannot listen on 127.0.0.1:${this.port}: ${e.message}`)),
      );
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    const a = server.address();
    if (typeof a === "object" && a) this.port = a.port;
    this.server = server;
  }

  /** Closes the listener and drops keep-alive sockets, so the next fetch is refused. */
  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = null;
    for (const sock of this.sockets) sock.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
