import { describe, expect, it } from "vitest";
import { config as zodConfig } from "zod/mini";
import { tokenSecretKey } from "../../../extension/connection/manager.js";
import { parseProbeSettings } from "../../../extension/connection/settings.js";
import { parseServerFrame } from "../../../extension/connection/frame.js";
import { streamUrl } from "../../../extension/connection/dialer.js";
import { makeDecision, makeHello, makeProcess, makeSnapshot } from "../../helpers/fake-probe.js";

const FP = "SHA256:" + "A".repeat(43);

describe("parseProbeSettings", () => {
  it("reads direct and ssh probes, with ssh port 22 by default", () => {
    const { targets, errors } = parseProbeSettings([
      { name: "ci", url: "wss://ci.example:8787" },
      { name: "lab", ssh: { host: "lab.example", username: "me", remotePort: 8787 }, hostKeyFingerprint: FP },
    ]);
    expect(errors).toEqual([]);
    expect(targets).toEqual([
      { kind: "direct", name: "ci", url: "wss://ci.example:8787" },
      {
        kind: "ssh",
        name: "lab",
        ssh: { host: "lab.example", port: 22, username: "me", remotePort: 8787 },
        hostKeyFingerprint: FP,
      },
    ]);
  });

  it("reports each bad entry with its index and field, and keeps the good ones", () => {
    const { targets, errors } = parseProbeSettings([
      { name: "ok", url: "ws://127.0.0.1:8787" },
      { name: "http", url: "http://x" },
      { name: "both", url: "ws://x", ssh: {} },
      { name: "port", ssh: { host: "h", username: "u", remotePort: 70000 } },
      { name: "fp", ssh: { host: "h", username: "u", remotePort: 1 }, hostKeyFingerprint: "MD5:aa" },
      { name: "ok", url: "ws://127.0.0.1:1" },
      { name: "local", url: "ws://127.0.0.1:1" },
      { name: "token", url: "ws://x", token: "secret-in-settings" },
      "nope",
    ]);
    expect(targets.map((t) => t.name)).toEqual(["ok"]);
    expect(errors).toEqual([
      "watchdog.probes[1].url: must be a ws:// or wss:// URL",
      expect.stringMatching(/^watchdog\.probes\[2\]: needs exactly one of "url"/),
      "watchdog.probes[3].ssh.remotePort: must be a port number from 1 to 65535",
      expect.stringMatching(/^watchdog\.probes\[4\]\.hostKeyFingerprint: must look like "SHA256:"/),
      expect.stringMatching(/^watchdog\.probes\[5\]\.name: "ok" is used by an earlier probe/),
      expect.stringMatching(/^watchdog\.probes\[6\]\.name: "local" is reserved/),
      'watchdog.probes[7]: Unrecognized key: "token"',
      expect.stringMatching(/^watchdog\.probes\[8\]: must be an object/),
    ]);
  });

  it('zod\'s own checks read as English sentences, not a bare "Invalid input"', () => {
    // classic zod installs English messages globally when loaded; this file must see zod/mini alone
    expect(zodConfig().localeError).toBeUndefined();
    expect(
      parseProbeSettings([
        { name: 5, url: "ws://x" },
        { name: "id", ssh: { host: "h", username: "u", remotePort: 1, identityFile: " " } },
        { name: "frac", ssh: { host: "h", username: "u", remotePort: 80.5 } },
      ]).errors,
    ).toEqual([
      "watchdog.probes[0].name: Invalid input: expected string, received number",
      "watchdog.probes[1].ssh.identityFile: must not be empty",
      "watchdog.probes[2].ssh.remotePort: Invalid input: expected int, received number",
    ]);
  });

  it("no setting is no probes; a non-list is one clear error", () => {
    expect(parseProbeSettings(undefined)).toEqual({ targets: [], errors: [] });
    expect(parseProbeSettings({ name: "x" }).errors).toEqual(["watchdog.probes: must be a list of probes"]);
  });

  it("names the secret key after the probe", () => {
    expect(tokenSecretKey("ci")).toBe("watchdog.token.ci");
  });

  it("a bare ws:// URL means the stream path; an explicit path is kept", () => {
    expect(streamUrl("ws://127.0.0.1:8787")).toBe("ws://127.0.0.1:8787/v1/stream");
    expect(streamUrl("wss://proxy.example/watchdog/stream")).toBe("wss://proxy.example/watchdog/stream");
  });
});

