import { describe, expect, it } from "vitest";
import { parseGoFloat, parsePrometheusText } from "../../probe/prom-parse.js";

const one = (line: string) => parsePrometheusText(line);

describe("parsePrometheusText: sample lines", () => {
  it.each<[string, string, Record<string, string>, number, number | undefined]>([
    ["plain name", "up 1", {}, 1, undefined],
    ["colons in name", "job:rate:sum5m 0.25", {}, 0.25, undefined],
    ["tabs between tokens, trailing blanks", "up\t\t 1 \t", {}, 1, undefined],
    ["one label", 'orch_agent_hung{job="j1"} 1', { job: "j1" }, 1, undefined],
    ["several labels, blanks around tokens", 'x{ a = "1" , b="2" } 3', { a: "1", b: "2" }, 3, undefined],
    ["trailing comma", 'x{a="1",} 3', { a: "1" }, 3, undefined],
    ["empty braces", "x{} 3", {}, 3, undefined],
    ["blank between name and brace", 'x {a="1"} 3', { a: "1" }, 3, undefined],
    ["no blank between brace and value", 'x{a="1"}3', { a: "1" }, 3, undefined],
    ["empty label value = no such label", 'x{a="",b="1"} 0', { b: "1" }, 0, undefined],
    ["an empty value removes every pair of that name", 'x{a="",a="2"} 0', {}, 0, undefined],
    ["no comma between pairs", 'x{a="1" b="2"} 3', { a: "1", b: "2" }, 3, undefined],
    ["any other escape stays as written", 'x{v="a\\tb\\u00e9"} 1', { v: "a\\tb\\u00e9" }, 1, undefined],
    ["raw newline inside a label value", 'x{m="a\nb"} 1', { m: "a\nb" }, 1, undefined],
    ["CR inside a label value", 'x{m="a\rb"} 1', { m: "a\rb" }, 1, undefined],
    ["value glued to the name", "x+1", {}, 1, undefined],
    ["escaped backslash", 'x{p="C:\\\\dir"} 1', { p: "C:\\dir" }, 1, undefined],
    ["escaped quote", 'x{q="say \\"hi\\""} 1', { q: 'say "hi"' }, 1, undefined],
    ["escaped newline", 'x{m="a\\nb"} 1', { m: "a\nb" }, 1, undefined],
    ["braces, commas and # inside a value", 'x{v="{a},b=#\\"}"} 1', { v: '{a},b=#"}' }, 1, undefined],
    ["unicode value", 'x{v="привет ✓"} 1', { v: "привет ✓" }, 1, undefined],
    ["timestamp", "x 1 1718416800000", {}, 1, 1718416800000],
    ["zero-padded timestamp", "x 1 0005", {}, 1, 5],
    ["timestamp with labels", 'x{a="b"} 2.5 1718416800000', { a: "b" }, 2.5, 1718416800000],
    ["negative value", "x -3", {}, -3, undefined],
    ["exponent", "x 1.5e3", {}, 1500, undefined],
    ["leading dot", "x .5", {}, 0.5, undefined],
    ["trailing dot", "x 5.", {}, 5, undefined],
    ["explicit plus", "x +7", {}, 7, undefined],
    ["+Inf", "x +Inf", {}, Infinity, undefined],
    ["-Inf", "x -Inf", {}, -Infinity, undefined],
    ["Inf without sign", "x Inf", {}, Infinity, undefined],
    ["underflow reads as 0", "x 1e-400", {}, 0, undefined],
    [
      "__proto__ as a label name stays data",
      'x{__proto__="p"} 1',
      Object.fromEntries([["__proto__", "p"]]),
      1,
      undefined,
    ],
  ])("%s", (_why, line, labels, value, ts) => {
    const r = one(line);
    expect(r.malformed, r.malformedExamples.join("\n")).toBe(0);
    expect(r.samples).toHaveLength(1);
    const s = r.samples[0]!;
    expect(s.value).toBe(value);
    expect(Object.entries(s.labels)).toEqual(Object.entries(labels));
    expect(s.timestamp).toBe(ts);
    if (ts === undefined) expect("timestamp" in s).toBe(false);
  });

  it("reads NaN (any case) as NaN", () => {
    for (const tok of ["NaN", "nan", "NAN"]) {
      const r = one(`x ${tok}`);
      expect(r.malformed).toBe(0);
      expect(Number.isNaN(r.samples[0]!.value)).toBe(true);
    }
  });

  it("keeps a metric named __proto__ as an own key of types, not the prototype", () => {
    const r = parsePrometheusText("# TYPE __proto__ gauge\n__proto__ 1\n");
    expect(r.samples[0]!.name).toBe("__proto__");
    expect(Object.hasOwn(r.types, "__proto__")).toBe(true);
    expect(r.types["__proto__"]).toBe("gauge");
    expect(Object.getPrototypeOf(r.types)).toBe(Object.prototype);
  });
});

