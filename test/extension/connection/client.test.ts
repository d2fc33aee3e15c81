// The ws client against a real fake-probe server on loopback.
import { afterEach, describe, expect, it } from "vitest";
import { ProbeClient, type ClientOptions } from "../../../extension/connection/client.js";
import { streamUrl } from "../../../extension/connection/dialer.js";
import type { Decision } from "../../../probe/protocol.js";
import type { ProbeConnectionView } from "../../../extension/connection/types.js";
import { buildStatus } from "../../../extension/views/status-model.js";
import { buildTree } from "../../../extension/views/model.js";
import { formatMessage } from "../../../extension/views/format.js";
import { makeHello, makeProcess, makeSnapshot, startFakeProbe, type FakeProbe } from "../../helpers/fake-probe.js";
import { memoryLog } from "../../helpers/memory-log.js";
import { until } from "./until.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Rig {
  fake: FakeProbe;
  client: ProbeClient;
  logs: string[];
  decisions: { d: Decision; replayed: boolean }[];
  changes: ProbeConnectionView[];
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function rig(
  opts: { token?: string | null; fake?: FakeProbe; client?: Partial<ClientOptions> } = {},
): Promise<Rig> {
  const fake = opts.fake ?? (await startFakeProbe());
  if (!opts.fake) cleanup.push(() => fake.stop());
  const logs: string[] = [];
  const decisions: Rig["decisions"] = [];
  const changes: ProbeConnectionView[] = [];
  const client = new ProbeClient({
    id: "probe:t",
    target: { kind: "direct", name: "t", url: fake.url },
    getToken: () => Promise.resolve(opts.token === null ? undefined : (opts.token ?? fake.token)),
    dialer: { dial: () => Promise.resolve({ url: streamUrl(fake.url), release() {} }) },
    log: memoryLog(logs).log,
    now: Date.now,
    random: () => 0.5,
    onChange: (v) => void changes.push(v),
    onDecision: (_v, d, replayed) => void decisions.push({ d, replayed }),
    ...opts.client,
  });
  cleanup.push(() => client.dispose());
  return { fake, client, logs, decisions, changes };
}

const phase = (r: Rig) => r.client.view.state.phase;

