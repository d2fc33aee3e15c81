import { describe, expect, it } from "vitest";
import { matchRules } from "../../probe/collectors/metrics.js";
import { labelsMatch, parseMetricRules, type MetricRule } from "../../probe/metric-rules.js";
import { parsePrometheusText } from "../../probe/prom-parse.js";

function rules(text: string): MetricRule[] {
  const r = parseMetricRules(text);
  if (!r.ok) throw new Error(`parseMetricRules(${text}): ${r.error}`);
  return r.rules;
}

describe('labelsMatch: PromQL\'s meaning of key="value"', () => {
  it.each<[string, Record<string, string>, Record<string, string>, boolean]>([
    ["equal value", { state: "stuck" }, { state: "stuck" }, true],
    ["other value", { state: "ok" }, { state: "stuck" }, false],
    ["absent label wanted with a value", {}, { state: "stuck" }, false],
    ["empty wanted, label absent", { job: "j" }, { state: "" }, true],
    ["empty wanted, label empty", { state: "" }, { state: "" }, true],
    ["empty wanted, label set", { state: "stuck" }, { state: "" }, false],
    ["no matchers", { a: "1" }, {}, true],
    ["an inherited name is not a label", {}, { constructor: "" }, true],
  ])("%s", (_why, labels, want, expected) => {
    expect(labelsMatch(labels, want)).toBe(expected);
  });
});

describe("metric rules over a scraped body: an empty label value is an absent label", () => {
  const body = ['orch_jobs{state=""} 4', 'orch_jobs{state="stuck"} 2', "orch_queue 7", 'orch_queue{zone="eu"} 1'].join(
    "\n",
  );
  const samples = parsePrometheusText(body).samples;

  it('{state=""} selects the series without a state, written either way, and names it as Prometheus does', () => {
    const { signals } = matchRules(rules('unlabelled=orch_jobs{state=""}>0'), samples);
    expect(signals.map((s) => [s.entity, s.title])).toEqual([["-", "unlabelled: orch_jobs = 4"]]);
  });

  it('{zone=""} selects a series that never had the label, and not one that has it', () => {
    const { signals } = matchRules(rules('nozone=orch_queue{zone=""}>0'), samples);
    expect(signals.map((s) => s.title)).toEqual(["nozone: orch_queue = 7"]);
  });

  it("a non-empty matcher still needs the label", () => {
    const { signals } = matchRules(rules('stuck=orch_jobs{state="stuck"}>0'), samples);
    expect(signals.map((s) => s.entity)).toEqual(['state="stuck"']);
  });
});
