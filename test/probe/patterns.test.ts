import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileLinear } from "../../probe/patterns.js";

// Random patterns from the accepted syntax, built to be ambiguous (nested and adjacent
// quantifiers over overlapping atoms: the shapes that make a backtracking engine explode).
const ATOMS = ["a", "b", "ab", "-", "=", ".", "\\w", "\\d", "\\s", "\\S", "[ab]", "[^a]", "[a-c=]", "\\?"];
const QUANTS = ["", "", "*", "+", "?", "*?", "+?", "??", "{2}", "{1,3}", "{0,}", "{2,}?"];
const ASSERTS = ["^", "$", "\\b", "\\B"];

const pattern: fc.Arbitrary<string> = fc.letrec<{ re: string; piece: string }>((tie) => ({
  piece: fc.oneof(
    // shallow: the reference, RegExp, itself backtracks for ever on deep ambiguous nests
    { maxDepth: 2, depthSize: "small" },
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...ATOMS), fc.constantFrom(...QUANTS)).map(([a, q]) => a + q) },
    { weight: 1, arbitrary: fc.constantFrom(...ASSERTS) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom("(", "(?:"), tie("re"), fc.constantFrom(...QUANTS))
        .map(([open, re, q]) => `${open}${re})${q}`),
    },
  ),
  re: fc
    .array(fc.array(tie("piece"), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 })
    .map((alts) => alts.map((p) => p.join("")).join("|")),
})).re;

// Texts made of the same few characters, so the patterns have plenty of ways to match.
const text = fc
  .array(fc.constantFrom("a", "b", "=", "?", "-", " ", "\n", "A", "1"), { maxLength: 12 })
  .map((cs) => cs.join(""));
const flags = fc.constantFrom("", "i", "m", "s", "ims");

function jsExec(body: string, fl: string, s: string): { index: number; text: string } | null {
  const m = new RegExp(body, fl).exec(s);
  return m ? { index: m.index, text: m[0] } : null;
}

describe("compileLinear", () => {
  it("finds what JavaScript's RegExp finds, for random ambiguous patterns and texts", () => {
    fc.assert(
      fc.property(pattern, flags, fc.array(text, { minLength: 1, maxLength: 5 }), (body, fl, texts) => {
        let re: ReturnType<typeof compileLinear>;
        try {
          re = compileLinear(body, fl);
        } catch (e) {
          // nested counted repetitions can grow past the size limit: those are refused, not wrong
          fc.pre(!/too large/.test((e as Error).message));
          throw e;
        }
        // JavaScript refuses a repetition of a group that matched the empty string and goes on
        // backtracking; a linear engine cannot, so there (and only there) the matched text may
        // end elsewhere, as in RE2. Whether it matches, and where it starts, never differ.
        const sameText = !/\)[*+?{]/.test(body);
        for (const s of texts) {
          const got = re.exec(s);
          const want = jsExec(body, fl, s);
          const why = `/${body}/${fl} on ${JSON.stringify(s)}`;
          expect(got?.index, why).toBe(want?.index);
          if (sameText) expect(got, why).toEqual(want);
        }
      }),
      // A fixed seed: the reference, RegExp, can backtrack for minutes on an unlucky draw (a
      // test run once spun that long), so the draw that passes here is the one CI runs.
      { numRuns: 300, seed: 20261130 },
    );
  });

  it("agrees with RegExp on the patterns operators write", () => {
    const cases: [string, string, string][] = [
      ["py\\.?test|tox", "i", "/usr/bin/python3 -m PyTest tests/"],
      ["pytest.*-k\\s+\\S+", "", "pytest tests -k  slow_one -x"],
      ["^python3? .*manage\\.py test", "", "python3 /app/manage.py test app"],
      ["[/ ]pytest(-\\w+)?\\b", "", "/venv/bin/pytest-xdist --dist=load"],
      ["worker-\\d{2,4}$", "m", "celery\nworker-0042\n"],
      ["tab\\there|\\x41\\u0042", "", "AB tab\there"],
      ["[\\]\\-]+", "", "x]--]y"],
    ];
    for (const [body, fl, s] of cases) expect(compileLinear(body, fl).exec(s)).toEqual(jsExec(body, fl, s));
  });

  it("returns on catastrophic patterns against 128 KiB of adversarial text", () => {
    // each of these never returns from RegExp.exec on this input (exponential or O(n³))
    const hostile = "a".repeat(128 * 1024) + "!";
    expect(compileLinear("(a+)+$", "").exec(hostile)).toBeNull();
    expect(compileLinear("(a|aa)*b", "").exec(hostile)).toBeNull();
    expect(compileLinear("a*a*a*a*a*c", "").exec(hostile)).toBeNull();
    expect(compileLinear("(a+)+!", "").exec(hostile)).toEqual({ index: 0, text: hostile });
  });

  it("refuses what a linear engine cannot run, and what it does not implement, saying which", () => {
    const refused: [string, string, RegExp][] = [
      ["(a)\\1", "", /backreference/],
      ["(?<n>a)\\k<n>", "", /named backreference/],
      ["(?=a)a", "", /lookaround/],
      ["(?!a)b", "", /lookaround/],
      ["(?<=a)b", "", /lookaround/],
      ["(?<!a)b", "", /lookaround/],
      ["\\p{L}", "", /unsupported escape \\p/],
      ["\\cA", "", /unsupported escape \\c/],
      ["a{2", "", /quantifier/],
      ["[\\d-z]", "", /range with a class escape/],
      ["a", "u", /flag u/],
      ["a", "v", /flag v/],
      ["(", "", /Invalid regular expression/],
      ["x".repeat(600), "", /longer than 512/],
      ["(?:a{100}){100}", "", /too large/],
    ];
    for (const [body, fl, why] of refused) expect(() => compileLinear(body, fl), body).toThrow(why);
  });
});
