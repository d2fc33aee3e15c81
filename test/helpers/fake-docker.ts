// A stand-in Docker Engine: node:http on a unix socket in a temp dir, answering the
// paths the probe uses with bodies shaped as the Engine API documents them
// (ContainerSummary for /containers/json, ContainerInspectResponse for inspect).
// It records every request so a test can prove the client only ever sent GET.
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface FakeContainer {
  id: string;
  name: string;
  state: "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";
  health?: "starting" | "healthy" | "unhealthy" | null;
  restarts?: number;
  failingStreak?: number;
  exitCode?: number;
  labels?: Record<string, string>;
  image?: string;
}

type FakeMode =
  | "ok"
  | "slow" // accept the request, never answer (until closed)
  | "garbage" // 200 with a body that is not JSON
  | "wrong-shape" // 200 with JSON that is not what the Engine API documents
  | "error500"; // 500 {"message": …} as the daemon does on an internal error

export interface FakeDockerOptions {
  /** what /_ping says in Api-Version; also the highest version accepted in paths */
  apiVersion?: string;
  /** lowest version accepted in paths (Docker 29 refuses below 1.44) */
  minApiVersion?: string;
  /** omit the Api-Version header (as a header-stripping proxy would) */
  noVersionHeader?: boolean;
  containers?: FakeContainer[];
}

export interface FakeDocker {
  readonly socketPath: string;
  readonly requests: { method: string; path: string }[];
  containers: FakeContainer[];
  mode: FakeMode;
  apiVersion: string;
  minApiVersion: string;
  /** stop listening and remove the socket file: a daemon that is down */
  down(): Promise<void>;
  /** listen again on the same path */
  up(): Promise<void>;
  close(): Promise<void>;
}

function ver(v: string): number {
  const [a, b] = v.split(".").map(Number);
  return a! * 1000 + b!;
}

function statusText(c: FakeContainer): string {
  const health = c.health ? ` (${c.health === "starting" ? "health: starting" : c.health})` : "";
  switch (c.state) {
    case "running":
      return `Up 5 minutes${health}`;
    case "paused":
      return "Up 5 minutes (Paused)";
    case "restarting":
      return `Restarting (${c.exitCode ?? 1}) 3 seconds ago`;
    case "exited":
      return `Exited (${c.exitCode ?? 0}) 2 minutes ago`;
    case "created":
      return "Created";
    case "removing":
      return "Removal In Progress";
    case "dead":
      return "Dead";
  }
}

export function summaryOf(c: FakeContainer): Record<string, unknown> {
  return {
    Id: c.id,
    Names: [`/${c.name}`],
    Image: c.image ?? "example/app:latest",
    ImageID: `sha256:${"0".repeat(64)}`,
    Command: "/bin/sh -c 'run'",
    Created: 1_739_811_096,
    Ports: [],
    Labels: c.labels ?? {},
    State: c.state,
    Status: statusText(c),
    HostConfig: { NetworkMode: "bridge" },
    NetworkSettings: { Networks: {} },
    Mounts: [],
  };
}

export function inspectOf(c: FakeContainer): Record<string, unknown> {
  const running = c.state === "running" || c.state === "paused";
  return {
    Id: c.id,
    Created: "2026-06-15T02:00:00.000000000Z",
    Path: "/bin/sh",
    Args: ["-c", "run"],
    State: {
      Status: c.state,
      Running: running,
      Paused: c.state === "paused",
      Restarting: c.state === "restarting",
      OOMKilled: false,
      Dead: c.state === "dead",
      Pid: running ? 4321 : 0,
      ExitCode: c.exitCode ?? 0,
      Error: "",
      StartedAt: "2026-06-15T02:55:00.000000000Z",
      FinishedAt: "0001-01-01T00:00:00Z",
      ...(c.health
        ? {
            Health: {
              Status: c.health,
              FailingStreak: c.failingStreak ?? (c.health === "unhealthy" ? 3 : 0),
              Log: [
                {
                  Start: "2026-06-15T02:59:00Z",
                  End: "2026-06-15T02:59:01Z",
                  ExitCode: c.health === "unhealthy" ? 1 : 0,
                  Output: "",
                },
              ],
            },
          }
        : {}),
    },
    Image: `sha256:${"0".repeat(64)}`,
    Name: `/${c.name}`,
    RestartCount: c.restarts ?? 0,
    Driver: "overlay2",
    Platform: "linux",
    HostConfig: { RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 } },
    Config: { Image: c.image ?? "example/app:latest", Labels: c.labels ?? {} },
    NetworkSettings: { Networks: {} },
    Mounts: [],
  };
}

