// The host-key questions: one question per key however many attempts wait, "trust" kept in
// the extension's state, "once" only for this session, and both forgotten on request.
import { describe, expect, it } from "vitest";
import { HostKeyBroker, type MementoLike } from "../../../extension/connection/host-key-broker.js";
import { TRUSTED_HOST_KEYS_STATE } from "../../../extension/connection/host-trust.js";
import type { HostKeyAnswer, HostKeyPromptInfo } from "../../../extension/connection/types.js";
import { memoryLog } from "../../helpers/memory-log.js";

class Memory implements MementoLike {
  readonly data = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  update(key: string, value: unknown): Promise<void> {
    this.data.set(key, JSON.parse(JSON.stringify(value)));
    return Promise.resolve();
  }
}

const FP = "SHA256:" + "k".repeat(43);
const question = (over: Partial<HostKeyPromptInfo> = {}): HostKeyPromptInfo => ({
  probe: "lab",
  host: "ci-3.example.org",
  port: 2222,
  fingerprint: FP,
  keyType: "ssh-ed25519",
  reason: "unknown",
  ...over,
});

function broker(answer: HostKeyAnswer) {
  const state = new Memory();
  const asked: HostKeyPromptInfo[] = [];
  let release!: () => void;
  const answered = new Promise<void>((r) => (release = r));
  const { log, lines } = memoryLog();
  const b = new HostKeyBroker({
    state,
    log: log.child("host-keys"),
    prompt: async (info) => {
      asked.push(info);
      await answered;
      return answer;
    },
  });
  return { b, state, asked, lines, release };
}

describe("HostKeyBroker", () => {
  it("attempts waiting on the same key share one question and its answer", async () => {
    const t = broker("once");
    const waiting = [t.b.ask(question()), t.b.ask(question({ probe: "lab2" })), t.b.ask(question())];
    t.release();
    expect(await Promise.all(waiting)).toEqual(["once", "once", "once"]);
    expect(t.asked.map((q) => q.probe)).toEqual(["lab"]);
    // answered: the next unknown key of that host is a new question
    t.b.ask(question({ fingerprint: "SHA256:" + "z".repeat(43) })).catch(() => undefined);
    expect(t.asked).toHaveLength(2);
  });

  it('"trust" is kept in the extension\'s state for that host; "once" only in memory', async () => {
    const trust = broker("trust");
    trust.release();
    await trust.b.ask(question());
    expect(trust.state.get(TRUSTED_HOST_KEYS_STATE)).toEqual({
      "[ci-3.example.org]:2222": [{ keyType: "ssh-ed25519", fingerprint: FP }],
    });
    expect(trust.b.trusted()["[ci-3.example.org]:2222"]).toHaveLength(1);
    expect(trust.lines).toEqual([
      `info [host-keys] probe "lab": host key ${FP} (ssh-ed25519) of [ci-3.example.org]:2222 trusted`,
    ]);

    const once = broker("once");
    once.release();
    await once.b.ask(question());
    expect(once.state.data.size).toBe(0);
    expect([...once.b.acceptedOnce]).toEqual([`[ci-3.example.org]:2222 ${FP}`]);
  });

  it('"cancel" records nothing', async () => {
    const t = broker("cancel");
    t.release();
    expect(await t.b.ask(question())).toBe("cancel");
    expect(t.state.data.size).toBe(0);
    expect(t.b.acceptedOnce.size).toBe(0);
  });

  it("forget drops trusted and once-accepted keys of that host only", async () => {
    const t = broker("trust");
    t.release();
    await t.b.ask(question());
    await t.b.ask(question({ host: "other.example.org", port: 22 }));
    const once = new HostKeyBroker({ state: t.state, log: memoryLog().log, prompt: () => Promise.resolve("once") });
    await once.ask(question({ fingerprint: "SHA256:" + "o".repeat(43) }));
    await once.ask(question({ host: "other.example.org", port: 22, fingerprint: "SHA256:" + "p".repeat(43) }));

    await t.b.forget("ci-3.example.org", 2222);
    await once.forget("ci-3.example.org", 2222);
    expect(Object.keys(t.b.trusted())).toEqual(["other.example.org"]);
    expect([...once.acceptedOnce]).toEqual([`other.example.org SHA256:${"p".repeat(43)}`]);
  });

  it("reads a corrupt stored value as nothing trusted", () => {
    const t = broker("cancel");
    t.state.data.set(TRUSTED_HOST_KEYS_STATE, { "[ci-3.example.org]:2222": "not a list", x: [{ keyType: 1 }] });
    expect(t.b.trusted()).toEqual({});
  });
});