describe("parseServerFrame", () => {
  const ok = (v: unknown) => parseServerFrame(JSON.stringify(v), false, 0);

  it("accepts every message type of the protocol", () => {
    expect(ok(makeHello())).toMatchObject({ ok: true, msg: { type: "hello" } });
    expect(ok(makeSnapshot(3, { processes: [makeProcess()] }))).toMatchObject({
      ok: true,
      msg: { type: "snapshot", seq: 3 },
    });
    expect(ok(makeDecision(2))).toMatchObject({ ok: true, msg: { type: "decision", seq: 2 } });
  });

  it.each([
    ["binary", () => parseServerFrame(Buffer.from("{}"), true, 2), /binary frame/],
    ["invalid JSON", () => parseServerFrame("{nope", false, 5), /invalid JSON/],
    ["a JSON array", () => ok([1, 2]), /not a JSON object/],
    ["a missing type", () => ok({ seq: 1 }), /^type missing frame .* failed the schema/],
    ["a type that is not a string", () => ok({ type: 7 }), /failed the schema/],
    [
      "a wrong field type",
      () => ok({ ...makeSnapshot(1), seq: "1" }),
      /seq: Invalid input: expected number, received string$/,
    ],
    ["protocol 0", () => ok({ ...makeHello(), protocol: 0 }), /protocol: Invalid input: expected 1$/],
    ["protocol as a string", () => ok({ ...makeHello(), protocol: "2" }), /protocol: Invalid input: expected 1$/],
    ["a fractional protocol", () => ok({ ...makeHello(), protocol: 2.5 }), /protocol: Invalid input: expected 1$/],
    ["a negative pid", () => ok(makeSnapshot(1, { processes: [makeProcess({ pid: -1 })] })), /processes\.0\.pid/],
  ])("rejects %s", (_n, f, why) => {
    const r = f();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(why);
  });

  it("skips a message type it does not know, without quoting the frame (a newer probe may add types)", () => {
    const r = ok({ type: "exec", cmd: "rm -rf /" });
    expect(r.ok === false && r.skip).toBe("unknown-type");
    expect(r.ok === false && r.reason).toContain('unknown type "exec"');
    expect(r.ok === false && r.reason).not.toContain("rm -rf");
  });

  it("a hello of a newer major protocol is not invalid: it says which version, whatever else it holds", () => {
    expect(ok({ type: "hello", protocol: 2, probe: "a shape version 1 does not know" })).toEqual({
      ok: false,
      skip: "newer-protocol",
      protocol: 2,
      reason: "this probe speaks protocol 2; update the extension (it speaks 1)",
    });
  });

  it("unknown fields and unknown signal kinds pass; the fields are dropped", () => {
    const signal = { key: "gpu_hot:0", kind: "gpu_hot", entity: "0", active: true, severity: "warning" as const };
    const snap = makeSnapshot(4, { signals: [{ ...signal, title: "GPU 0 at 95 °C", detail: "" }] });
    const r = ok({ ...snap, gpu: { temp: 95 }, signals: [{ ...snap.signals[0], since: "now" }] });
    expect(r).toEqual({ ok: true, msg: snap });
  });

  it("rejects a snapshot listing 1,000,000 processes before validating them", () => {
    const text = `{"type":"snapshot","seq":1,"processes":[${new Array(1_000_000).fill("0").join(",")}]}`;
    const r = parseServerFrame(text, false, text.length);
    expect(r).toEqual({
      ok: false,
      reason: expect.stringContaining("1000000 entries (the probe sends at most 500)") as string,
    });
  });

  it("never quotes more than a short prefix of a bad frame", () => {
    const secret = "x".repeat(30) + "TAIL-THAT-MUST-NOT-BE-LOGGED";
    const r = parseServerFrame(secret + "{", false, 60);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).not.toContain("TAIL-THAT-MUST-NOT-BE-LOGGED");
  });

  it("markdown and command: links are data: they pass through byte for byte", () => {
    const text =
      "[click](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%20-rf%20~%22%7D) **bold** <img src=x onerror=alert(1)>";
    const r = ok(makeDecision(9, { text, key: text }));
    expect(r.ok && r.msg.type === "decision" && r.msg.text).toBe(text);
  });
});
