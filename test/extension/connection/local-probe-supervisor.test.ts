// LocalProbeSupervisor with a real child process (the fake probe main, bundled here): one
// process however many attempts ask, a crash reported and restarted, a stop not reported.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FatalDialError } from "../../../extension/connection/dialer.js";
import { LocalProbeSupervisor } from "../../../extension/connection/local-probe-supervisor.js";
import { memoryLog } from "../../helpers/memory-log.js";
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
const supervisors: LocalProbeSupervisor[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "watchdog-supervisor-test-"));
  script = await bundleFakeProbeMain(tmp);
});
afterEach(async () => {
  for (const s of supervisors.splice(0)) await s.dispose();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function supervisor(probeScript = script) {
  const { log, lines } = memoryLog();
  const s = new LocalProbeSupervisor({ probeScript, log: log.child("local-probe") });
  supervisors.push(s);
  return { s, lines };
}

describe("LocalProbeSupervisor", () => {
  it("attempts asking at once share one process; dispose stops it and refuses from then on", async () => {
    const { s, lines } = supervisor();
    const [a, b] = await Promise.all([s.ensure(), s.ensure()]);
    expect(b.pid).toBe(a.pid);
    expect((await s.ensure()).pid).toBe(a.pid);
    expect(lines.filter((l) => l.includes("local probe started"))).toHaveLength(1);
    await s.dispose();
    expect(alive(a.pid)).toBe(false);
    await expect(s.ensure()).rejects.toThrow(new FatalDialError("the local probe is stopped"));
    expect(lines.filter((l) => l.startsWith("warn"))).toEqual([]);
  });

  it("a crash is a warning with the exit, and the next attempt starts a new process", async () => {
    const { s, lines } = supervisor();
    const first = await s.ensure();
    process.kill(first.pid, "SIGKILL"); // our own child
    await until("the crash reported", () => lines.some((l) => l.startsWith("warn")));
    const warnings = lines.filter((l) => l.startsWith("warn"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`warn [local-probe] local probe (pid ${first.pid}) exited (SIGKILL)`);
    const second = await s.ensure();
    expect(second.pid).not.toBe(first.pid);
    expect(alive(second.pid)).toBe(true);
  });

  it("stop() ends the process without a crash warning; ensure() afterwards starts a fresh one", async () => {
    const { s, lines } = supervisor();
    const first = await s.ensure();
    await s.stop();
    expect(alive(first.pid)).toBe(false);
    await new Promise((r) => setTimeout(r, 50)); // the exit handler runs after the exit
    expect(lines.filter((l) => l.startsWith("warn"))).toEqual([]);
    const second = await s.ensure();
    expect(second.pid).not.toBe(first.pid);
  });

  it("a start that fails is a FatalDialError naming the script, and is not retried by itself", async () => {
    const missing = join(tmp, "missing.js");
    const { s } = supervisor(missing);
    await expect(s.ensure()).rejects.toThrow(FatalDialError);
    await expect(s.ensure()).rejects.toThrow(`local probe (${missing}): exited (code 1) before listening`);
  });

  it("the environment set before a start reaches the child", async () => {
    const { s, lines } = supervisor();
    s.setEnv({ FAKE_MAIN_MODE: "exit-early" });
    await expect(s.ensure()).rejects.toThrow(/exited \(code 3\) before listening: config error: WATCHDOG_TICK_S/);
    s.setEnv({});
    expect(alive((await s.ensure()).pid)).toBe(true);
    expect(lines.some((l) => l.startsWith("trace [local-probe] "))).toBe(true);
  });
});
