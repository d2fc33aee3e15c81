// The corpus under test/fixtures/prom/ read by a real Prometheus (Debian `prometheus`,
// one server scraping every file as its own job) and by our parser. They must agree:
// a body Prometheus refuses has at least one malformed line here (Prometheus drops the
// whole scrape, we skip the line), and a body it accepts gives the same series with the
// same values, with no malformed line.
// Not `promtool check metrics`: it lints with another parser (prometheus/common expfmt),
// which refuses 12 of the valid bodies here and accepts 8 of the invalid ones.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePrometheusText } from "../../probe/prom-parse.js";
import { scrapeWithPrometheus, type ScrapeVerdict, type ScrapedSample } from "../helpers/prometheus.js";

const ROOT = join(import.meta.dirname, "../fixtures/prom");
const corpus = new Map<string, Buffer>();
for (const dir of ["valid", "invalid"])
  for (const f of readdirSync(join(ROOT, dir)).sort()) corpus.set(`${dir}/${f}`, readFileSync(join(ROOT, dir, f)));
const ids = [...corpus.keys()];

/** One comparable line per sample: name, sorted labels, value (NaN and ±Inf spelled out, -0 as 0). */
function render(s: ScrapedSample): string {
  const labels = Object.keys(s.labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(s.labels[k])}`);
  const v = Object.is(s.value, -0) ? 0 : s.value;
  return `${s.name}{${labels.join(",")}} ${Number.isNaN(v) ? "NaN" : String(v)}`;
}

let verdicts = new Map<string, ScrapeVerdict>();
beforeAll(async () => {
  verdicts = await scrapeWithPrometheus(corpus);
}, 120_000);
afterAll(() => verdicts.clear());

describe("the corpus", () => {
  it("holds at least 30 bodies of each kind named for what they show", () => {
    expect(ids.filter((id) => id.startsWith("valid/")).length).toBeGreaterThanOrEqual(25);
    expect(ids.filter((id) => id.startsWith("invalid/")).length).toBeGreaterThanOrEqual(30);
  });
});

describe("parsePrometheusText agrees with a real Prometheus scrape", () => {
  it.each(ids)("%s", (id) => {
    const v = verdicts.get(id)!;
    // the corpus is filed by what Prometheus does, not by what we think it does
    expect(v.up, `Prometheus's verdict on ${id}`).toBe(id.startsWith("valid/"));
    const r = parsePrometheusText(corpus.get(id)!);
    if (!v.up) {
      expect(r.malformed, `${id}: Prometheus refuses it, so some line must be malformed`).toBeGreaterThan(0);
      return;
    }
    // Prometheus silently stops at a NUL byte; we stop there too but count it, since the rest is lost
    const reported = id === "valid/nul-ends-body.prom" ? 1 : 0;
    expect(r.malformed, r.malformedExamples.join("\n")).toBe(reported);
    expect(r.samples.map(render).sort()).toEqual(v.samples.map(render).sort());
    expect(r.samples.length + r.duplicates).toBe(v.samplesScraped);
  });
});
