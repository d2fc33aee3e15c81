// Heap in use after a full collection, without the code spaces: those hold what the JIT
// compiles, which keeps growing slowly as more paths get hot (measured: 1.6 → 2.0 MiB
// over 20,000 ticks, levelling off) and is not data anybody retains. gc: global.gc when
// node runs with --expose-gc; otherwise the flag is turned on at run time and gc()
// fetched from a fresh context (works in vitest's workers too); without any gc, the
// median of a few settled reads.
import v8 from "node:v8";
import vm from "node:vm";

let gc: (() => void) | null | undefined;

function findGc(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === "function") return g;
  try {
    v8.setFlagsFromString("--expose-gc");
    const f = vm.runInNewContext("gc") as unknown;
    return typeof f === "function" ? (f as () => void) : null;
  } catch {
    return null;
  }
}

const turn = () => new Promise<void>((r) => setImmediate(r));

export async function heapMiB(): Promise<number> {
  if (gc === undefined) gc = findGc();
  const reads: number[] = [];
  for (let i = 0; i < 5; i++) {
    await turn();
    gc?.();
    await turn();
    reads.push(dataHeap());
  }
  reads.sort((a, b) => a - b);
  // after a real collection the smallest read is the live heap; without one, the median
  return reads[gc ? 0 : 2]! / 1024 / 1024;
}

function dataHeap(): number {
  let used = 0;
  for (const sp of v8.getHeapSpaceStatistics()) if (!sp.space_name.startsWith("code")) used += sp.space_used_size;
  return used;
}

export function gcExposed(): boolean {
  if (gc === undefined) gc = findGc();
  return gc !== null;
}
