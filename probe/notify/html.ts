// A message is built as lines of styled segments, so the plain text and the Telegram
// HTML come from the same source: length limits are applied to the lines (what a
// reader sees) before any markup exists, and every piece of text is escaped once.
// Pure.

export type Style = "b" | "i" | "code";
export interface Segment {
  text: string;
  style?: Style;
}
export type Line = Segment[];

/** Bot API limit for a message's text after entity parsing. */
export const TELEGRAM_MAX_CHARS = 4096;

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function lineText(line: Line): string {
  return line.map((s) => s.text).join("");
}

export function renderPlain(lines: Line[]): string {
  return lines.map(lineText).join("\n");
}

export function renderHtml(lines: Line[]): string {
  return lines
    .map((line) =>
      merge(line)
        .map((s) => (s.style ? `<${s.style}>${escapeHtml(s.text)}</${s.style}>` : escapeHtml(s.text)))
        .join(""),
    )
    .join("\n");
}

/** Joins neighbours of the same style, so `<b>a</b><b>b</b>` becomes `<b>ab</b>`. */
function merge(line: Line): Line {
  const out: Segment[] = [];
  for (const s of line) {
    if (!s.text) continue;
    const prev = out[out.length - 1];
    if (prev && prev.style === s.style) out[out.length - 1] = { ...prev, text: prev.text + s.text };
    else out.push(s);
  }
  return out;
}

/** Cuts a string to at most `max` UTF-16 units without splitting a surrogate pair. */
export function clipText(s: string, max: number, ellipsis = "…"): string {
  if (s.length <= max) return s;
  let end = Math.max(0, max - ellipsis.length);
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return s.slice(0, end) + ellipsis;
}

/** Cuts one line (keeping its segments and styles) to at most `max` characters. */
function clipLine(line: Line, max: number): Line {
  if (lineText(line).length <= max) return line;
  const out: Line = [];
  let room = max - 1; // one for the ellipsis
  for (const seg of line) {
    if (room <= 0) break;
    if (seg.text.length <= room) {
      out.push(seg);
      room -= seg.text.length;
      continue;
    }
    out.push({ ...seg, text: clipText(seg.text, room, "") });
    room = 0;
  }
  out.push({ text: "…" });
  return out;
}

/**
 * Keeps whole lines from the top while the plain text (lines + the note) fits in `max`;
 * if anything was cut, the note line is appended so the reader knows. A single line
 * longer than the room left is clipped itself, so the result never exceeds `max`.
 */
export function fitLines(lines: Line[], max: number, note: Line): Line[] {
  if (renderPlain(lines).length <= max) return lines;
  const noteLen = lineText(note).length;
  const room = max - noteLen - 1; // the newline before the note
  const kept: Line[] = [];
  let used = 0;
  for (const line of lines) {
    const len = lineText(line).length + (kept.length ? 1 : 0);
    if (used + len > room) {
      if (kept.length === 0) kept.push(clipLine(line, room));
      break;
    }
    kept.push(line);
    used += len;
  }
  return [...kept, note];
}
