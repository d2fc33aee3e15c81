import type { Clock } from "../../probe/loop.js";

/** Real time, but timers that never fire: ticks run only when the test calls loop.tick(). */
export const manualClock: Clock = {
  wallMs: () => Date.now(),
  monoMs: () => performance.now(),
  setTimeout: () => null,
  clearTimeout: () => undefined,
};