describe("parsePrometheusText: malformed lines are counted and skipped", () => {
  it.each<[string, string]>([
    ["no value", "up"],
    ["no value after labels", 'up{a="b"}'],
    ["value not a number", "up one"],
    ["value with garbage", "up 1x"],
    ["NaN with a sign (Go rejects it)", "up -NaN"],
    ["out-of-range literal", "up 1e999"],
    ["hex float", "up 0x1p-2"],
    ["hex without p exponent", "up 0x1F"],
    ["underscore in a value", "up 1_000"],
    ["CR before the line break", "up 1\r"],
    ["blank before a metric name", "  up 1"],
    ["name starting with a digit", "1up 1"],
    ["name with a dash", "up-time 1"],
    ["name with a dot", "up.time 1"],
    ["quoted name (text format 1.0.0 only)", '{"up.time"} 1'],
    ["label without quotes", "up{a=b} 1"],
    ["label with single quotes", "up{a='b'} 1"],
    ["label name with a colon", 'up{a:b="c"} 1'],
    ["label name starting with a digit", 'up{1a="c"} 1'],
    ["missing =", 'up{a"b"} 1'],
    ["unterminated label value", 'up{a="b} 1'],
    ["unterminated label set", 'up{a="b" 1'],
    ["two commas", 'up{a="b",,c="d"} 1'],
    ["lone comma", "up{,} 1"],
    ["backslash before a line break", 'up{a="b\\'],
    ["duplicate label", 'up{a="1",a="2"} 1'],
    ["reserved __name__ label", 'up{__name__="x"} 1'],
    ["fractional timestamp", "up 1 1.5"],
    ["negative timestamp", "up 1 -5"],
    ["signed timestamp", "up 1 +5"],
    ["timestamp not a number", "up 1 soon"],
    ["timestamp beyond int64", "up 1 9223372036854775808"],
    ["extra token after timestamp", "up 1 2 3"],
    ["unknown TYPE", "# TYPE up thermometer"],
    ["TYPE with trailing words", "# TYPE up gauge extra"],
    ["TYPE with a trailing blank", "# TYPE up gauge "],
    ["TYPE in upper case", "# TYPE up GAUGE"],
    ["TYPE without a type", "# TYPE up"],
    ["HELP without a name", "# HELP "],
    ["TYPE with an invalid name", "# TYPE 1up gauge"],
    ["HELP with an invalid name", "# HELP 1up text"],
    ["binary garbage", "\u0001\u0002\u0003"],
    ["HTML", "<html><body>502 Bad Gateway</body></html>"],
    ["JSON", '{"status":"ok"}'],
  ])("%s", (_why, line) => {
    const r = parsePrometheusText(`before 1\n${line}\nafter 2\n`);
    expect(r.malformed).toBe(1);
    expect(r.samples.map((s) => s.name)).toEqual(["before", "after"]);
    expect(r.malformedExamples).toHaveLength(1);
  });

  it("accepts a second TYPE or HELP for the same metric, with or without text, and keeps the last TYPE", () => {
    const r = parsePrometheusText("# TYPE a gauge\n# TYPE a counter\n# HELP a\n# HELP a\n# HELP a y\na 1\n");
    expect(r.malformed, r.malformedExamples.join("\n")).toBe(0);
    expect(r.types).toEqual({ a: "counter" });
    expect(r.samples).toEqual([{ name: "a", labels: {}, value: 1 }]);
  });

  it("resumes on the line after an unterminated label value", () => {
    const r = parsePrometheusText('a{x="open\nb 2\nc 3\n');
    expect(r.malformed).toBe(1);
    expect(r.samples.map((s) => s.name)).toEqual(["b", "c"]);
  });

  it("keeps the examples short and few", () => {
    const lines = Array.from({ length: 50 }, (_, i) => `bad line ${i} ${"x".repeat(1000)}`);
    const r = parsePrometheusText(lines.join("\n"));
    expect(r.malformed).toBe(50);
    expect(r.malformedExamples).toHaveLength(5);
    for (const e of r.malformedExamples) expect(e.length).toBeLessThan(300);
  });
});

