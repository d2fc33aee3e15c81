// A small seeded PRNG (mulberry32) so a soak run is reproducible from its printed seed.
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An independent stream for one concern, so adding draws to one does not shift the others. */
export function stream(seed: number, name: string): Rng {
  let h = seed >>> 0;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return mulberry32(h ^ 0x9e3779b9);
}

export function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

/** Exponentially distributed whole number of ticks, at least 1. */
export function expTicks(rng: Rng, mean: number): number {
  return Math.max(1, Math.round(-mean * Math.log(1 - rng())));
}

export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