export async function startFakeDocker(opts: FakeDockerOptions = {}): Promise<FakeDocker> {
  const dir = mkdtempSync(join(tmpdir(), "fake-docker-"));
  const socketPath = join(dir, "docker.sock");
  const requests: { method: string; path: string }[] = [];
  let server: http.Server | null = null;

  const fake: FakeDocker = {
    socketPath,
    requests,
    containers: opts.containers ?? [],
    mode: "ok",
    apiVersion: opts.apiVersion ?? "1.47",
    minApiVersion: opts.minApiVersion ?? "1.24",
    async down() {
      const s = server;
      server = null;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    },
    async up() {
      if (server) return;
      const s = http.createServer(handle);
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(socketPath, () => {
          s.off("error", reject);
          resolve();
        });
      });
      server = s;
    },
    async close() {
      await fake.down();
      rmSync(dir, { recursive: true, force: true });
    },
  };

  function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
      "Content-Type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json",
      "Api-Version": fake.apiVersion,
      "Docker-Experimental": "false",
      Ostype: "linux",
      Server: "Docker/27.4.0 (linux)",
      ...headers,
    });
    res.end(text);
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = req.url ?? "/";
    requests.push({ method: req.method ?? "", path: url });
    if (fake.mode === "slow") return; // hold the request open
    if (req.method !== "GET" && req.method !== "HEAD") {
      // a real daemon would act on it; the fake only needs to have seen it
      return send(res, 405, { message: `fake docker: ${req.method} not served` });
    }
    const [pathname, query = ""] = url.split("?");
    if (pathname === "/_ping") {
      res.writeHead(200, {
        ...(opts.noVersionHeader ? {} : { "Api-Version": fake.apiVersion }),
        "Builder-Version": "2",
        "Docker-Experimental": "false",
        Ostype: "linux",
        "Cache-Control": "no-cache, no-store, must-revalidate",
        Pragma: "no-cache",
        "Content-Type": "text/plain; charset=utf-8",
        Server: "Docker/27.4.0 (linux)",
      });
      return res.end("OK");
    }
    if (fake.mode === "garbage") return send(res, 200, "<html><body>502 Bad Gateway</body></html>");
    if (fake.mode === "wrong-shape") return send(res, 200, { containers: "none", Id: 7 });
    if (fake.mode === "error500") return send(res, 500, { message: "fake docker: internal error" });

    const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(pathname!);
    let rest = pathname!;
    if (m) {
      const v = m[1]!;
      if (ver(v) > ver(fake.apiVersion)) {
        return send(res, 400, {
          message: `client version ${v} is too new. Maximum supported API version is ${fake.apiVersion}`,
        });
      }
      if (ver(v) < ver(fake.minApiVersion)) {
        return send(res, 400, {
          message: `client version ${v} is too old. Minimum supported API version is ${fake.minApiVersion}, please upgrade your client to a newer version`,
        });
      }
      rest = m[2]!;
    }
    if (rest === "/containers/json") {
      const all = new URLSearchParams(query).get("all");
      const list = fake.containers.filter((c) => all === "1" || all === "true" || c.state === "running");
      return send(res, 200, list.map(summaryOf));
    }
    const insp = /^\/containers\/([^/]+)\/json$/.exec(rest);
    if (insp) {
      const key = decodeURIComponent(insp[1]!);
      const c = fake.containers.find((x) => x.id === key || x.id.startsWith(key) || x.name === key);
      if (!c) return send(res, 404, { message: `No such container: ${key}` });
      return send(res, 200, inspectOf(c));
    }
    return send(res, 404, { message: "page not found" });
  }

  await fake.up();
  return fake;
}