describe("parsePrometheusText: comments, blank lines, line endings", () => {
  it("ignores plain comments, bare #, HELP/TYPE without arguments and blank lines", () => {
    const text = [
      "# just a comment",
      "#",
      "   # indented comment",
      "# HELP",
      "# TYPE",
      "# HELPER is not HELP",
      "# HELP lonely",
      '# HELP up The HELP text may hold anything: {a="b"} 1 2 3 and \\\\ and \\n',
      "# TYPE up gauge",
      "# HELP up the HELP text may hold any escape: \\t \\q",
      "# a comment with a CR\r",
      "",
      "   ",
      "\t",
      "up 1",
      "#HELP nospace is still HELP",
    ].join("\n");
    const r = parsePrometheusText(text);
    expect(r.malformed, r.malformedExamples.join("\n")).toBe(0);
    expect(r.samples).toEqual([{ name: "up", labels: {}, value: 1 }]);
    expect(r.types).toEqual({ up: "gauge" });
  });

  it("refuses CRLF line ends (CR is not a line break for Prometheus) and reads a body without a final newline", () => {
    const r = parsePrometheusText('# TYPE a counter\r\na{x="1"} 1\r\n\r\nb 2');
    expect(r.malformed).toBe(3);
    expect(r.samples).toEqual([{ name: "b", labels: {}, value: 2 }]);
    expect(r.types).toEqual({});
  });

  it("stops at a NUL byte where a line starts, as Prometheus's lexer does, and says so", () => {
    const r = parsePrometheusText("a 1\n\u0000garbage\nb 2\n");
    expect(r.malformed).toBe(1);
    expect(r.malformedExamples[0]).toMatch(/^NUL byte/);
    expect(r.samples.map((s) => s.name)).toEqual(["a"]);
  });

  it("returns nothing (and no error) for an empty body", () => {
    expect(parsePrometheusText("")).toEqual({
      samples: [],
      types: {},
      malformed: 0,
      malformedExamples: [],
      dropped: 0,
      duplicates: 0,
    });
  });
});

describe("parsePrometheusText: histograms and summaries", () => {
  const histogram = `# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="0.1"} 33444
http_request_duration_seconds_bucket{le="1e+00"} 100392
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320
`;
  it("keeps every bucket, the sum and the count as samples", () => {
    const r = parsePrometheusText(histogram);
    expect(r.malformed).toBe(0);
    expect(r.types).toEqual({ http_request_duration_seconds: "histogram" });
    expect(r.samples.map((s) => [s.name, s.labels["le"] ?? null, s.value])).toEqual([
      ["http_request_duration_seconds_bucket", "0.05", 24054],
      ["http_request_duration_seconds_bucket", "0.1", 33444],
      ["http_request_duration_seconds_bucket", "1e+00", 100392],
      ["http_request_duration_seconds_bucket", "+Inf", 144320],
      ["http_request_duration_seconds_sum", null, 53423],
      ["http_request_duration_seconds_count", null, 144320],
    ]);
  });

  it("keeps a bucket whose le is missing or not a number, as Prometheus does", () => {
    const r = parsePrometheusText(`# TYPE h histogram\nh_bucket{le="soon"} 1\nh_bucket{x="1"} 2\nh_bucket{le="1"} 3\n`);
    expect(r.malformed).toBe(0);
    expect(r.samples.map((s) => s.value)).toEqual([1, 2, 3]);
  });

  it("does not apply the le rule to a _bucket metric that is not a histogram", () => {
    const r = parsePrometheusText(`s3_bucket{name="logs"} 1\n`);
    expect(r.malformed).toBe(0);
    expect(r.samples).toHaveLength(1);
  });

  it("reads summary quantiles, including NaN and a non-numeric one", () => {
    const r = parsePrometheusText(`# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.01"} 3102
rpc_duration_seconds{quantile="0.99"} NaN
rpc_duration_seconds{quantile="high"} 1
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
`);
    expect(r.malformed).toBe(0);
    expect(r.samples.map((s) => s.labels["quantile"] ?? s.name)).toEqual([
      "0.01",
      "0.99",
      "high",
      "rpc_duration_seconds_sum",
      "rpc_duration_seconds_count",
    ]);
    expect(r.samples[0]!.value).toBe(3102);
    expect(Number.isNaN(r.samples[1]!.value)).toBe(true);
    expect(r.samples[3]!.value).toBe(17560473);
  });
});

