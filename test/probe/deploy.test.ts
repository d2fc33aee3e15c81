// No Docker engine runs here, so the deployment files are checked by parsing them:
// the compose file with a small block-YAML reader (the subset the file uses), the
// Dockerfile instruction by instruction. The healthcheck command is actually run.
import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createDockerSource } from "../../probe/collectors/docker.js";
import { ENV_NAMES, parseConfig } from "../../probe/config.js";
import { startFakeDocker } from "../helpers/fake-docker.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const deploy = join(root, "probe/deploy");

type Yaml = string | null | Yaml[] | { [k: string]: Yaml };
interface Line {
  indent: number;
  text: string;
  no: number;
}

function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && ((t[0] === '"' && t.at(-1) === '"') || (t[0] === "'" && t.at(-1) === "'")))
    return t.slice(1, -1);
  return t;
}

function stripComment(s: string): string {
  let q: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q) {
      if (c === q) q = null;
      continue;
    }
    if (c === '"' || c === "'") q = c;
    else if (c === "#" && (i === 0 || /\s/.test(s[i - 1]!))) return s.slice(0, i);
  }
  return s;
}

/** Block maps, block lists (of scalars or maps), quoted scalars, comments. Enough for compose. */
function parseYaml(text: string): Yaml {
  const lines: Line[] = [];
  text.split("\n").forEach((raw, i) => {
    if (raw.includes("\t")) throw new Error(`line ${i + 1}: tab in indentation`);
    const body = stripComment(raw).trimEnd();
    if (body.trim() === "") return;
    lines.push({ indent: body.length - body.trimStart().length, text: body.trim(), no: i + 1 });
  });
  let i = 0;
  const keyRe = /^([A-Za-z0-9_.-]+|"[^"]*"):(?:\s+(.*))?$/;

  function block(indent: number): Yaml {
    if (lines[i]!.text.startsWith("-")) return list(indent);
    const out: { [k: string]: Yaml } = {};
    while (i < lines.length && lines[i]!.indent === indent && !lines[i]!.text.startsWith("-")) {
      const l = lines[i]!;
      const m = keyRe.exec(l.text);
      if (!m) throw new Error(`line ${l.no}: expected "key: value", got ${JSON.stringify(l.text)}`);
      const key = unquote(m[1]!);
      if (key in out) throw new Error(`line ${l.no}: duplicate key ${key}`);
      i++;
      if (m[2] !== undefined && m[2] !== "") {
        out[key] = unquote(m[2]);
        continue;
      }
      const next = lines[i];
      if (next && (next.indent > indent || (next.indent === indent && next.text.startsWith("-"))))
        out[key] = block(next.indent);
      else out[key] = null;
    }
    if (i < lines.length && lines[i]!.indent > indent) throw new Error(`line ${lines[i]!.no}: unexpected indentation`);
    return out;
  }

  function list(indent: number): Yaml[] {
    const out: Yaml[] = [];
    while (i < lines.length && lines[i]!.indent === indent && lines[i]!.text.startsWith("-")) {
      const l = lines[i]!;
      const rest = l.text.slice(1).trim();
      if (rest === "") {
        i++;
        out.push(block(lines[i]!.indent));
        continue;
      }
      if (keyRe.test(rest) && !/^["']/.test(rest)) {
        // "- key: v" opens a map whose keys line up two columns in
        lines[i] = { indent: indent + 2, text: rest, no: l.no };
        out.push(block(indent + 2));
        continue;
      }
      out.push(unquote(rest));
      i++;
    }
    return out;
  }

  const doc = block(0);
  if (i < lines.length) throw new Error(`line ${lines[i]!.no}: not parsed`);
  return doc;
}

interface Instruction {
  op: string;
  args: string;
  line: number;
}
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buf = "",
    start = 0;
  text.split("\n").forEach((raw, i) => {
    const t = raw.trim();
    if (buf === "" && (t === "" || t.startsWith("#"))) return;
    if (buf === "") start = i + 1;
    if (t.endsWith("\\")) {
      buf += t.slice(0, -1) + " ";
      return;
    }
    buf += t;
    const m = /^(\w+)\s+([\s\S]*)$/.exec(buf);
    if (!m) throw new Error(`Dockerfile line ${start}: cannot read ${JSON.stringify(buf)}`);
    out.push({ op: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
    buf = "";
  });
  return out;
}

const compose = parseYaml(readFileSync(join(deploy, "compose.example.yml"), "utf8")) as { [k: string]: Yaml };
const services = compose.services as { [name: string]: { [k: string]: Yaml } };
const watchdog = services["orchestrator-watchdog"]!;
const dockerfile = parseDockerfile(readFileSync(join(deploy, "Dockerfile"), "utf8"));

describe("the mini YAML reader", () => {
  it("reads maps, lists of scalars and lists of maps, and refuses what it does not understand", () => {
    expect(parseYaml("a:\n  b: 'x # y' # c\n  l:\n    - 1\n    - k: v\n      r: false\nz:\n- q\n")).toEqual({
      a: { b: "x # y", l: ["1", { k: "v", r: "false" }] },
      z: ["q"],
    });
    expect(() => parseYaml("a: 1\na: 2\n")).toThrow(/duplicate key a/);
    expect(() => parseYaml("a: 1\n   b: 2\n")).toThrow(/unexpected indentation/);
    expect(() => parseYaml("a: 1\n\tb: 2\n")).toThrow(/tab/);
  });
});

describe("compose.example.yml", () => {
  it("has the orchestrator and the orchestrator-watchdog services", () => {
    expect(Object.keys(services).sort()).toEqual(["orchestrator", "orchestrator-watchdog"]);
  });

  it("gives pid: host to the watchdog only", () => {
    expect(watchdog.pid).toBe("host");
    for (const [name, svc] of Object.entries(services))
      if (name !== "orchestrator-watchdog") expect(svc.pid, name).toBeUndefined();
  });

  it("mounts the docker socket read-only, at the path the probe is told", () => {
    const vols = watchdog.volumes as string[];
    const sock = vols.filter((v) => v.includes("docker.sock"));
    expect(sock).toEqual(["/var/run/docker.sock:/var/run/docker.sock:ro"]);
    for (const svc of Object.values(services)) {
      for (const v of (svc.volumes as string[] | undefined) ?? []) expect(v.split(":").at(-1)).toBe("ro");
    }
    const env = watchdog.environment as Record<string, string>;
    expect(sock[0]!.split(":")[1]).toBe(env.WATCHDOG_DOCKER_SOCKET);
  });

  it("reads .env.watchdog only if it exists", () => {
    expect(watchdog.env_file).toEqual([{ path: ".env.watchdog", required: "false" }]);
  });

  it("restarts the watchdog, scans /proc, and passes only valid WATCHDOG_ variables", () => {
    expect(watchdog.restart).toMatch(/^(unless-stopped|always|on-failure)/);
    const env = watchdog.environment as Record<string, string>;
    expect(env.WATCHDOG_PROC_ENABLED).toBe("true");
    expect(env.WATCHDOG_PROC_ROOT).toBe("/proc");
    for (const k of Object.keys(env)) expect(ENV_NAMES as string[]).toContain(k);
    const r = parseConfig(env);
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it("publishes ports on the host's loopback only, and the orchestrator never waits for the watchdog", () => {
    for (const svc of Object.values(services)) {
      for (const p of (svc.ports as string[] | undefined) ?? []) expect(p).toMatch(/^127\.0\.0\.1:/);
    }
    expect(JSON.stringify(services.orchestrator!.depends_on ?? null)).not.toContain("watchdog");
  });

  it("runs read-only with no capabilities", () => {
    expect(watchdog.read_only).toBe("true");
    expect(watchdog.cap_drop).toEqual(["ALL"]);
  });
});

describe("Dockerfile", () => {
  const ops = (op: string) => dockerfile.filter((d) => d.op === op);

  it("is a Node 20 image", () => {
    expect(ops("FROM")).toHaveLength(1);
    expect(ops("FROM")[0]!.args).toMatch(/^node:20(\.[\d.]+)?-(alpine|slim)/);
  });

  it("copies only dist/probe.js", () => {
    expect(ops("ADD")).toEqual([]);
    expect(ops("COPY").map((c) => c.args.split(/\s+/).filter((a) => !a.startsWith("--")))).toEqual([
      ["dist/probe.js", "/app/probe.js"],
    ]);
    const ignore = readFileSync(join(deploy, "Dockerfile.dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    expect(ignore).toEqual(["*", "!dist/probe.js"]);
  });

  it("runs as a non-root user, set before the command", () => {
    const users = ops("USER");
    expect(users.length).toBeGreaterThan(0);
    const last = users.at(-1)!;
    expect(last.args.split(":")[0]).not.toMatch(/^(root|0)$/);
    expect(last.line).toBeLessThan(ops("CMD")[0]!.line);
    expect(JSON.parse(ops("CMD")[0]!.args)).toEqual(["node", "--max-semi-space-size=2", "/app/probe.js"]);
  });

  it("has a HEALTHCHECK on /healthz", () => {
    expect(ops("HEALTHCHECK")).toHaveLength(1);
    expect(ops("HEALTHCHECK")[0]!.args).toMatch(/CMD .*\/healthz/);
  });
});

describe("the HEALTHCHECK command, run for real", () => {
  const cmd = /CMD\s+(.*)$/.exec(dockerfile.find((d) => d.op === "HEALTHCHECK")!.args)![1]!;
  let status = 200;
  const server = http.createServer((req, res) => {
    res.writeHead(req.url === "/healthz" ? status : 404);
    res.end(status === 200 ? "ok\n" : "no\n");
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  function run(port: number): Promise<number> {
    return new Promise((resolve) => {
      const child = execFile(
        "/bin/sh",
        ["-c", cmd],
        {
          env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, WATCHDOG_WS_PORT: String(port) },
          timeout: 15_000,
        },
        (err) => resolve(err ? (typeof err.code === "number" ? err.code : 99) : 0),
      );
      child.stdin?.end();
    });
  }

  it("exits 0 on 200, non-zero on 503 and when nothing listens", async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as AddressInfo).port;
    expect(await run(port)).toBe(0);
    status = 503;
    expect(await run(port)).not.toBe(0);
    const free = http.createServer();
    await new Promise<void>((r) => free.listen(0, "127.0.0.1", () => r()));
    const freePort = (free.address() as AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    expect(await run(freePort)).not.toBe(0);
  });
});

function hasHaproxy(): boolean {
  try {
    execFileSync("haproxy", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// The GET-only proxy that docs/operating.md recommends, run for real (Debian's haproxy)
// between the docker source and the fake Engine. CI installs haproxy (.ci/run); a machine
// without it fails here with the install hint rather than silently skipping.
describe("docker-read-only-proxy.cfg in front of the fake Engine", () => {
  it("passes what the probe needs and refuses everything else before it reaches the daemon", async () => {
    if (!hasHaproxy()) throw new Error("haproxy is not installed: apt-get install -y haproxy (.ci/run does this)");
    const dir = mkdtempSync(join(tmpdir(), "ro-proxy-"));
    const fake = await startFakeDocker({
      containers: [{ id: "a".repeat(64), name: "orchestrator", state: "running", health: "healthy", restarts: 1 }],
    });
    const front = join(dir, "docker.sock");
    const cfg = readFileSync(join(deploy, "docker-read-only-proxy.cfg"), "utf8")
      .replace("/run/docker-ro/docker.sock", front)
      .replace("/var/run/docker.sock", fake.socketPath);
    writeFileSync(join(dir, "haproxy.cfg"), cfg);
    execFileSync("haproxy", ["-c", "-q", "-f", join(dir, "haproxy.cfg")]);
    const proxy = spawn("haproxy", ["-db", "-f", join(dir, "haproxy.cfg")], { stdio: "ignore" });
    try {
      for (let i = 0; i < 100 && !existsSync(front); i++) await new Promise((r) => setTimeout(r, 50));
      const src = createDockerSource({ socket: front, containers: ["orchestrator"] }, { timeoutMs: 5000 });
      const out = await src.collect({ now: Date.now(), signal: new AbortController().signal });
      expect(out.containers).toEqual([{ name: "orchestrator", state: "running", health: "healthy", restarts: 1 }]);
      const ask = (method: string, path: string) =>
        new Promise<number>((resolve, reject) => {
          const req = http.request({ socketPath: front, method, path }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on("error", reject);
          req.end();
        });
      const before = fake.requests.length;
      for (const [m, p] of [
        ["POST", "/v1.47/containers/create"],
        ["DELETE", "/v1.47/containers/x"],
        ["POST", "/v1.47/containers/x/exec"],
        ["GET", "/v1.47/images/json"],
        ["GET", "/v1.47/containers/x/logs"],
        ["GET", "/v1.47/containers/x/archive"],
      ] as const) {
        expect(await ask(m, p), `${m} ${p}`).toBe(403);
      }
      expect(fake.requests.length).toBe(before);
      expect(await ask("GET", "/v1.47/containers/json?all=1")).toBe(200);
    } finally {
      if (proxy.exitCode === null) {
        const exited = new Promise((r) => proxy.once("exit", r));
        proxy.kill();
        await exited;
      }
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
