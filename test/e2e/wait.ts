// Bounded waits that name what they waited for, so a failure reads as a sentence.

export class StepError extends Error {}

/**
 * Polls `probe` every `everyMs` until it returns something other than undefined/false,
 * or throws after `timeoutMs` with `what` and the last value seen (or the last error).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs: number; everyMs?: number; describe?: () => Promise<string> | string },
): Promise<T> {
  const end = Date.now() + opts.timeoutMs;
  const every = opts.everyMs ?? 250;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (e) {
      last = e instanceof Error ? `error: ${e.message.split("\n")[0]}` : e;
    }
    if (Date.now() >= end) break;
    await new Promise((r) => setTimeout(r, every));
  }
  let seen: string;
  try {
    seen = opts.describe ? await opts.describe() : "";
  } catch (e) {
    seen = `(could not describe: ${(e as Error).message})`;
  }
  throw new StepError(
    `timed out after ${Math.round(opts.timeoutMs / 1000)} s waiting for ${what}` +
      (typeof last === "string" && last.startsWith("error:") ? ` (${last})` : "") +
      (seen ? `\n  seen: ${seen}` : ""),
  );
}

export function withTimeout<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new StepError(`timed out after ${Math.round(ms / 1000)} s: ${what}`)), ms);
    }),
  ]);
}
