import { describe, expect, it } from "vitest";
import { parseProbeSettings } from "../../../extension/connection/settings.js";
import {
  directEntry,
  localProbeEnv,
  probeNames,
  sshEntry,
  validateName,
  validatePort,
  validateWsUrl,
  withProbe,
} from "../../../extension/settings.js";
import { t } from "./fixtures.js";

describe("connect-to-a-probe input validation", () => {
  it("wants a new, non-empty name", () => {
    expect(validateName("", [], t)).toBe("Enter a name for the probe.");
    expect(validateName("prod", ["prod"], t)).toBe("A probe named prod already exists.");
    expect(validateName("local", [], t)).toMatch(/reserved/);
    expect(validateName("ci-3", ["prod"], t)).toBeUndefined();
    expect(validateName("x".repeat(65), [], t)).toBe("Use at most 64 characters.");
    expect(validateName("x".repeat(64), [], t)).toBeUndefined();
    expect(validateName("a\u0007b", [], t)).toBe("Leave control characters out of the name.");
    expect(validateName("prod", [" prod "], t)).toBe("A probe named prod already exists.");
  });

  it("wants a ws:// or wss:// URL without credentials", () => {
    expect(validateWsUrl("ws://127.0.0.1:8787/v1/stream", t)).toBeUndefined();
    expect(validateWsUrl("wss://probe.example.org/v1/stream", t)).toBeUndefined();
    expect(validateWsUrl("http://x", t)).toBe("The URL must start with ws:// or wss://.");
    expect(validateWsUrl("nonsense", t)).toMatch(/^Enter a URL/);
    expect(validateWsUrl("ws://user:secret@host/v1/stream", t)).toMatch(/credentials/);
  });

  it("wants ports between 1 and 65535", () => {
    expect(validatePort("22", t)).toBeUndefined();
    for (const bad of ["0", "65536", "2.5", "x", ""]) expect(validatePort(bad, t)).toBeDefined();
  });
});

describe("the watchdog.probes value the command writes", () => {
  it("is read back by the connection layer as the probe the user typed", () => {
    const raw = withProbe(
      withProbe(undefined, directEntry(" prod ", "ws://10.0.0.5:8787/v1/stream ")),
      sshEntry({
        name: "ci",
        host: "ci.example.org",
        port: "2222",
        username: "me",
        identityFile: "",
        remotePort: "8787",
      }),
    );
    const { targets, errors } = parseProbeSettings(raw);
    expect(errors).toEqual([]);
    expect(targets).toEqual([
      { kind: "direct", name: "prod", url: "ws://10.0.0.5:8787/v1/stream" },
      { kind: "ssh", name: "ci", ssh: { host: "ci.example.org", port: 2222, username: "me", remotePort: 8787 } },
    ]);
  });

  it("keeps entries it does not understand", () => {
    const odd = { name: "hand-written", url: "ws://x", comment: 1 };
    expect(withProbe([odd], directEntry("b", "ws://b"))[0]).toBe(odd);
    expect(probeNames([odd, 3, null, { url: "ws://y" }])).toEqual(["hand-written"]);
  });
});

describe("watchdog.localProbe.env", () => {
  it("passes WATCHDOG_* variables and reports the rest", () => {
    const r = localProbeEnv({ WATCHDOG_PROC_ENABLED: true, WATCHDOG_TICK_S: 5, PATH: "/evil", WATCHDOG_X: { a: 1 } });
    expect(r.env).toEqual({ WATCHDOG_PROC_ENABLED: "true", WATCHDOG_TICK_S: "5" });
    expect(r.errors).toHaveLength(2);
    expect(localProbeEnv([1]).errors).toHaveLength(1);
    expect(localProbeEnv(undefined)).toEqual({ env: {}, errors: [] });
  });
});