describe("ProbeClient against a probe stream", () => {
  it("connects with the bearer token, shows hello and snapshot, flags the replay", async () => {
    const fake = await startFakeProbe();
    cleanup.push(() => fake.stop());
    const old1 = fake.decision({ action: "alert" });
    const old2 = fake.decision({ action: "recovery" });
    const snap = fake.snapshot({ processes: [makeProcess()] });
    const r = await rig({ fake });
    r.client.start();
    await until("connected", () => phase(r) === "connected");
    await until("the replay", () => r.decisions.length === 2);
    expect(fake.attempts).toEqual([{ authorization: `Bearer ${fake.token}`, status: 101 }]);
    expect(r.client.view.hello?.probe.hostname).toBe("fake-host");
    expect(r.client.view.snapshot).toEqual(snap);
    expect(r.client.view.snapshotReceivedAt).toEqual(expect.any(Number));
    expect(r.decisions).toEqual([
      { d: old1, replayed: true },
      { d: old2, replayed: true },
    ]);

    const live = fake.decision({ action: "repeat" });
    await until("the live decision", () => r.decisions.length === 3);
    expect(r.decisions[2]).toEqual({ d: live, replayed: false });
    expect(r.client.view.decisions.map((d) => d.seq)).toEqual([old1.seq, old2.seq, live.seq]);
    expect(r.logs.join("\n")).not.toContain(fake.token);
  });

  it("drops hostile frames, counts them, and keeps the last good state", async () => {
    const r = await rig();
    r.client.start();
    await until("connected", () => phase(r) === "connected");
    const good = r.client.view.snapshot;
    const hostile: (string | Buffer)[] = [
      "{not json",
      "[]",
      JSON.stringify({ ...good, seq: "7" }),
      JSON.stringify({ ...good, processes: [{ ...makeProcess(), pid: "4242; reboot" }] }),
      JSON.stringify({ type: "decision", seq: 1 }),
      `{"type":"snapshot","seq":99,"processes":[${new Array(1_000_000).fill("{}").join(",")}]}`,
    ];
    for (const f of hostile) r.fake.sendRaw(f);
    r.fake.sendRaw(Buffer.from([0, 1, 2, 3]), { binary: true });
    await until("all rejected", () => r.client.view.rejectedFrames === hostile.length + 1);
    expect(phase(r)).toBe("connected");
    expect(r.client.view.snapshot).toBe(good);
    expect(r.decisions).toEqual([]);
    // quiet after five: the log does not grow with a flood
    expect(r.logs.filter((l) => l.includes("dropped an invalid frame")).length).toBe(5);
    expect(r.logs.join("\n")).not.toContain("rm -rf");

    // remote text is data: markdown and command: links arrive verbatim, to be shown as plain text
    const text =
      "[run](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%20-rf%20~%5Cn%22%7D) **now**";
    const next = r.fake.snapshot({ processes: [makeProcess({ argv: [text], cmdline: text })] });
    await until("the next good snapshot", () => r.client.view.snapshot?.seq === next.seq);
    expect(r.client.view.snapshot?.processes[0]?.cmdline).toBe(text);
  });

  it("a frame over maxPayload closes the socket, is counted, and the client reconnects", async () => {
    const r = await rig({ client: { maxPayload: 64 * 1024 } });
    r.client.start();
    await until("connected", () => phase(r) === "connected");
    r.fake.sendRaw(JSON.stringify({ type: "decision", text: "x".repeat(100_000) }));
    await until("waiting", () => phase(r) === "waiting");
    expect(r.client.view.state).toMatchObject({ reason: expect.stringContaining("exceeded 65536 bytes") as string });
    expect(r.client.view.rejectedFrames).toBe(1);
    await until("connected again", () => phase(r) === "connected");
    expect(r.fake.attempts.length).toBe(2);
  });

  it("keeps at most 50 decisions, newest last", async () => {
    const r = await rig();
    r.client.start();
    await until("connected", () => phase(r) === "connected");
    const sent = Array.from({ length: 60 }, (_, i) => r.fake.decision({ entity: String(i) }));
    await until("60 decisions", () => r.decisions.length === 60);
    expect(r.client.view.decisions.length).toBe(50);
    expect(r.client.view.decisions.at(-1)).toEqual(sent.at(-1));
    expect(r.client.view.decisions[0]).toEqual(sent[10]);
  });

  it.each([401, 403, 404])("HTTP %i is shown as failed and not retried", async (status) => {
    const fake = await startFakeProbe({ refuseWith: status });
    cleanup.push(() => fake.stop());
    const r = await rig({ fake });
    r.client.start();
    await until("failed", () => phase(r) === "failed");
    expect(r.client.view.state).toMatchObject({ reason: expect.stringContaining(`HTTP ${status}`) as string });
    await sleep(800); // three times the first backoff: a retry would have happened by now
    expect(fake.attempts.length).toBe(1);
    expect(phase(r)).toBe("failed");
  });

  it("a wrong token is a 401: failed, and the token is never logged", async () => {
    const r = await rig({ token: "wrong-token-value" });
    r.client.start();
    await until("failed", () => phase(r) === "failed");
    expect(r.client.view.state).toMatchObject({ reason: "HTTP 401 (token missing or wrong)" });
    expect(r.logs.join("\n")).not.toContain("wrong-token-value");
  });

  it("no stored token: failed before dialing", async () => {
    const r = await rig({ token: null });
    r.client.start();
    await until("failed", () => phase(r) === "failed");
    expect(r.client.view.state).toMatchObject({ reason: expect.stringContaining("no token stored") as string });
    expect(r.fake.attempts.length).toBe(0);
  });

  it("HTTP 503 (too many clients) is retried", async () => {
    const fake = await startFakeProbe({ refuseWith: 503 });
    cleanup.push(() => fake.stop());
    const r = await rig({ fake });
    r.client.start();
    await fake.waitForAttempts(2);
    fake.refuseWith = null;
    await until("connected", () => phase(r) === "connected");
  });

  it("reconnects after the probe restarts, without firing replayed decisions twice", async () => {
    const r = await rig();
    const d1 = r.fake.decision();
    r.fake.snapshot();
    r.client.start();
    await until("connected", () => phase(r) === "connected");
    await until("replay", () => r.decisions.length === 1);
    await r.fake.stop();
    await until("waiting", () => phase(r) === "waiting");
    const w = r.client.view.state;
    expect(w).toMatchObject({ phase: "waiting", attempt: 1 });
    await r.fake.start();
    await until("connected again", () => phase(r) === "connected");
    const d2 = r.fake.decision();
    await until("the new decision", () => r.decisions.length === 2);
    expect(r.decisions.map((x) => x.d.seq)).toEqual([d1.seq, d2.seq]);
    expect(r.client.view.decisions.map((d) => d.seq)).toEqual([d1.seq, d2.seq]);
  });

  it("a probe with no hello in time is dropped and retried", async () => {
    const fake = await startFakeProbe({ greet: false });
    cleanup.push(() => fake.stop());
    const r = await rig({ fake, client: { helloTimeoutMs: 300 } });
    r.client.start();
    await until("waiting", () => phase(r) === "waiting");
    expect(r.client.view.state).toMatchObject({ reason: "no valid hello within 0.3 s" });
  });

  it("stop closes the socket and goes idle; no retry follows", async () => {
    const r = await rig();
    r.client.start();
    await until("connected", () => phase(r) === "connected");
    r.client.stop();
    expect(phase(r)).toBe("idle");
    await until("socket closed", () => r.fake.clients.size === 0);
    await sleep(600);
    expect(r.fake.attempts.length).toBe(1);
  });
});

