// What a person reads when the probe decides something: what happened, where, since
// when, for how long, and what to do about it. Pure: the time comes from the event.
import type { DecisionEvent } from "../loop.js";
import { EN, type Catalog, type TextKey } from "./texts-en.js";
import { RU } from "./texts-ru.js";
import { displaySafe } from "../../common/display-safe.js";
import {
  TELEGRAM_MAX_CHARS,
  clipText,
  fitLines,
  renderHtml,
  renderPlain,
  type Line,
  type Segment,
  type Style,
} from "./html.js";
import { BUILTIN_KINDS } from "../signals.js";

export type Lang = "en" | "ru";
const CATALOGS: Record<Lang, Catalog> = { en: EN, ru: RU };

// one list of built-in kinds (signals.ts): a new kind gets its texts here or fails the type check
type KnownKind = (typeof BUILTIN_KINDS)[number];
type KindGroup = KnownKind | "metric";

/** A command line is one long line; the head is what identifies it. */
const LINE_MAX = 1000;
const DETAIL_MAX_LINES = 40;

export interface RenderContext {
  hostname: string;
  cooldownS: number;
}
export interface Rendered {
  plain: string;
  html: string;
}

export function renderDecision(lang: Lang, ev: DecisionEvent, ctx: RenderContext): Rendered {
  const t = CATALOGS[lang];
  // after redaction (the collectors redact), before any cut: a command line or a name
  // cannot add lines that look like ours, nor turn the text around (common/display-safe.ts)
  const lines = buildLines(t, ev, ctx).map((line) => line.map((s) => ({ ...s, text: displaySafe(s.text) })));
  const fitted = fitLines(lines, TELEGRAM_MAX_CHARS, [{ text: t.truncated, style: "i" }]);
  return { plain: renderPlain(fitted), html: renderHtml(fitted) };
}

function buildLines(t: Catalog, ev: DecisionEvent, ctx: RenderContext): Line[] {
  const sig = ev.signal;
  const group = kindGroup(sig.kind);
  const host: Segment = { text: ctx.hostname, style: "b" };
  const entity: Segment = { text: clipText(sig.entity, 200), style: "code" };
  const rule: Segment = { text: sig.kind, style: "code" };
  const since = ev.state.since ?? ev.at;
  const out: Line[] = [];
  const add = (key: TextKey, vars: Vars = {}, style?: Style) => out.push(...fill(t[key], vars, style));

  const icon = ev.action === "recovery" ? "✅" : ev.action === "repeat" ? "🔁" : (SEVERITY_ICON[sig.severity] ?? "🔴");
  const label = fill(t[`action_${ev.action}`], { n: String(ev.state.notifications) })[0] ?? [];
  const kindName = fill(t[`kind_${group}`], { rule: sig.kind })[0] ?? [];
  out.push([{ text: `${icon} `, style: "b" }, ...bold(label), { text: " · ", style: "b" }, ...bold(kindName)]);
  if (sig.title) out.push([{ text: clipText(sig.title, LINE_MAX) }]);
  add("host", { host });
  add(`entity_${group}`, { entity });

  if (ev.action === "alert") add("since_alert", { since: utc(since) });
  else if (ev.action === "repeat") add("since_repeat", { since: utc(since), duration: duration(t, ev.at - since) });
  else add("since_recovery", { since: utc(since), until: utc(ev.at), duration: duration(t, ev.at - since) });

  const detail = sig.detail.trim();
  if (detail && detail !== sig.title) {
    add(group === "proc_blocking" ? "detail_proc_blocking" : "detail_other");
    for (const l of detail.split(/\r?\n/).slice(0, DETAIL_MAX_LINES)) {
      if (l.trim()) out.push([{ text: clipText(l, LINE_MAX), style: "code" }]);
    }
  }

  if (ev.action === "recovery") {
    add(group === "proc_blocking" ? "recovered_proc_blocking" : "recovered_other");
    add("notified", { n: String(ev.state.notifications) });
    return out;
  }
  add("todo", {}, "b");
  add(`todo_${group}`, { host, entity, rule, ...commands(group, sig.entity) });
  if (group === "proc_blocking") add("never_acts", {}, "i");
  add("next_reminder", { duration: duration(t, ctx.cooldownS * 1000) });
  return out;
}

const SEVERITY_ICON: Record<string, string> = { critical: "🔴", warning: "🟠", info: "🔵" };

function kindGroup(kind: string): KindGroup {
  return (BUILTIN_KINDS as readonly string[]).includes(kind) ? (kind as KnownKind) : "metric";
}

/** The exact commands a person can paste; the entity is shell-quoted when it needs to be. */
function commands(group: KindGroup, entity: string): Vars {
  const q = shellQuote(entity);
  const code = (text: string): Segment => ({ text, style: "code" });
  switch (group) {
    case "proc_blocking":
      return { cmdTerm: code(`kill -TERM ${q}`), cmdKill: code(`kill -KILL ${q}`) };
    case "orch_down":
      return { cmdPs: code("docker ps -a"), cmdLogs: code("docker logs --tail 200 <container>") };
    case "disk_ceiling":
      return { cmdPrune: code("docker system prune"), cmdDf: code(`df -h ${q}`) };
    case "container_down":
      return { cmdLogs: code(`docker logs --tail 200 ${q}`), cmdStart: code(`docker start ${q}`) };
    case "container_unhealthy":
      return {
        cmdHealth: code(`docker inspect --format '{{json .State.Health}}' ${q}`),
        cmdLogs: code(`docker logs --tail 200 ${q}`),
      };
    default:
      return {};
  }
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

type Vars = Record<string, string | Segment>;

/** Fills `{name}` placeholders; static text and plain values take `style`. Unknown names stay as written. */
function fill(template: string, vars: Vars, style?: Style): Line[] {
  return template.split("\n").map((row) => {
    const line: Line = [];
    let last = 0;
    for (const m of row.matchAll(/\{(\w+)\}/g)) {
      if (m.index > last) line.push(seg(row.slice(last, m.index), style));
      const v = vars[m[1]!];
      line.push(v === undefined ? seg(m[0], style) : typeof v === "string" ? seg(v, style) : v);
      last = m.index + m[0].length;
    }
    if (last < row.length) line.push(seg(row.slice(last), style));
    return line;
  });
}

function seg(text: string, style?: Style): Segment {
  return style ? { text, style } : { text };
}

function bold(line: Line): Line {
  return line.map((s) => ({ text: s.text, style: s.style ?? "b" }));
}

function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** Like SignalTexts.duration (signal-texts.ts), with the catalog's units and without a trailing zero (`30m`, not `30m 0s`). */
function duration(t: Catalog, ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400),
    h = Math.floor((s % 86_400) / 3600),
    m = Math.floor((s % 3600) / 60);
  const u = (n: number, k: "unit_d" | "unit_h" | "unit_m" | "unit_s") => `${n}${t.unit_sep}${t[k]}`;
  const two = (a: string, n: number, k: "unit_h" | "unit_m" | "unit_s") => (n > 0 ? `${a} ${u(n, k)}` : a);
  if (d > 0) return two(u(d, "unit_d"), h, "unit_h");
  if (h > 0) return two(u(h, "unit_h"), m, "unit_m");
  if (m > 0) return two(u(m, "unit_m"), s % 60, "unit_s");
  return u(s, "unit_s");
}
