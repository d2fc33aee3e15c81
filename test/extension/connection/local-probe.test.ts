// local-probe.ts: the child's environment, its "listening" line, and a start that never comes.
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localProbeEnv, parseListeningLine, startLocalProbe } from "../../../extension/connection/local-probe.js";
import { memoryLog } from "../../helpers/memory-log.js";
import { bundleFakeProbeMain } from "./fake-probe-script.js";

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

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "watchdog-local-probe-test-"));
  script = await bundleFakeProbeMain(tmp);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("the local probe process", () => {
  it("a probe that never says where it listens is stopped after the start timeout", async () => {
    const { log } = memoryLog();
    const pidOut = join(tmp, "silent.pid");
    await expect(
      startLocalProbe({
        probeScript: script,
        env: { FAKE_MAIN_MODE: "silent", FAKE_MAIN_PID_OUT: pidOut },
        log,
        // long enough for the child to start and write its pid on a loaded machine
        startTimeoutMs: 8_000,
      }),
    ).rejects.toThrow(/did not report "listening" within 8 s/);
    // the rejection comes after the child has exited, not merely after the timeout
    const pid = Number(readFileSync(pidOut, "utf8"));
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
  });

  it("parses only a loopback ws:// listening line", () => {
    expect(parseListeningLine('{"event":"listening","url":"ws://127.0.0.1:41234/v1/stream"}')).toBe(
      "ws://127.0.0.1:41234/v1/stream",
    );
    expect(parseListeningLine('{"event":"listening","url":"ws://10.0.0.1:41234/v1/stream"}')).toBeNull();
    expect(parseListeningLine('{"event":"starting"}')).toBeNull();
    expect(parseListeningLine("listening on 8787")).toBeNull();
  });

  it("builds the child's environment: no inherited WATCHDOG_*, stream settings forced", () => {
    const env = localProbeEnv({ PATH: "/bin", WATCHDOG_WS_PORT: "8787", WATCHDOG_TELEGRAM_CHAT_ID: "1" }, "tok", {
      WATCHDOG_WS_HOST: "0.0.0.0",
      WATCHDOG_PROC_ENABLED: "false",
    });
    expect(env).toEqual({
      PATH: "/bin",
      WATCHDOG_PROC_ENABLED: "false",
      ELECTRON_RUN_AS_NODE: "1",
      WATCHDOG_WS_ENABLED: "true",
      WATCHDOG_WS_HOST: "127.0.0.1",
      WATCHDOG_WS_PORT: "0",
      WATCHDOG_WS_TOKEN: "tok",
      WATCHDOG_STDIN_LIFELINE: "true",
    });
  });
});