describe("forward compatibility with a newer probe (docs/protocol.md)", () => {
  it("a snapshot with an unknown field and an unknown signal kind is accepted and shown", async () => {
    const r = await rig();
    r.client.start();
    await until("connected", () => phase(r) === "connected");
    const seq = r.fake.nextSeq();
    const at = "2026-06-15T03:10:00.000Z";
    const newer = {
      ...makeSnapshot(seq, {
        signals: [
          {
            key: "gpu_hot:0",
            kind: "gpu_hot",
            entity: "0",
            active: true,
            severity: "critical",
            title: "GPU 0 at 95 °C",
            detail: "",
          },
        ],
        alerts: [
          {
            key: "gpu_hot:0",
            kind: "gpu_hot",
            entity: "0",
            firing: true,
            since: at,
            lastNotifiedAt: at,
            cooldownUntil: null,
            notifications: 1,
          },
        ],
      }),
      gpu: [{ index: 0, tempC: 95 }],
    };
    r.fake.sendRaw(JSON.stringify(newer));
    await until("the newer snapshot", () => r.client.view.snapshot?.seq === seq);
    expect(r.client.view.rejectedFrames).toBe(0);
    expect(r.client.view.snapshot).not.toHaveProperty("gpu");
    expect(r.client.view.snapshot?.signals.map((x) => x.kind)).toEqual(["gpu_hot"]);

    const now = Date.now();
    expect(buildStatus([r.client.view], now, formatMessage).text).toBe("$(alert) 1 alert: gpu_hot");
    const labels = [...buildTree([r.client.view], now, formatMessage).rows.values()].map((row) => row.label);
    expect(labels).toContain("gpu_hot: 0");
  });

  it("an unknown message type is skipped: not counted as invalid, the connection stays up", async () => {
    const r = await rig();
    r.client.start();
    await until("connected", () => phase(r) === "connected");
    r.fake.sendRaw(JSON.stringify({ type: "heartbeat", seq: 99, at: "2026-06-15T03:00:00.000Z" }));
    r.fake.sendRaw(JSON.stringify({ type: "exec", command: "rm -rf ~" }));
    const next = r.fake.snapshot();
    await until("the snapshot after them", () => r.client.view.snapshot?.seq === next.seq);
    expect(phase(r)).toBe("connected");
    expect(r.client.view.rejectedFrames).toBe(0);
    expect(r.fake.attempts.length).toBe(1);
    expect(r.logs.filter((l) => l.startsWith("warn"))).toEqual([]);
    expect(r.logs.join("\n")).not.toContain("rm -rf");
  });

  it("a hello of protocol 2 ends in 'update the extension', with no retry", async () => {
    const fake = await startFakeProbe();
    cleanup.push(() => fake.stop());
    // a version-2 hello need not look like version 1 beyond `type` and `protocol`
    fake.hello = { ...makeHello(), protocol: 2 as 1, probe: "v2" as unknown as ReturnType<typeof makeHello>["probe"] };
    // a short hello timeout: without the fix the client would give up on the hello and retry quickly
    const r = await rig({ fake, client: { helloTimeoutMs: 200 } });
    r.client.start();
    await until("failed", () => phase(r) === "failed");
    expect(r.client.view.state).toEqual({
      phase: "failed",
      reason: "this probe speaks protocol 2; update the extension (it speaks 1)",
      probeProtocol: 2,
    });
    await until("the socket closed", () => fake.clients.size === 0);
    await sleep(800); // the hello timeout plus three times the first backoff: a retry would have dialed by now
    expect(fake.attempts.length).toBe(1);
    expect(phase(r)).toBe("failed");
    expect(r.client.view.rejectedFrames).toBe(0);

    const status = buildStatus([r.client.view], Date.now(), formatMessage);
    expect(status.tooltip).toContain("t: this probe speaks protocol 2; update the extension");
  });
});
