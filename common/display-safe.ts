// Text from a process or a remote host, made safe to show a person. A command line is
// chosen by whoever started the process: a CR/LF inside an argument would add lines that
// look like the alert's own, a right-to-left override (U+202E) reverses what follows, and
// zero-width characters hide inside names. Shared by the probe (Telegram texts) and the
// extension (labels, tooltips, pop-ups, documents), so both halves show the same thing.
// Pure; one pass over the input.
//
// - C0 controls and DEL become their Unicode control pictures: LF → ␊, CR → ␍, TAB → ␉,
//   NUL → ␀, ESC → ␛, DEL → ␡. They are one character wide and never break a line.
// - Every other invisible or direction-changing character (C1 controls, U+2028/U+2029,
//   bidi marks, embeddings, overrides and isolates, zero-width characters, the BOM, tag
//   characters) and every lone surrogate becomes its code point written out: `<U+202E>`.
// Printable text (Cyrillic, CJK, emoji, combining marks) is left as it is.

const DEL = 0x7f;

/** True for the code points shown as `<U+XXXX>`: invisible, or able to reorder or break text. */
function isHidden(cp: number): boolean {
  return (
    (cp >= 0x80 && cp <= 0x9f) || // C1 controls (NEL breaks lines in some renderers)
    cp === 0xad || // soft hyphen
    cp === 0x61c || // Arabic letter mark
    cp === 0x180e || // Mongolian vowel separator
    (cp >= 0x200b && cp <= 0x200f) || // zero-width space/non-joiner/joiner, LRM, RLM
    (cp >= 0x2028 && cp <= 0x202e) || // line/paragraph separators, embeddings, overrides
    (cp >= 0x2060 && cp <= 0x206f) || // word joiner, invisible operators, isolates, deprecated format
    cp === 0xfeff || // BOM / zero-width no-break space
    (cp >= 0xfff9 && cp <= 0xfffb) || // interlinear annotation
    (cp >= 0xe0000 && cp <= 0xe007f) // tag characters
  );
}

/** Formatting each one again was most of the time on hostile input; the set is small and finite. */
const written = new Map<number, string>();
function codePoint(cp: number): string {
  let s = written.get(cp);
  if (s === undefined) {
    s = `<U+${cp.toString(16).toUpperCase().padStart(4, "0")}>`;
    written.set(cp, s); // bounded: C1, ~60 format characters, 128 tags, 2048 surrogates
  }
  return s;
}
const PICTURES = Array.from({ length: 0x20 }, (_, c) => String.fromCharCode(0x2400 + c));

/** `text` with nothing that can break a line, reorder what follows, or hide; see the file comment. */
export function displaySafe(text: string): string {
  const parts: string[] = []; // joined once: repeated += on a long result was ~100× slower
  let from = 0; // start of the run of characters copied as they are
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    let shown: string | null = null;
    let width = 1;
    if (c < 0x20) shown = PICTURES[c]!;
    else if (c === DEL) shown = "\u2421";
    else if (c >= 0xd800 && c <= 0xdbff) {
      const lo = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        width = 2;
        if (isHidden(cp)) shown = codePoint(cp);
      } else shown = codePoint(c); // high surrogate without its pair
    } else if (c >= 0xdc00 && c <= 0xdfff)
      shown = codePoint(c); // low surrogate without its pair
    else if (isHidden(c)) shown = codePoint(c);
    if (shown !== null) {
      if (i > from) parts.push(text.slice(from, i));
      parts.push(shown);
      from = i + width;
    }
    i += width - 1;
  }
  if (parts.length === 0) return text;
  if (from < n) parts.push(text.slice(from));
  return parts.join("");
}
