// End to end through a REAL OpenSSH sshd on loopback: the stream of a fake probe arrives
// through ssh2's forwardOut channel; a host key that does not match is refused before any
// token leaves (the probe sees no connection at all).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { MementoLike } from "../../../extension/connection/host-key-broker.js";
import { ProbeManager, connectionId, tokenSecretKey } from "../../../extension/connection/manager.js";
import { TRUSTED_HOST_KEYS_STATE } from "../../../extension/connection/host-trust.js";
import type { HostKeyPromptInfo, ProbeConnectionView, ProbeTarget } from "../../../extension/connection/types.js";
import { startFakeProbe, type FakeProbe } from "../../helpers/fake-probe.js";
import { memoryLog } from "../../helpers/memory-log.js";
import { sshKeygen, startSshd, type KeyPair, type Sshd } from "../../helpers/sshd.js";
import { until } from "./until.js";

class MemoryMemento implements MementoLike {
  readonly data = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  update(key: string, value: unknown): Promise<void> {
    this.data.set(key, JSON.parse(JSON.stringify(value)));
    return Promise.resolve();
  }
}

let sshd: Sshd;
let fake: FakeProbe;
let tmp: string;
let otherKey: KeyPair;
const managers: ProbeManager[] = [];
/** what beforeAll started, to stop even if it failed halfway */
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  stops.push(() => sshd.stop());
  fake = await startFakeProbe();
  stops.push(() => fake.stop());
  tmp = mkdtempSync(join(tmpdir(), "watchdog-ssh-test-"));
  otherKey = sshKeygen(tmp, "other_host_key");
});
afterEach(async () => {
  for (const m of managers.splice(0)) await m.dispose();
});
afterAll(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function knownHosts(name: string, lines: string[], hashed = false): string {
  const file = join(tmp, name);
  writeFileSync(file, lines.join("\n") + "\n");
  if (hashed) execFileSync("ssh-keygen", ["-q", "-H", "-f", file], { stdio: "ignore" });
  return file;
}

interface Setup {
  knownHostsPath: string;
  pinned?: string;
  answer?: "once" | "trust" | "cancel";
  state?: MemoryMemento;
  identityFile?: string;
  remotePort?: number;
  /** how long the person takes to answer */
  answerAfterMs?: number;
}

function setup(s: Setup) {
  const prompts: HostKeyPromptInfo[] = [];
  const logs: string[] = [];
  const state = s.state ?? new MemoryMemento();
  const manager = new ProbeManager({
    secrets: {
      get: (k) => Promise.resolve(k === tokenSecretKey("lab") || k === tokenSecretKey("lab2") ? fake.token : undefined),
      store: async () => {},
      delete: async () => {},
    },
    state,
    log: memoryLog(logs).log,
    hostKeyPrompt: async (info) => {
      prompts.push(info);
      if (s.answerAfterMs) await new Promise((r) => setTimeout(r, s.answerAfterMs));
      return s.answer ?? "cancel";
    },
    probeScript: "/nonexistent/probe.js",
    knownHostsPath: s.knownHostsPath,
  });
  managers.push(manager);
  const target: ProbeTarget = {
    kind: "ssh",
    name: "lab",
    ssh: {
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      identityFile: s.identityFile ?? sshd.clientKey.privatePath,
      remotePort: s.remotePort ?? fake.port,
    },
    ...(s.pinned ? { hostKeyFingerprint: s.pinned } : {}),
  };
  const view = (): ProbeConnectionView | undefined => manager.connections.find((c) => c.id === connectionId("lab"));
  const phase = () => view()?.state.phase;
  return { manager, target, prompts, logs, state, view, phase };
}

const fail = (msg: string, t: ReturnType<typeof setup>) =>
  `${msg}\nstate: ${JSON.stringify(t.view()?.state)}\nsshd log:\n${sshd.log().slice(-2000)}`;

describe("SSH tunnel to a real sshd", () => {
  it("streams from the probe through the tunnel when known_hosts (hashed) knows the key", async () => {
    const t = setup({ knownHostsPath: knownHosts("kh-good", [sshd.knownHostsLine], true) });
    const before = fake.attempts.length;
    t.manager.setTargets([t.target]);
    await until("connected", () => t.phase() === "connected").catch((e) => {
      throw new Error(fail(String(e), t));
    });
    expect(fake.attempts.slice(before)).toEqual([{ authorization: `Bearer ${fake.token}`, status: 101 }]);
    expect(t.view()?.hello?.probe.hostname).toBe("fake-host");
    const snap = fake.snapshot({ processesTruncated: 3 });
    await until("a snapshot through the tunnel", () => t.view()?.snapshot?.seq === snap.seq);
    expect(t.view()?.snapshot).toEqual(snap);
    expect(t.prompts).toEqual([]);
    // disconnect closes the tunnel: the probe sees its client go
    t.manager.disconnect();
    await until("the probe's client gone", () => fake.clients.size === 0);
  });

  it("a different host key in known_hosts is refused as CHANGED before any token is sent", async () => {
    const other = `[127.0.0.1]:${sshd.port} ${otherKey.publicLine.split(" ").slice(0, 2).join(" ")}`;
    const t = setup({ knownHostsPath: knownHosts("kh-changed", [other]) });
    const before = fake.attempts.length;
    t.manager.setTargets([t.target]);
    await until("failed", () => t.phase() === "failed");
    const state = t.view()!.state;
    expect(state.phase === "failed" && state.reason).toMatch(/host key of \[127\.0\.0\.1\]:\d+ .*has CHANGED/);
    expect(state.phase === "failed" && state.reason).toContain(sshd.hostKey.fingerprint);
    expect(t.logs.some((l) => l.startsWith("error [probe:lab]") && l.includes("CHANGED"))).toBe(true);
    expect(t.prompts).toEqual([]);
    expect(fake.attempts.length).toBe(before);
  });

  it("a host known only with another key type is refused as CHANGED, without a prompt, even if trusted before", async () => {
    const ecdsa = sshKeygen(tmp, "other_ecdsa_host_key", "ecdsa");
    const line = `[127.0.0.1]:${sshd.port} ${ecdsa.publicLine.split(" ").slice(0, 2).join(" ")}`;
    // an earlier version asked here, and "trust" kept the offered key in the extension's state
    const state = new MemoryMemento();
    await state.update(TRUSTED_HOST_KEYS_STATE, {
      [`[127.0.0.1]:${sshd.port}`]: [{ keyType: "ssh-ed25519", fingerprint: sshd.hostKey.fingerprint }],
    });
    const t = setup({ knownHostsPath: knownHosts("kh-other-type", [line]), answer: "trust", state });
    const before = fake.attempts.length;
    t.manager.setTargets([t.target]);
    await until("failed", () => t.phase() === "failed");
    const view = t.view()!.state;
    const reason = view.phase === "failed" ? view.reason : "";
    expect(reason).toMatch(/host key of \[127\.0\.0\.1\]:\d+ .*has CHANGED/);
    expect(reason).toContain(`${ecdsa.fingerprint} (ecdsa-sha2-nistp256)`);
    expect(reason).toContain(`the server offered ${sshd.hostKey.fingerprint} (ssh-ed25519)`);
    expect(t.prompts).toEqual([]);
    expect(fake.attempts.length).toBe(before);
  });

  it("a different pinned fingerprint is refused before any token is sent, whatever known_hosts says", async () => {
    const t = setup({ knownHostsPath: knownHosts("kh-good2", [sshd.knownHostsLine]), pinned: otherKey.fingerprint });
    const before = fake.attempts.length;
    t.manager.setTargets([t.target]);
    await until("failed", () => t.phase() === "failed");
    expect(t.view()!.state).toMatchObject({ reason: expect.stringContaining("pinned hostKeyFingerprint") as unknown });
    expect(fake.attempts.length).toBe(before);
  });

  it("the right pinned fingerprint connects even with no known_hosts file", async () => {
    const t = setup({ knownHostsPath: join(tmp, "missing-known-hosts"), pinned: sshd.hostKey.fingerprint });
    t.manager.setTargets([t.target]);
    await until("connected", () => t.phase() === "connected");
    expect(t.prompts).toEqual([]);
  });

  it("an unknown key asks with its fingerprint; cancel refuses before any token is sent", async () => {
    const t = setup({ knownHostsPath: knownHosts("kh-empty", []), answer: "cancel" });
    const before = fake.attempts.length;
    t.manager.setTargets([t.target]);
    await until("failed", () => t.phase() === "failed");
    expect(t.prompts).toEqual([
      {
        probe: "lab",
        host: "127.0.0.1",
        port: sshd.port,
        fingerprint: sshd.hostKey.fingerprint,
        keyType: "ssh-ed25519",
        reason: "unknown",
      },
    ]);
    expect(fake.attempts.length).toBe(before);
  });

  it("trust is remembered in the extension's state (not in known_hosts) and not asked again", async () => {
    const kh = knownHosts("kh-empty2", []);
    const t = setup({ knownHostsPath: kh, answer: "trust" });
    t.manager.setTargets([t.target]);
    await until("connected", () => t.phase() === "connected");
    expect(t.prompts.length).toBe(1);
    expect(t.state.get(TRUSTED_HOST_KEYS_STATE)).toEqual({
      [`[127.0.0.1]:${sshd.port}`]: [{ keyType: "ssh-ed25519", fingerprint: sshd.hostKey.fingerprint }],
    });
    await t.manager.dispose();

    // a new window with the same state: no question
    const t2 = setup({ knownHostsPath: kh, answer: "cancel", state: t.state });
    t2.manager.setTargets([t2.target]);
    await until("connected", () => t2.phase() === "connected");
    expect(t2.prompts).toEqual([]);
  });

  it("two probes behind the same unknown host key get one question, and both connect", async () => {
    // the question stays open while the second probe's handshake reaches the same key
    const t = setup({ knownHostsPath: knownHosts("kh-empty4", []), answer: "once", answerAfterMs: 1_000 });
    t.manager.setTargets([t.target, { ...t.target, name: "lab2" }]);
    await until(
      "both connected",
      () => t.manager.connections.every((c) => c.state.phase === "connected") && t.manager.connections.length === 2,
    );
    expect(t.prompts.length).toBe(1);
  });

  it("accept once connects, stores nothing, and a reconnect does not ask again", async () => {
    const t = setup({ knownHostsPath: knownHosts("kh-empty3", []), answer: "once" });
    t.manager.setTargets([t.target]);
    await until("connected", () => t.phase() === "connected");
    expect(t.state.get(TRUSTED_HOST_KEYS_STATE)).toBeUndefined();
    const before = fake.attempts.length;
    t.manager.reconnect();
    // a fresh attempt, over a fresh SSH connection that verifies the host key again
    expect(t.phase()).toBe("connecting");
    await until("connected again", () => t.phase() === "connected");
    expect(fake.attempts.length).toBe(before + 1);
    expect(t.prompts.length).toBe(1);
  });

  it("a client key the server does not accept fails (not retried) with a clear reason", async () => {
    const stranger = sshKeygen(tmp, "stranger");
    const t = setup({
      knownHostsPath: knownHosts("kh-good3", [sshd.knownHostsLine]),
      identityFile: stranger.privatePath,
    });
    t.manager.setTargets([t.target]);
    await until("failed", () => t.phase() === "failed");
    expect(t.view()!.state).toMatchObject({ reason: expect.stringContaining("SSH login refused") as unknown });
  });

  it("no probe listening behind the tunnel is retried, not failed", async () => {
    const closed = await startFakeProbe();
    const port = closed.port;
    await closed.stop();
    const t = setup({ knownHostsPath: knownHosts("kh-good4", [sshd.knownHostsLine]), remotePort: port });
    t.manager.setTargets([t.target]);
    await until("waiting", () => t.phase() === "waiting");
    expect(t.view()!.state).toMatchObject({
      reason: expect.stringMatching(/SSH forward to 127\.0\.0\.1:\d+ failed/) as unknown,
    });
  });
});
