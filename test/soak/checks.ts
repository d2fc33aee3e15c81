// What the soak asserts, fed as things happen (decisions, snapshots, deliveries,
// outcomes) so nothing grows with the run: the loop never stopped and ticked on time;
// every tick's decisions are exactly the model's; no reminder inside its cooldown;
// every alert and recovery reached Telegram exactly once, in decision order; only
// reminders were ever evicted; the outbox stayed within its bound.
import type { DecisionEvent } from "../../probe/loop.js";
import type { TelegramStats } from "../../probe/notify/telegram.js";
import type { Action, Snapshot } from "../../probe/protocol.js";
import type { FakeMessage } from "../helpers/fake-telegram.js";
import type { Expected } from "./model.js";
import { FAULT, FAULT_NAMES, T0, TICK_MS, cooldownFor, isFailure, type Plan } from "./plan.js";
import type { FaultCounts } from "./sources.js";
import type { AnswerCounts } from "./telegram-faults.js";

type Counts = Record<Action, number>;
const zero = (): Counts => ({ alert: 0, repeat: 0, recovery: 0 });
const MAX_LISTED = 40;

export class Checker {
  snapshots = 0;
  violationCount = 0;
  private readonly violations: string[] = [];
  private tickDecisions: string[] = [];
  private lastSnapSeq = 0;
  private readonly lastNotified = new Map<string, number>();
  private readonly pending = new Map<number, { key: string; entity: string; action: Action; tick: number }>();
  private lastDelivered = 0;
  private readonly decided = zero();
  private readonly delivered = zero();
  private readonly failedBy = zero();
  private duplicates = 0;
  private clientTimeouts = 0;
  private overBound = 0;
  private final: { stats: TelegramStats; faults: FaultCounts; answers: AnswerCounts } | null = null;

  constructor(
    private readonly exp: Expected,
    private readonly plan: Plan,
    private readonly outboxMax: number,
  ) {}

  violation(msg: string): void {
    this.violationCount++;
    if (this.violations.length < MAX_LISTED) this.violations.push(msg);
  }

  violationList(): string[] {
    return [...this.violations];
  }

  decision(ev: DecisionEvent): void {
    const k = this.snapshots; // the tick in progress
    const { key } = ev.signal;
    this.decided[ev.action]++;
    this.tickDecisions.push(`${ev.action} ${key}`);
    if (ev.at !== T0 + k * TICK_MS)
      this.violation(`tick ${k + 1}: ${ev.action} ${key} stamped ${new Date(ev.at).toISOString()}`);
    // no reminder inside a cooldown, checked on the events themselves (not via the model)
    const last = this.lastNotified.get(key);
    if (ev.action === "repeat") {
      const cd = cooldownFor(ev.signal.kind) * 1000;
      if (last === undefined || ev.at < last + cd)
        this.violation(
          `tick ${k + 1}: reminder for ${key} inside its cooldown (last ${last === undefined ? "never" : new Date(last).toISOString()})`,
        );
    }
    if (ev.action === "recovery") this.lastNotified.delete(key);
    else this.lastNotified.set(key, ev.at);
    this.pending.set(ev.seq, { key, entity: ev.signal.entity, action: ev.action, tick: k });
  }

