// ProbeManager: settings in, connections out; the local probe as a real child process.
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { MementoLike } from "../../../extension/connection/host-key-broker.js";
import {
  LOCAL_CONNECTION_ID,
  ProbeManager,
  connectionId,
  tokenSecretKey,
} from "../../../extension/connection/manager.js";
import type { ProbeConnectionView } from "../../../extension/connection/types.js";
import { startFakeProbe, type FakeProbe } from "../../helpers/fake-probe.js";
import { memoryLog } from "../../helpers/memory-log.js";
import { closedPort } from "../../helpers/ports.js";
import { bundleFakeProbeMain } from "./fake-probe-script.js";
import { until } from "./until.js";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let tmp: string;
let script: string;
let realProbe: string;
const fakes: FakeProbe[] = [];
const managers: ProbeManager[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "watchdog-manager-test-"));
  script = await bundleFakeProbeMain(tmp);
  realProbe = join(tmp, "real-probe.cjs");
  await build({
    entryPoints: [join(__dirname, "../../../probe/main.ts")],
    outfile: realProbe,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    logLevel: "error",
  });
});
afterEach(async () => {
  for (const m of managers.splice(0)) await m.dispose();
  for (const f of fakes.splice(0)) await f.stop();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

class Memory implements MementoLike {
  readonly data = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  update(key: string, value: unknown): Promise<void> {
    this.data.set(key, value);
    return Promise.resolve();
  }
  store(key: string, value: string): Promise<void> {
    return this.update(key, value);
  }
  delete(key: string): Promise<void> {
    this.data.delete(key);
    return Promise.resolve();
  }
}

function manager(probeScript = script) {
  const secrets = new Memory();
  const { log, lines: logs } = memoryLog();
  const m = new ProbeManager({
    secrets: {
      get: (k) => Promise.resolve(secrets.get<string>(k)),
      store: (k, v) => secrets.store(k, v),
      delete: (k) => secrets.delete(k),
    },
    state: new Memory(),
    log,
    hostKeyPrompt: () => Promise.resolve("cancel"),
    probeScript,
    knownHostsPath: join(tmp, "none"),
  });
  managers.push(m);
  const changes: ProbeConnectionView[] = [];
  m.onDidChange((c) => changes.push(c));
  const get = (id: string) => m.connections.find((c) => c.id === id);
  return { m, secrets, logs, changes, get };
}

async function fakeProbe(): Promise<FakeProbe> {
  const f = await startFakeProbe();
  fakes.push(f);
  return f;
}

describe("ProbeManager with configured probes", () => {
  it("connects new targets, keeps unchanged ones connected, drops removed ones", async () => {
    const [a, b] = [await fakeProbe(), await fakeProbe()];
    const t = manager();
    await t.secrets.store(tokenSecretKey("a"), a.token);
    await t.secrets.store(tokenSecretKey("b"), b.token);
    const ta = { kind: "direct" as const, name: "a", url: `ws://127.0.0.1:${a.port}` };
    const tb = { kind: "direct" as const, name: "b", url: b.url };
    t.m.setTargets([ta]);
    await until("a connected", () => t.get(connectionId("a"))?.state.phase === "connected");
    t.m.setTargets([tb, { ...ta }]);
    expect(t.m.connections.map((c) => c.name)).toEqual(["b", "a"]);
    await until("b connected", () => t.get(connectionId("b"))?.state.phase === "connected");
    expect(a.attempts.length).toBe(1); // a was kept, not reconnected
    expect(t.get(connectionId("a"))?.state.phase).toBe("connected");
    t.m.setTargets([tb]);
    expect(t.m.connections.map((c) => c.name)).toEqual(["b"]);
    await until("a's socket closed", () => a.clients.size === 0);
    // the removed connection's last view was announced
    expect(t.changes.filter((c) => c.id === connectionId("a")).at(-1)?.state.phase).toBe("idle");
  });

  it("a changed URL for the same name reconnects to the new place", async () => {
    const [a, b] = [await fakeProbe(), await fakeProbe()];
    const t = manager();
    await t.secrets.store(tokenSecretKey("x"), a.token);
    t.m.setTargets([{ kind: "direct", name: "x", url: a.url }]);
    await until("connected to a", () => t.get(connectionId("x"))?.state.phase === "connected");
    await t.secrets.store(tokenSecretKey("x"), b.token);
    t.m.setTargets([{ kind: "direct", name: "x", url: b.url }]);
    await until("connected to b", () => b.clients.size === 1 && t.get(connectionId("x"))?.state.phase === "connected");
    await until("a dropped", () => a.clients.size === 0);
  });

  it("missing token → failed; after the token is stored, reconnect(id) connects", async () => {
    const a = await fakeProbe();
    const t = manager();
    t.m.setTargets([{ kind: "direct", name: "a", url: a.url }]);
    await until("failed", () => t.get(connectionId("a"))?.state.phase === "failed");
    await t.secrets.store(tokenSecretKey("a"), a.token);
    t.m.reconnect(connectionId("a"));
    await until("connected", () => t.get(connectionId("a"))?.state.phase === "connected");
  });

  it("a token changed in secret storage reconnects that probe, and only that one", async () => {
    const [a, b] = [await fakeProbe(), await fakeProbe()];
    const t = manager();
    await t.secrets.store(tokenSecretKey("b"), b.token);
    t.m.setTargets([
      { kind: "direct", name: "a", url: a.url },
      { kind: "direct", name: "b", url: b.url },
    ]);
    await until("a failed (no token)", () => t.get(connectionId("a"))?.state.phase === "failed");
    await until("b connected", () => t.get(connectionId("b"))?.state.phase === "connected");
    await t.secrets.store(tokenSecretKey("a"), a.token);
    t.m.tokenChanged("watchdog.token.nobody");
    expect(t.get(connectionId("a"))?.state.phase).toBe("failed");
    t.m.tokenChanged(tokenSecretKey("a"));
    await until("a connected", () => t.get(connectionId("a"))?.state.phase === "connected");
    expect(b.attempts.length).toBe(1);
  });

  it("the log names each connection and shows neither its token nor credentials in its URL", async () => {
    const port = await closedPort();
    const t = manager();
    const token = "tok-" + "s".repeat(40);
    await t.secrets.store(tokenSecretKey("creds"), token);
    t.m.setTargets([{ kind: "direct", name: "creds", url: `ws://watchdog:hunter2@127.0.0.1:${port}/` }]);
    await until("a failed attempt logged", () => t.logs.some((l) => l.includes("disconnected")));
    t.m.disconnect();
    expect(t.logs.filter((l) => l.startsWith("info [probe:creds] "))).not.toEqual([]);
    const all = t.logs.join("\n");
    expect(all).not.toContain(token);
    expect(all).not.toContain("hunter2");
  });

  it("onDecision tells replayed from live decisions", async () => {
    const a = await fakeProbe();
    const old = a.decision();
    a.snapshot();
    const t = manager();
    const seen: [number, boolean][] = [];
    t.m.onDecision((_c, d, replayed) => seen.push([d.seq, replayed]));
    await t.secrets.store(tokenSecretKey("a"), a.token);
    t.m.setTargets([{ kind: "direct", name: "a", url: a.url }]);
    await until("replay", () => seen.length === 1);
    const live = a.decision();
    await until("live", () => seen.length === 2);
    expect(seen).toEqual([
      [old.seq, true],
      [live.seq, false],
    ]);
  });

  it("dispose closes every socket", async () => {
    const a = await fakeProbe();
    const t = manager();
    await t.secrets.store(tokenSecretKey("a"), a.token);
    t.m.setTargets([{ kind: "direct", name: "a", url: a.url }]);
    await until("connected", () => a.clients.size === 1);
    await t.m.dispose();
    await until("closed", () => a.clients.size === 0);
  });
});

describe("the local probe", () => {
  it("starts the script with a fresh token on a free loopback port, connects, and stops it on dispose", async () => {
    const envOut = join(tmp, "env.json");
    process.env.WATCHDOG_TELEGRAM_BOT_TOKEN = "from-the-users-shell";
    const t = manager();
    try {
      await t.m.startLocalProbe({ FAKE_MAIN_ENV_OUT: envOut, WATCHDOG_TICK_S: "5" });
    } finally {
      delete process.env.WATCHDOG_TELEGRAM_BOT_TOKEN;
    }
    await until("local connected", () => t.get(LOCAL_CONNECTION_ID)?.state.phase === "connected");
    const local = t.get(LOCAL_CONNECTION_ID)!;
    expect(local.target).toEqual({ kind: "local", name: "local" });
    await until("a snapshot", () => t.get(LOCAL_CONNECTION_ID)?.snapshot !== null);
    const env = JSON.parse(readFileSync(envOut, "utf8")) as Record<string, string>;
    expect(env).toMatchObject({
      ELECTRON_RUN_AS_NODE: "1",
      WATCHDOG_WS_HOST: "127.0.0.1",
      WATCHDOG_WS_PORT: "0",
      WATCHDOG_PROC_ENABLED: "true",
      WATCHDOG_TICK_S: "5",
    });
    expect(env.WATCHDOG_WS_TOKEN).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(env.WATCHDOG_TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(t.logs.join("\n")).not.toContain(env.WATCHDOG_WS_TOKEN);
    const pid = local.hello!.probe.pid;
    expect(alive(pid)).toBe(true);
    await t.m.dispose();
    expect(alive(pid)).toBe(false);
  });

  it("a probe that exits at start-up is shown as failed with its last stderr line", async () => {
    const t = manager();
    await t.m.startLocalProbe({ FAKE_MAIN_MODE: "exit-early" });
    await until("failed", () => t.get(LOCAL_CONNECTION_ID)?.state.phase === "failed");
    expect(t.get(LOCAL_CONNECTION_ID)!.state).toMatchObject({
      reason: expect.stringMatching(/exited \(code 3\) before listening: config error: WATCHDOG_TICK_S/) as unknown,
    });
  });

  it("a missing script is failed, not retried", async () => {
    const missing = join(tmp, "does-not-exist.js");
    const t = manager(missing);
    await t.m.startLocalProbe();
    await until("failed", () => t.get(LOCAL_CONNECTION_ID)?.state.phase === "failed");
    expect(t.get(LOCAL_CONNECTION_ID)!.state).toMatchObject({
      reason: expect.stringContaining(`local probe (${missing}): exited (code 1) before listening`) as unknown,
    });
    // failed is final: no retry is scheduled (a retry passes through "connecting")
    const phases = t.changes.filter((c) => c.id === LOCAL_CONNECTION_ID).map((c) => c.state.phase);
    await new Promise((r) => setTimeout(r, 600));
    expect(t.changes.filter((c) => c.id === LOCAL_CONNECTION_ID).map((c) => c.state.phase)).toEqual(phases);
    expect(phases.at(-1)).toBe("failed");
  });

  it('disconnecting while the local probe starts stops it quietly (no "exited" warning)', async () => {
    const t = manager();
    const started = t.m.startLocalProbe();
    t.m.disconnect(LOCAL_CONNECTION_ID);
    await started;
    await until("the child started", () => t.logs.some((l) => /local probe started \(pid \d+\)/.test(l)));
    const pid = Number(/local probe started \(pid (\d+)\)/.exec(t.logs.join("\n"))![1]);
    await until("the child gone", () => !alive(pid));
    expect(t.get(LOCAL_CONNECTION_ID)?.state.phase).toBe("idle");
    await new Promise((r) => setTimeout(r, 50)); // the exit handler runs after the exit
    expect(t.logs.filter((l) => l.startsWith("warn"))).toEqual([]);
  });

  it("a crashed local probe is started again by the next attempt", async () => {
    const t = manager();
    await t.m.startLocalProbe();
    await until("connected", () => t.get(LOCAL_CONNECTION_ID)?.state.phase === "connected");
    const pid1 = t.get(LOCAL_CONNECTION_ID)!.hello!.probe.pid;
    process.kill(pid1, "SIGKILL"); // our own child
    await until("a new process", () => {
      const h = t.get(LOCAL_CONNECTION_ID)?.hello;
      return (
        t.get(LOCAL_CONNECTION_ID)?.state.phase === "connected" && h !== null && h !== undefined && h.probe.pid !== pid1
      );
    });
    expect(alive(pid1)).toBe(false);
  });

  it("a probe that ignores SIGTERM is killed after 2 s", async () => {
    const t = manager();
    await t.m.startLocalProbe({ FAKE_MAIN_MODE: "ignore-term" });
    await until("connected", () => t.get(LOCAL_CONNECTION_ID)?.state.phase === "connected");
    const pid = t.get(LOCAL_CONNECTION_ID)!.hello!.probe.pid;
    await t.m.dispose();
    expect(alive(pid)).toBe(false);
  });

  it("the real probe (probe/main.ts, bundled as dist/probe.js is): started, streamed from, stopped", async () => {
    const t = manager(realProbe);
    await t.m.startLocalProbe({ WATCHDOG_TICK_S: "1" });
    await until("connected", () => t.get(LOCAL_CONNECTION_ID)?.state.phase === "connected");
    await until("a snapshot", () => (t.get(LOCAL_CONNECTION_ID)?.snapshot ?? null) !== null);
    const c = t.get(LOCAL_CONNECTION_ID)!;
    expect(c.hello?.config).toMatchObject({ tickS: 1, proc: { enabled: true } });
    expect(c.rejectedFrames).toBe(0);
    const pid = c.hello!.probe.pid;
    expect(alive(pid)).toBe(true);
    await t.m.dispose();
    expect(alive(pid)).toBe(false);
  });

  it("the real probe with a bad setting: failed, with the variable named", async () => {
    const t = manager(realProbe);
    await t.m.startLocalProbe({ WATCHDOG_TICK_S: "often" });
    await until("failed", () => t.get(LOCAL_CONNECTION_ID)?.state.phase === "failed");
    expect(t.get(LOCAL_CONNECTION_ID)!.state).toMatchObject({
      reason: expect.stringMatching(/exited \(code 2\).*WATCHDOG_TICK_S/) as unknown,
    });
  });
});
