import type { SourceOutput } from "../../probe/source.js";

/** A source that answers at once, or, while `hold` is set, hangs until released (its timeout never comes). */
export function gatedSource(name: string, timeoutMs = 3_600_000) {
  const waiting: Array<() => void> = [];
  const src = {
    name,
    timeoutMs,
    calls: 0,
    hold: false,
    collect(): Promise<SourceOutput> {
      src.calls++;
      if (!src.hold) return Promise.resolve({ signals: [] });
      return new Promise<SourceOutput>((resolve) => waiting.push(() => resolve({ signals: [] })));
    },
    release() {
      src.hold = false;
      for (const w of waiting.splice(0)) w();
    },
  };
  return src;
}