  snapshot(
    s: Snapshot,
    parsed: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } },
  ): void {
    const k = this.snapshots++;
    const tick = `tick ${k + 1}`;
    if (s.at !== new Date(T0 + k * TICK_MS).toISOString())
      this.violation(`${tick}: snapshot at ${s.at}, expected ${new Date(T0 + k * TICK_MS).toISOString()}`);
    if (!parsed.success) {
      const i = parsed.error?.issues[0];
      this.violation(`${tick}: snapshot breaks the protocol schema at ${i?.path.join(".")}: ${i?.message}`);
    }
    if (!(s.seq > this.lastSnapSeq)) this.violation(`${tick}: snapshot seq ${s.seq} after ${this.lastSnapSeq}`);
    this.lastSnapSeq = s.seq;
    for (const [i, src] of this.plan.sources.entries()) {
      const f = src.faults[k] ?? FAULT.none;
      const got = s.sources[i];
      if (!got || got.name !== src.name || got.ok !== !isFailure(f)) {
        this.violation(
          `${tick}: source ${src.name} reported ok=${got?.ok} (${got?.error ?? "no error"}), the plan says ${f ? FAULT_NAMES[f - 1] : "healthy"}`,
        );
      } else if (f === FAULT.hang && !/timeout/.test(got.error ?? "")) {
        this.violation(`${tick}: source ${src.name} hung but its error is "${got.error}"`);
      }
    }
    const active = s.signals.filter((g) => g.active).length;
    if (active !== this.exp.activeCount[k])
      this.violation(`${tick}: ${active} active signals in the snapshot, the model has ${this.exp.activeCount[k]}`);
    const got = this.tickDecisions.sort();
    const want = this.exp.decisions[k] ?? [];
    if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
      const missing = want.filter((d) => !got.includes(d)),
        extra = got.filter((d) => !want.includes(d));
      this.violation(
        `${tick}: decisions differ from the model: missing [${missing.join(", ")}], unexpected [${extra.join(", ")}]`,
      );
    }
    this.tickDecisions = [];
  }

  outcome(_key: string, action: Action, outcome: "sent" | "failed"): void {
    if (outcome === "failed") this.failedBy[action]++;
  }

  telegramLog(line: Record<string, unknown>): void {
    if (typeof line.msg === "string" && line.msg.includes("over its bound")) this.overBound++;
    if (typeof line.error === "string" && line.error.startsWith("timeout")) this.clientTimeouts++;
  }

  /** Messages the fake Bot API accepted; each starts with "#<decision seq> ". */
  deliveries(msgs: FakeMessage[]): void {
    for (const m of msgs) {
      const mm = /^#(\d+) /.exec(m.visible);
      if (!mm) {
        this.violation(`Telegram got a message without its decision mark: ${m.visible.slice(0, 80)}`);
        continue;
      }
      const seq = Number(mm[1]);
      const p = this.pending.get(seq);
      if (!p) {
        if (seq === this.lastDelivered) this.duplicates++;
        else
          this.violation(`Telegram got decision #${seq} again or out of order (last delivered #${this.lastDelivered})`);
        continue;
      }
      if (seq < this.lastDelivered)
        this.violation(`decision #${seq} (${p.action} ${p.key}) delivered after #${this.lastDelivered}: out of order`);
      if (!m.visible.includes(p.entity)) this.violation(`decision #${seq}: the message does not name ${p.entity}`);
      this.pending.delete(seq);
      this.lastDelivered = Math.max(this.lastDelivered, seq);
      this.delivered[p.action]++;
    }
  }

  finish(stats: TelegramStats, faults: FaultCounts, answers: AnswerCounts): void {
    this.final = { stats, faults, answers };
    let leftRepeats = 0;
    for (const [seq, p] of this.pending) {
      if (p.action === "repeat") leftRepeats++;
      else this.violation(`${p.action} ${p.key} (decision #${seq}, tick ${p.tick + 1}) never reached Telegram`);
    }
    if (leftRepeats !== this.failedBy.repeat)
      this.violation(`${leftRepeats} reminders undelivered but ${this.failedBy.repeat} reported evicted`);
    if (this.failedBy.alert || this.failedBy.recovery)
      this.violation(`evicted or refused: ${this.failedBy.alert} alerts, ${this.failedBy.recovery} recoveries`);
    if (stats.failed)
      this.violation(`the Bot API refused ${stats.failed} messages for good (last error: ${stats.lastError})`);
    for (const a of ["alert", "repeat", "recovery"] as const) {
      if (this.decided[a] !== this.exp.totals[a])
        this.violation(`${this.decided[a]} ${a} decisions, the model expects ${this.exp.totals[a]}`);
    }
    const spurious = Math.max(0, this.clientTimeouts - answers.hang);
    if (this.duplicates > spurious)
      this.violation(`${this.duplicates} messages delivered twice, only ${spurious} explained by a real-time deadline`);
    if (stats.maxDepth > this.outboxMax && this.overBound === 0)
      this.violation(`outbox reached ${stats.maxDepth} > ${this.outboxMax} without the recoveries-only exception`);
    const planned = this.plannedFaults();
    for (const n of FAULT_NAMES)
      if (faults[n] !== planned[n])
        this.violation(
          `${faults[n]} ${n} faults injected, ${planned[n]} planned: a source was not asked on every tick`,
        );
  }

  figures() {
    const f = this.final;
    return {
      ticks: this.snapshots,
      decided: { ...this.decided },
      delivered: { ...this.delivered },
      expected: { ...this.exp.totals },
      evictedRepeats: this.failedBy.repeat,
      duplicates: this.duplicates,
      faults: f?.faults ?? null,
      answers: f?.answers ?? null,
      maxOutbox: f?.stats.maxDepth ?? 0,
      outboxMax: this.outboxMax,
      overBound: this.overBound,
      retried: f?.stats.retried ?? 0,
      plainFallbacks: f?.stats.plainFallbacks ?? 0,
      clientTimeouts: this.clientTimeouts,
    };
  }

  summaryCore(): string {
    const f = this.final;
    const faults = f ? FAULT_NAMES.map((n) => `${n} ${f.faults[n]}`).join(", ") : "?";
    const total = f ? FAULT_NAMES.reduce((s, n) => s + f.faults[n], 0) : 0;
    const a = f?.answers;
    const failedReq = a ? a["429"] + a["5xx"] + a.reset + a.hang + a.parse : 0;
    return (
      `${total} faults (${faults}; ${this.plan.vanished} pids vanished)` +
      `, telegram ${failedReq} failed requests (429 ${a?.["429"]}, 5xx ${a?.["5xx"]}, reset ${a?.reset}, hang ${a?.hang}, html refused ${a?.parse}) in ${this.plan.outages.length} outages` +
      `, alerts ${this.delivered.alert}/${this.exp.totals.alert}, recoveries ${this.delivered.recovery}/${this.exp.totals.recovery}` +
      `, repeats ${this.delivered.repeat}/${this.exp.totals.repeat} (${this.failedBy.repeat} evicted)` +
      `${this.duplicates ? `, ${this.duplicates} duplicates` : ""}, max outbox ${f?.stats.maxDepth ?? "?"}/${this.outboxMax}`
    );
  }

  reportLines(): string[] {
    const f = this.figures();
    const lines = [
      `soak: decisions alert ${f.decided.alert}, repeat ${f.decided.repeat}, recovery ${f.decided.recovery} (model: ${f.expected.alert}/${f.expected.repeat}/${f.expected.recovery})`,
      `soak: telegram retried ${f.retried}, plain-text fallbacks ${f.plainFallbacks}, client timeouts ${f.clientTimeouts}, reminders evicted ${f.evictedRepeats}, max outbox ${f.maxOutbox}/${f.outboxMax}`,
    ];
    for (const v of this.violations) lines.push(`VIOLATION: ${v}`);
    if (this.violationCount > this.violations.length)
      lines.push(`… and ${this.violationCount - this.violations.length} more violations`);
    return lines;
  }

  private plannedFaults(): FaultCounts {
    const c = Object.fromEntries(FAULT_NAMES.map((n) => [n, 0])) as FaultCounts;
    for (const s of this.plan.sources)
      for (let k = 0; k < this.plan.ticks; k++) if (s.faults[k]) c[FAULT_NAMES[s.faults[k]! - 1]!]++;
    return c;
  }
}
