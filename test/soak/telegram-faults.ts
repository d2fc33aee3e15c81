// The fake Bot API's misbehaviour for the soak. Each request is answered according to
// the VIRTUAL time it arrives at (virtual time is frozen while a request is in flight,
// see soak.ts): inside an outage window every request fails in the outage's style;
// outside, about 2.6 % fail at random (and HTML is sometimes refused, to exercise the
// plain-text fallback). The fake helper only takes a FIFO of scripted answers, so its
// `requests.push` (called for each request just before it takes the next scripted
// answer) is replaced by a hook that scripts the answer for that very request and
// keeps no record (the soak must not grow its own memory).
import type { FakeAnswer, FakeRequest, FakeTelegram } from "../helpers/fake-telegram.js";
import { int, pick, stream } from "./prng.js";
import type { Outage } from "./plan.js";

const ANSWER_KINDS = ["ok", "429", "5xx", "reset", "hang", "parse"] as const;
type AnswerKind = (typeof ANSWER_KINDS)[number];
export type AnswerCounts = Record<AnswerKind, number>;

export function scriptFakeTelegram(
  fake: FakeTelegram,
  seed: number,
  outages: Outage[],
  now: () => number,
): AnswerCounts {
  const rng = stream(seed, "telegram-answers");
  const counts = Object.fromEntries(ANSWER_KINDS.map((k) => [k, 0])) as AnswerCounts;
  const fail = (kind: Exclude<AnswerKind, "ok" | "parse">): FakeAnswer => {
    counts[kind]++;
    if (kind === "429") return { kind: "retry_after", seconds: int(rng, 1, 30) };
    if (kind === "5xx") return { kind: "status", status: pick(rng, [500, 502, 503, 504]) };
    return { kind };
  };
  const answer = (rec: FakeRequest): FakeAnswer => {
    const t = now();
    const o = outages.find((w) => w.from <= t && t < w.to);
    if (o) {
      if (o.style === "mixed") return fail(pick(rng, ["429", "5xx", "reset", "hang"] as const));
      return fail(o.style);
    }
    const r = rng();
    if (r < 0.01) return fail("5xx");
    if (r < 0.016) return fail("429");
    if (r < 0.022) return fail("reset");
    if (r < 0.026) return fail("hang");
    if (r < 0.031 && rec.body?.parse_mode === "HTML") {
      counts.parse++;
      return { kind: "parse_error" };
    }
    counts.ok++;
    return { kind: "ok" };
  };
  const hook = (...recs: FakeRequest[]): number => {
    for (const rec of recs) fake.script(answer(rec));
    return 0;
  };
  fake.requests.push = hook;
  return counts;
}
