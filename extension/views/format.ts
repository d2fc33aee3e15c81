// Text helpers for the views. Pure: no clock, no vscode. Every string that came from a
// probe passes through `plain` before it reaches a label, so a probe cannot inject
// codicons, control characters or link syntax into the UI.
import { displaySafe } from "../../common/display-safe.js";

/** `vscode.l10n.t` in the extension; `formatMessage` in tests. */
export type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

/** `{0}` placeholders, as vscode.l10n.t fills them. */
export function formatMessage(message: string, ...args: Array<string | number | boolean>): string {
  return message.replace(/\{(\d+)\}/g, (whole, i: string) => {
    const v = args[Number(i)];
    return v === undefined ? whole : String(v);
  });
}

const ZWSP = "\u200B";

/**
 * Remote text made safe for labels, descriptions, tooltips and notification messages:
 * control characters are shown (`␊`) and bidi/zero-width ones written out (`<U+202E>`), `$(` cannot start a codicon, `](` cannot end a link,
 * and the result is at most `max` characters.
 */
export function plain(text: string, max = 200): string {
  let s = displaySafe(text); // controls shown as ␊ ␉…, bidi and zero-width as <U+202E>
  s = s.replace(/\$\(/g, () => "$" + ZWSP + "(").replace(/\]\(/g, () => "]" + ZWSP + "(");
  return truncate(s, max);
}

/** Like `plain`, but keeps line breaks (tooltips, the command-line document). */
export function plainLines(text: string, max = 2000): string {
  return truncate(
    text
      .split(/\r\n|\r|\n/)
      .map((line) => plain(line, max))
      .join("\n"),
    max,
  );
}

export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  return s.slice(0, Math.max(0, max - 1)) + "…";
}

/** A string with every control character shown (␊, ␉) and bidi/zero-width written out, for one-per-line argv. */
export function visible(s: string): string {
  return displaySafe(s);
}

/**
 * Coarse age for labels: it changes at most once a minute, and less often as it grows,
 * so a tree refresh does not rewrite every row every second.
 * <1m · 1m…9m · 10m, 15m…55m · 1h, 1h 10m…23h 50m · 1d, 1d 1h…
 */
export function ageBucket(totalS: number, t: Translate): string {
  const s = Math.max(0, Math.floor(totalS));
  if (s < 60) return t("<1m");
  const m = Math.floor(s / 60);
  if (m < 10) return t("{0}m", m);
  if (m < 60) return t("{0}m", m - (m % 5));
  const h = Math.floor(m / 60);
  if (h < 24) {
    const mm = (m % 60) - ((m % 60) % 10);
    return mm === 0 ? t("{0}h", h) : t("{0}h {1}m", h, mm);
  }
  const d = Math.floor(h / 24),
    hh = h % 24;
  return hh === 0 ? t("{0}d", d) : t("{0}d {1}h", d, hh);
}

/** Exact duration for countdowns and documents: `45s`, `12m 30s`, `2h 1m`, `1d 1h`. */
export function duration(totalS: number, t: Translate): string {
  const s = Math.max(0, Math.floor(totalS));
  const d = Math.floor(s / 86_400),
    h = Math.floor((s % 86_400) / 3600),
    m = Math.floor((s % 3600) / 60);
  if (d > 0) return t("{0}d {1}h", d, h);
  if (h > 0) return t("{0}h {1}m", h, m);
  if (m > 0) return t("{0}m {1}s", m, s % 60);
  return t("{0}s", s);
}

/** The command line as a short label part; falls back to `[comm]` for kernel-ish processes. */
export function shortCmdline(cmdline: string, comm: string, max = 60): string {
  const c = cmdline.trim();
  return plain(c === "" ? `[${comm}]` : c, max);
}

/** Only characters that cannot leave a shell comment or start a command. */
function commentSafe(s: string): string {
  const safe = s.replace(/[^A-Za-z0-9._:@-]+/g, "_");
  return truncate(safe, 80) || "?";
}

/**
 * The text "copy kill command" puts on the clipboard. The comment names the host the pid
 * belongs to; remote names are reduced to [A-Za-z0-9._:@-] so a hostile hostname cannot
 * break out of the comment with a newline or `;`.
 */
export function killCommand(pid: number, hostname: string | null, probeName: string): string {
  const host = hostname === null ? "unknown host" : `host ${commentSafe(hostname)}`;
  return `kill -TERM ${Math.trunc(pid)}  # on ${host} (probe ${commentSafe(probeName)})`;
}

/** Milliseconds since the epoch, or null for null/unparsable timestamps. */
export function parseTime(iso: string | null | undefined): number | null {
  if (iso == null) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}
