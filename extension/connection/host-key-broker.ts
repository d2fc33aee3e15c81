// The SSH host-key questions of one window: asks the user about an unknown key (once per
// key, however many connection attempts wait for the answer), remembers "trust" in the
// extension's state (never in known_hosts) and "once" for this session, and forgets them
// again on request. Which key needs a question at all is host-trust.ts's pure decision.
import {
  TRUSTED_HOST_KEYS_STATE,
  onceKey,
  readTrustStore,
  withTrusted,
  withoutTrusted,
  type TrustStore,
} from "./host-trust.js";
import { hostLookupName } from "./known-hosts.js";
import type { Logger } from "../log.js";
import type { HostKeyAnswer, HostKeyPromptInfo } from "./types.js";

/** The part of VS Code's Memento (globalState) the trusted keys live in. */
export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

/** Shows the question to the user; extension.ts wires a modal dialog to it. */
export type HostKeyPrompt = (info: HostKeyPromptInfo) => Promise<HostKeyAnswer>;

export interface HostKeyBrokerDeps {
  state: MementoLike;
  prompt: HostKeyPrompt;
  log: Logger;
}

export class HostKeyBroker {
  /** `lookup fingerprint` strings accepted with "once" */
  private readonly once = new Set<string>();
  private readonly pending = new Map<string, Promise<HostKeyAnswer>>();

  constructor(private readonly d: HostKeyBrokerDeps) {}

  /** Keys trusted in an earlier prompt (a corrupt stored value reads as none). */
  trusted(): TrustStore {
    return readTrustStore(this.d.state.get(TRUSTED_HOST_KEYS_STATE));
  }

  get acceptedOnce(): ReadonlySet<string> {
    return this.once;
  }

  /** Asks once per host key at a time; the answer is recorded before anyone waiting on it goes on. */
  ask(info: HostKeyPromptInfo): Promise<HostKeyAnswer> {
    const key = onceKey(info.host, info.port, info.fingerprint);
    let asking = this.pending.get(key);
    if (!asking) {
      asking = this.askAndRecord(info).finally(() => this.pending.delete(key));
      this.pending.set(key, asking);
    }
    return asking;
  }

  /** Forgets keys trusted or accepted once for this host; the next connection asks again. */
  async forget(host: string, port: number): Promise<void> {
    await this.d.state.update(TRUSTED_HOST_KEYS_STATE, withoutTrusted(this.trusted(), host, port));
    const prefix = hostLookupName(host, port) + " ";
    for (const k of [...this.once]) if (k.startsWith(prefix)) this.once.delete(k);
    this.d.log.info(`host keys of ${hostLookupName(host, port)} forgotten`);
  }

  private async askAndRecord(info: HostKeyPromptInfo): Promise<HostKeyAnswer> {
    const answer = await this.d.prompt(info);
    const what = `probe "${info.probe}": host key ${info.fingerprint} (${info.keyType}) of ${hostLookupName(info.host, info.port)}`;
    if (answer === "trust") {
      const next = withTrusted(this.trusted(), info.host, info.port, info.keyType, info.fingerprint);
      await this.d.state.update(TRUSTED_HOST_KEYS_STATE, next);
      this.d.log.info(`${what} trusted`);
    } else if (answer === "once") {
      this.once.add(onceKey(info.host, info.port, info.fingerprint));
      this.d.log.info(`${what} accepted for this session`);
    } else this.d.log.info(`${what} not accepted`);
    return answer;
  }
}
