// A tiny mocha-like runner for the extension host (no test framework is installed):
// tests run one after another with a timeout each; the result is printed, written as JSON
// when WATCHDOG_VSCODE_RESULTS names a file, and a failure rejects run(), which makes
// VS Code (test-electron style) or code-server's workbench report a non-zero exit code.
import { writeFileSync } from "node:fs";

export interface TestCase {
  name: string;
  fn: () => Promise<void> | void;
  timeoutMs: number;
}

export interface TestResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export class Runner {
  private readonly tests: TestCase[] = [];
  private readonly cleanups: Array<() => Promise<void> | void> = [];

  test(name: string, fn: () => Promise<void> | void, timeoutMs = 20_000): void {
    this.tests.push({ name, fn, timeoutMs });
  }

  /** Runs after every test, last registered first, even when tests fail. */
  after(fn: () => Promise<void> | void): void {
    this.cleanups.push(fn);
  }

  async run(log: (line: string) => void = (l) => console.log(l)): Promise<TestResult[]> {
    const results: TestResult[] = [];
    for (const tc of this.tests) {
      const t0 = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(tc.fn),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${tc.timeoutMs} ms`)), tc.timeoutMs);
          }),
        ]);
        results.push({ name: tc.name, ok: true, ms: Date.now() - t0 });
        log(`  ✓ ${tc.name}`);
      } catch (e) {
        const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
        results.push({ name: tc.name, ok: false, ms: Date.now() - t0, error });
        log(`  ✗ ${tc.name}\n      ${error.split("\n").slice(0, 6).join("\n      ")}`);
      } finally {
        clearTimeout(timer);
      }
    }
    for (const c of [...this.cleanups].reverse()) {
      try {
        await c();
      } catch (e) {
        log(`  cleanup failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const passed = results.filter((r) => r.ok).length;
    log(`${passed} passed, ${results.length - passed} failed`);
    const file = process.env.WATCHDOG_VSCODE_RESULTS;
    if (file) writeFileSync(file, JSON.stringify(results, null, 2));
    return results;
  }
}

export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

/** Polls until `probe` returns a value (not undefined), or fails naming `what`. */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
