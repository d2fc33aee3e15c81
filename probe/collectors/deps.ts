// The deps source: a TCP connect to each WATCHDOG_DEPS target (all in parallel), closed
// as soon as it opens. `dep_down` is debounced like `orch_down`: one failed connect
// never alerts, WATCHDOG_DEPS_DOWN_TICKS consecutive ones do.
import net from "node:net";
import type { Config, Dep } from "../config.js";
import { debounce, DEBOUNCE_INITIAL, type DebounceState } from "../debounce.js";
import { errorText } from "../errors.js";
import type { DepInfo, Signal } from "../protocol.js";
import { makeSignal } from "../signals.js";
import type { Source } from "../source.js";
import { SIGNAL_EN, type SignalTexts } from "../signal-texts.js";

export interface ConnectResult {
  ok: boolean;
  ms: number;
  error: string | null;
}

export interface ConnectOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** name resolution, as net.connect takes it (tests use it to stall a lookup) */
  lookup?: net.LookupFunction;
}

/** "db:5432", "[::1]:5432". */
export function depTarget(d: Dep): string {
  return `${d.host.includes(":") ? `[${d.host}]` : d.host}:${d.port}`;
}

/** One TCP connect; never rejects, always settles by `timeoutMs`. */
export function tcpConnect(host: string, port: number, opts: ConnectOptions): Promise<ConnectResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const sock = net.connect({ host, port, ...(opts.lookup ? { lookup: opts.lookup } : {}) });
    const finish = (error: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      sock.destroy();
      resolve({ ok: error === null, ms: Math.round((performance.now() - t0) * 100) / 100, error });
    };
    const timer = setTimeout(() => finish(`connect timed out after ${opts.timeoutMs / 1000} s`), opts.timeoutMs);
    const onAbort = () => finish("aborted");
    if (opts.signal?.aborted) return finish("aborted");
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    sock.once("connect", () => finish(null));
    sock.once("error", (e) => finish(errorText(e)));
  });
}

export interface DepsSourceOptions {
  /** the loop's limit for the whole source; default the connect timeout plus 1 s */
  timeoutMs?: number;
  lookup?: net.LookupFunction;
  texts?: SignalTexts;
}

export function createDepsSource(cfg: Config["deps"], opts: DepsSourceOptions = {}): Source {
  const connectMs = cfg.timeoutS * 1000;
  const states = new Map<string, DebounceState>();
  const tx = opts.texts ?? SIGNAL_EN;
  return {
    name: "deps",
    timeoutMs: opts.timeoutMs ?? connectMs + 1000,
    async collect(ctx) {
      const results = await Promise.all(
        cfg.targets.map((d) =>
          tcpConnect(d.host, d.port, {
            timeoutMs: connectMs,
            signal: ctx.signal,
            ...(opts.lookup ? { lookup: opts.lookup } : {}),
          }),
        ),
      );
      const deps: DepInfo[] = [];
      const signals: Signal[] = [];
      for (const [i, d] of cfg.targets.entries()) {
        const r = results[i]!;
        const target = depTarget(d);
        const st = debounce(states.get(d.name) ?? DEBOUNCE_INITIAL, r.ok, cfg.downTicks);
        states.set(d.name, st);
        // `up` is what this tick saw; the alert waits for the debounce.
        deps.push({ name: d.name, target, up: r.ok, ms: r.ok ? r.ms : null });
        signals.push(
          makeSignal(
            "dep_down",
            d.name,
            st.down,
            "critical",
            tx.depTitle(d.name, target, { down: st.down, ok: r.ok, failures: st.failures, of: cfg.downTicks }),
            r.ok ? tx.depOk(target, r.ms) : tx.depFailed(target, st.failures, cfg.downTicks, r.error ?? ""),
          ),
        );
      }
      return { signals, deps };
    },
  };
}