describe("parsePrometheusText: caps", () => {
  it("stops keeping samples at maxSamples and counts the rest as dropped", () => {
    const text = Array.from({ length: 1000 }, (_, i) => `m{i="${i}"} ${i}`).join("\n");
    const r = parsePrometheusText(text, { maxSamples: 10 });
    expect(r.samples).toHaveLength(10);
    expect(r.samples[9]!.labels["i"]).toBe("9");
    expect(r.dropped).toBe(990);
  });

  it("parses a 10 MiB hostile body without holding more than the default cap", () => {
    const lines: string[] = [];
    for (let size = 0, i = 0; size < 10 * 1024 * 1024; i++) {
      lines.push(`x{a="${i}${"y".repeat(40)}"} 1\n`);
      size += lines[i]!.length;
    }
    const r = parsePrometheusText(lines.join(""));
    expect(r.samples).toHaveLength(100_000);
    expect(r.dropped).toBeGreaterThan(0);
    expect(r.samples.length + r.dropped).toBe(lines.length);
  });

  it("survives one enormous line", () => {
    const r = parsePrometheusText(`x{a="${"z".repeat(2_000_000)}`);
    expect(r.malformed).toBe(1);
    expect(r.malformedExamples[0]!.length).toBeLessThan(300);
  });
});

describe("parseGoFloat", () => {
  it.each<[string, number | null]>([
    ["0", 0],
    ["-0.5", -0.5],
    ["1e-3", 0.001],
    ["1E3", 1000],
    ["+Inf", Infinity],
    ["-inf", -Infinity],
    ["Infinity", Infinity],
    ["NaN", NaN],
    ["nAn", NaN],
    ["INF", Infinity],
    ["+infinity", Infinity],
    ["1.e3", 1000],
    ["007", 7],
    ["0x10p0", null],
    ["0x.8p1", null],
    ["-0x1p1", null],
    ["+NaN", null],
    ["infin", null],
    ["1e999", null],
    ["", null],
    ["1_000", null],
    ["1e", null],
    ["e3", null],
    ["--1", null],
    ["0x", null],
    ["0xp1", null],
    ["1,5", null],
  ])("%s", (tok, want) => {
    expect(parseGoFloat(tok)).toBe(want);
  });
});

describe("parsePrometheusText: bytes as the server sent them", () => {
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

  it("decodes UTF-8 label values", () => {
    const r = parsePrometheusText(bytes('x{v="привет ✓"} 1\n'));
    expect(r.malformed).toBe(0);
    expect(r.samples[0]!.labels["v"]).toBe("привет ✓");
  });

  it.each<[string, number[]]>([
    ["truncated sequence", [0xc3, 0x28]],
    ["overlong encoding", [0xc0, 0xaf]],
    ["UTF-16 surrogate", [0xed, 0xa0, 0x80]],
    ["stray byte", [0xff]],
  ])("refuses a label value that is not valid UTF-8 (%s) instead of decoding it to U+FFFD", (_why, bad) => {
    const r = parsePrometheusText(bytes("before 1\n", 'x{v="', bad, '"} 1\n', "after 2\n"));
    expect(r.malformed).toBe(1);
    expect(r.samples.map((s) => s.name)).toEqual(["before", "after"]);
  });

  it("refuses HELP text that is not valid UTF-8 but not a plain comment", () => {
    expect(parsePrometheusText(bytes("# HELP x bad ", [0xff], "\nx 1\n")).malformed).toBe(1);
    expect(parsePrometheusText(bytes("# note ", [0xff], "\nx 1\n")).malformed).toBe(0);
  });

  it("keeps a literal U+FFFD, which is valid UTF-8", () => {
    const r = parsePrometheusText(bytes('x{v="\ufffd"} 1\n'));
    expect(r.malformed).toBe(0);
    expect(r.samples[0]!.labels["v"]).toBe("\ufffd");
  });
});

describe("parsePrometheusText: one value per series", () => {
  it("keeps the first sample of a repeated series and counts the others, as Prometheus stores it", () => {
    const r = parsePrometheusText('dup 1\ndup 2\nblank{x=""} 3\nblank 4\nother{x="1"} 5\n');
    expect(r.samples).toEqual([
      { name: "dup", labels: {}, value: 1 },
      { name: "blank", labels: {}, value: 3 },
      { name: "other", labels: { x: "1" }, value: 5 },
    ]);
    expect(r.duplicates).toBe(2);
    expect(r.malformed).toBe(0);
  });
});
