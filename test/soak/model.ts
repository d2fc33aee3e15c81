// The model: what the tick loop must decide, tick by tick, derived from the plan alone
// (written independently of probe/decide.ts and probe/loop.ts, so it can disagree).
// Rules it encodes (docs/architecture.md "The decision" + loop.ts):
// - a failing source (threw, timed out, returned garbage) keeps the signals of its last
//   good tick, whatever they were, and adds an active `source_error:<name>`;
// - a vanish fault is a good tick: the pid is gone from the scan, so it recovers;
// - inactive → active: alert; active and now ≥ last notification + cooldown: repeat;
//   active → inactive or absent: recovery.
import { T0, TICK_MS, cooldownFor, isFailure, signalsAt, type Outage, type Plan } from "./plan.js";

export interface Expected {
  /** per tick: the decisions as "action key", sorted */
  decisions: string[][];
  /** per tick: how many signals are active in the snapshot */
  activeCount: Uint16Array;
  totals: { alert: number; repeat: number; recovery: number };
  /** per tick: alerts + recoveries (the messages that must never be evicted) */
  urgent: Uint16Array;
}

const NONE: string[] = [];

export function predict(plan: Plan): Expected {
  const lastGood: Array<Array<{ key: string; active: boolean }>> = plan.sources.map(() => []);
  const state = new Map<string, { firing: boolean; last: number }>();
  const decisions: string[][] = [];
  const activeCount = new Uint16Array(plan.ticks);
  const urgent = new Uint16Array(plan.ticks);
  const totals = { alert: 0, repeat: 0, recovery: 0 };

  for (let k = 0; k < plan.ticks; k++) {
    const now = T0 + k * TICK_MS;
    const active = new Set<string>();
    for (const [i, s] of plan.sources.entries()) {
      const f = s.faults[k]!;
      if (isFailure(f)) active.add(`source_error:${s.name}`);
      else lastGood[i] = signalsAt(s, k).map((g) => ({ key: `${g.kind}:${g.entity}`, active: g.active }));
      for (const g of lastGood[i]!) if (g.active) active.add(g.key);
    }
    activeCount[k] = active.size;
    const out: string[] = [];
    for (const key of active) {
      const st = state.get(key);
      if (!st || !st.firing) {
        state.set(key, { firing: true, last: now });
        out.push(`alert ${key}`);
      } else if (now >= st.last + cooldownFor(key.slice(0, key.indexOf(":"))) * 1000) {
        st.last = now;
        out.push(`repeat ${key}`);
      }
    }
    for (const [key, st] of state) {
      if (st.firing && !active.has(key)) {
        st.firing = false;
        out.push(`recovery ${key}`);
      }
    }
    for (const d of out) totals[d.slice(0, d.indexOf(" ")) as keyof typeof totals]++;
    urgent[k] = out.filter((d) => !d.startsWith("repeat")).length;
    decisions.push(out.length ? out.sort() : NONE);
  }
  return { decisions, activeCount, totals, urgent };
}

/**
 * Alerts and recoveries are only evicted from a full outbox when it holds nothing
 * else, which the soak does not claim to survive: each outage is shortened until the
 * alerts and recoveries decided during it (plus 20 ticks of catching up) fill at most
 * half the box. Reminders may fill the rest; evicting them is the outbox's job.
 */
export function fitOutages(outages: Outage[], exp: Expected, outboxMax: number): Outage[] {
  const limit = Math.floor(outboxMax / 2);
  const out: Outage[] = [];
  for (const o of outages) {
    const k0 = Math.max(0, Math.floor((o.from - T0) / TICK_MS));
    let k1 = Math.ceil((o.to - T0) / TICK_MS);
    const load = (end: number) => {
      let n = 0;
      for (let k = k0; k < Math.min(end + 20, exp.urgent.length); k++) n += exp.urgent[k]!;
      return n;
    };
    while (k1 > k0 + 3 && load(k1) > limit) k1--;
    if (load(k1) <= limit) out.push({ ...o, to: Math.min(o.to, T0 + k1 * TICK_MS) });
  }
  return out;
}
